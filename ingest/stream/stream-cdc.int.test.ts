import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertSchema } from "../../core/alert.js";
import { endpointsFromEnv } from "../endpoints.js";
import { readTopic } from "../int-helpers.js";
import type { RedisConnection } from "./redis-store.js";
import { runStream } from "./run-stream.js";
import {
  connectTestRedis,
  createTopics,
  testRedisUrl,
  uniqueStreamRun,
  waitFor,
} from "./stream-int-helpers.js";

/**
 * The whole path on the stack's services: commits to the shop's PostgreSQL → Debezium → `db.inventory` →
 * `floe stream` → Redis. Rows of this run only (unique product ids), removed afterwards; Redis database 11
 * with a key prefix; its own alerts topic.
 */
const run = uniqueStreamRun("strmcdc");
const shopUrl = process.env.FLOE_SHOP_DB_URL ?? "postgres://floe:floe-local-secret@127.0.0.1:5433/shop";
const ids = ["a", "b"].map((p) => `${run.id}-${p}`);
let db: pg.Client;
let redis: RedisConnection;

beforeAll(async () => {
  db = new pg.Client({ connectionString: shopUrl });
  await db.connect();
  redis = await connectTestRedis();
  await createTopics([{ topic: run.alerts, partitions: 1 }]);
});

afterAll(async () => {
  await db?.query("delete from inventory where product_id = any($1)", [ids]).catch(() => {});
  await db?.end();
  await redis?.del([...ids.map((id) => `${run.keyPrefix}stock:${id}`), `${run.keyPrefix}stream:offsets`]);
  redis?.destroy();
});

const setStock = (id: string, quantity: number) =>
  db.query(
    `insert into inventory (product_id, quantity, low_stock_threshold, updated_at) values ($1, $2, 10, now())
     on conflict (product_id) do update set quantity = excluded.quantity, updated_at = excluded.updated_at`,
    [id, quantity],
  );

describe("floe stream behind Debezium", () => {
  it("has Redis' stock equal to the database within 10 s of the last commit, one alert per crossing", async () => {
    // db.inventory appears with the first captured row: make sure it exists before the stream waits for it.
    await setStock(ids[1] as string, 100);
    const controller = new AbortController();
    const phases: string[] = [];
    const done = runStream({
      redisUrl: testRedisUrl(),
      endpoints: endpointsFromEnv(),
      eventTopics: new Map(),
      alertsTopic: run.alerts,
      groupId: `${run.id}-stream`,
      keyPrefix: run.keyPrefix,
      signal: controller.signal,
      topicWaitMs: 60_000,
      onEvent: (e) => {
        if (e.kind === "phase") phases.push(e.phase);
      },
    });
    try {
      await waitFor("running", async () => phases.includes("running"), 90_000);
      for (const q of [40, 12, 9, 3, 0, 25, 30]) await setStock(ids[0] as string, q);
      await setStock(ids[1] as string, 77);
      const truth = await db.query<{ product_id: string; quantity: number }>(
        "select product_id, quantity from inventory where product_id = any($1) order by product_id",
        [ids],
      );
      const tookMs = await waitFor(
        "Redis to equal the database",
        async () => {
          const got = await Promise.all(
            truth.rows.map((r) => redis.get(`${run.keyPrefix}stock:${r.product_id}`)),
          );
          return truth.rows.every((r, i) => got[i] === String(r.quantity));
        },
        10_000,
      );
      expect(tookMs).toBeLessThan(10_000);
      const alerts = async () =>
        (await readTopic(run.alerts, (m) => alertSchema.parse(JSON.parse(String(m.value))))).map((a) =>
          a.kind === "low_stock" ? `${a.product_id.slice(-1)}:${a.state}:${a.quantity}` : a.kind,
        );
      await waitFor("alerts", async () => (await alerts()).length >= 2, 10_000);
      expect(await alerts()).toEqual(["a:below:9", "a:recovered:25"]);
    } finally {
      controller.abort();
      await done;
    }
  });
});
