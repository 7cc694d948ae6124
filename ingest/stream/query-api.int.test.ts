import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, KeyIndex } from "../http/api-keys.js";
import { testTrino } from "../int-helpers.js";
import { type StandaloneQueryApi, startQueryApi, trinoMartReader } from "./query-api.js";
import { type RedisConnection, RedisStreamStore } from "./redis-store.js";
import { connectTestRedis, uniqueStreamRun } from "./stream-int-helpers.js";
import { RedisViewReader } from "./view-reader.js";
import { WritePlanBuilder } from "./write-plan.js";

/**
 * The query API on real Redis (windows written by the stream's own store) and real Trino (a table shaped
 * like the minute mart, in its own schema): recent windows from Redis, older ones from Trino, keys checked.
 */
const run = uniqueStreamRun("qapi");
const schema = "floe_stream_tests";
const relation = `iceberg.${schema}.metrics_by_minute_${run.id}`;
const dir = mkdtempSync(join(tmpdir(), "floe-query-api-"));
const keysFile = join(dir, "api-keys.json");
let secret = "";
let redis: RedisConnection;
let api: StandaloneQueryApi;
const now = Date.now();
const minute = (ms: number) => Math.floor(ms / 60_000) * 60;
const iso = (s: number) => new Date(s * 1000).toISOString().replace(".000Z", "Z");
// Three hours ago: long past Redis' TTLs, so only the mart knows it.
const oldStart = minute(now - 3 * 3_600_000);

beforeAll(async () => {
  secret = createKey(keysFile, { name: "reader" }).secret;
  redis = await connectTestRedis();
  const store = new RedisStreamStore(redis, run.keyPrefix);
  const plan = new WritePlanBuilder(run.keyPrefix, now, () => false);
  for (const [user, country, cents] of [
    ["u-1", "US", 1000],
    ["u-2", "US", 250],
    ["u-1", "DE", 99],
  ] as const) {
    plan.observe({ metric: "purchase_revenue", atMs: now, user, sumCents: cents, country, device: "web" });
  }
  plan.inventory({ kind: "set", productId: `${run.id}-p`, quantity: 4, threshold: 10, commitMs: now }, false);
  expect(await store.apply(plan.build(), false)).toBe("applied");
  const ts = (s: number) => `timestamp '${iso(s).replace("T", " ").replace("Z", "")}'`;
  await testTrino.query(`create schema if not exists iceberg.${schema}`);
  await testTrino.query(
    `create table ${relation} as select * from (values
       (${ts(oldStart)}, 'US', 'web', 10, 3, cast(30.50 as decimal(18, 2))),
       (${ts(oldStart)}, 'FR', 'ios', 4, 1, cast(9.99 as decimal(18, 2))),
       (${ts(oldStart + 60)}, 'US', 'web', 2, 2, cast(5.00 as decimal(18, 2)))
     ) as t(bucket_start, country, device, events, purchases, purchase_revenue)`,
  );
  api = await startQueryApi({
    host: "127.0.0.1",
    port: 0,
    view: new RedisViewReader(redis, run.keyPrefix),
    mart: trinoMartReader(testTrino, relation),
    authorize: (s) => new KeyIndex(keysFile).lookup(s, Date.now()) !== undefined,
  });
});

afterAll(async () => {
  await api?.close();
  await testTrino.query(`drop table if exists ${relation}`).catch(() => {});
  // This run's keys only (the windows expire on their own).
  await redis?.del([
    `${run.keyPrefix}stock:${run.id}-p`,
    `${run.keyPrefix}stream:below`,
    `${run.keyPrefix}stream:offsets`,
  ]);
  redis?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, key: string | null = secret) => {
  const res = await fetch(`${api.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("the query API on Redis and Trino", () => {
  it("401 without a key or with a wrong one, 400 with the bad parameters named", async () => {
    expect((await get(`/v1/inventory/${run.id}-p`, null)).status).toBe(401);
    expect((await get(`/v1/inventory/${run.id}-p`, "floe_wrong")).status).toBe(401);
    expect(await get("/v1/metrics?name=revenue&group_by=city")).toEqual({
      status: 400,
      body: {
        error: "bad query parameters",
        details: [expect.stringMatching(/^name: must be one of/), "group_by: must be one of country, device"],
      },
    });
  });

  it("answers a product's stock from Redis, 404 for an unknown one", async () => {
    expect(await get(`/v1/inventory/${run.id}-p`)).toEqual({
      status: 200,
      body: { product_id: `${run.id}-p`, quantity: 4, low_stock: true },
    });
    expect((await get(`/v1/inventory/${run.id}-nothing`)).status).toBe(404);
  });

  it("answers recent windows from Redis by group", async () => {
    const start = minute(now);
    const { status, body } = await get(
      `/v1/metrics?name=purchase_revenue&window=1m&group_by=country&from=${start}&to=${start + 60}`,
    );
    expect(status).toBe(200);
    expect(body.rows).toEqual([
      { window_start: iso(start), group: "DE", count: 1, sum: 0.99, unique_users: 1, source: "redis" },
      { window_start: iso(start), group: "US", count: 2, sum: 12.5, unique_users: 2, source: "redis" },
    ]);
  });

  it("answers older windows from the minute mart through Trino, rolled up to the window", async () => {
    const hour = Math.floor(oldStart / 3600) * 3600;
    const { status, body } = await get(
      `/v1/metrics?name=purchase_revenue&window=1h&from=${hour}&to=${hour + 3600}`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ missing_windows: 0 });
    expect(body.rows).toEqual([
      { window_start: iso(hour), group: "all", count: 6, sum: 45.49, unique_users: null, source: "mart" },
    ]);
    const byCountry = await get(
      `/v1/metrics?name=events&window=1m&group_by=country&from=${oldStart}&to=${oldStart + 120}`,
    );
    expect(byCountry.body.rows).toEqual([
      { window_start: iso(oldStart), group: "FR", count: 4, sum: null, unique_users: null, source: "mart" },
      { window_start: iso(oldStart), group: "US", count: 10, sum: null, unique_users: null, source: "mart" },
      {
        window_start: iso(oldStart + 60),
        group: "US",
        count: 2,
        sum: null,
        unique_users: null,
        source: "mart",
      },
    ]);
  });
});
