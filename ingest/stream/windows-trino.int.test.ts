import { afterAll, describe, expect, it } from "vitest";
import { endpointsFromEnv } from "../endpoints.js";
import { testTrino, trinoQuery } from "../int-helpers.js";
import { runSink } from "../sink.js";
import type { RedisConnection } from "./redis-store.js";
import { runStream } from "./run-stream.js";
import {
  connectTestRedis,
  createTopics,
  produce,
  type TestEvent,
  testRedisUrl,
  uniqueStreamRun,
  userEventMessage,
  waitFor,
} from "./stream-int-helpers.js";
import { type GroupDimension, WINDOW_TTL_SECONDS, type WindowName, windowKey } from "./windows.js";

/**
 * Seed 003's windows against the warehouse: the same user events go through the sink into a raw table and
 * through `floe stream` into Redis, and every 5-minute and 1-hour window (total, by country, by device) in
 * Redis equals a Trino aggregation of the raw table — count, sum in cents, distinct users — with no window
 * on either side the other lacks (among those not about to expire). (1-minute windows expire two minutes after their start, sooner than a
 * loaded machine lands the raw table; their arithmetic is the same.)
 */

const run = uniqueStreamRun("strmtrino");
const schema = `raw_floe_${run.id}`;
const table = `hive.${schema}.${run.userEvents.replace(/[^A-Za-z0-9_]/g, "_").toLowerCase()}`;
let redis: RedisConnection | undefined;

afterAll(async () => {
  if (redis) {
    const keys: string[] = [];
    for await (const found of redis.scanIterator({ MATCH: `${run.keyPrefix}*`, COUNT: 1_000 }))
      keys.push(...found);
    if (keys.length > 0) await redis.del(keys);
    redis.destroy();
  }
  await testTrino.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
  await testTrino.query(`DROP SCHEMA IF EXISTS hive.${schema}`).catch(() => {});
});

function someEvents(n: number): TestEvent[] {
  const types = ["product_view", "add_to_cart", "purchase"] as const;
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    type: types[i % 3] as TestEvent["type"],
    user: `u-${i % 23}`,
    // Over the last 2 minutes: one or two 5-minute windows (alive at least 3 more minutes), one or two 1-hour ones.
    atMs: now - ((i * 7_919) % 120_000),
    country: ["US", "DE", "FR", "GB"][i % 4] as string,
    device: ["web", "ios", "android"][i % 3 === 2 ? (i % 2) + 1 : 0] as string,
    price: 5 + (i % 7) * 1.25,
    quantity: 1 + (i % 3),
  }));
}

/** The windows as Trino computes them from the raw table: Redis key → "count/sum_cents/users". */
async function trinoWindows(): Promise<Map<string, string>> {
  const rows = await trinoQuery(`
    WITH e AS (
      SELECT user_id, country, device, event_type, to_unixtime(event_time) AS t,
        CASE WHEN event_type = 'purchase' THEN CAST(round(price * quantity * 100) AS bigint) ELSE 0 END AS cents
      FROM ${table}),
    m AS (
      SELECT user_id, country, device, t, 0 AS cents, metric
      FROM e CROSS JOIN UNNEST(ARRAY['events', event_type || 's']) AS u(metric)
      UNION ALL
      SELECT user_id, country, device, t, cents, 'purchase_revenue' FROM e WHERE event_type = 'purchase'),
    w AS (
      SELECT m.*, win, CAST(floor(t / size) * size AS bigint) AS start_s
      FROM m CROSS JOIN (VALUES ('5m', 300), ('1h', 3600)) AS v(win, size))
    SELECT metric, win, start_s, grouping(country), grouping(device), country, device,
      count(*), sum(cents), count(DISTINCT user_id)
    FROM w
    GROUP BY GROUPING SETS ((metric, win, start_s), (metric, win, start_s, country), (metric, win, start_s, device))`);
  const out = new Map<string, string>();
  for (const [metric, win, startS, noCountry, noDevice, country, device, count, cents, users] of rows) {
    const group: { dimension: GroupDimension; value: string } | undefined =
      noCountry === 0
        ? { dimension: "country", value: String(country) }
        : noDevice === 0
          ? { dimension: "device", value: String(device) }
          : undefined;
    const key = windowKey(run.keyPrefix, {
      metric: String(metric),
      window: win as WindowName,
      startS: Number(startS),
      ...(group ? { group } : {}),
    });
    out.set(key, `${count}/${cents}/${users}`);
  }
  return out;
}

/** The same windows as Redis holds them (HyperLogLog's PFCOUNT for the users; exact at these sizes). */
async function redisWindows(client: RedisConnection): Promise<Map<string, string>> {
  const keys: string[] = [];
  const pattern = new RegExp(
    `^${run.keyPrefix}metric:[^:]+:(5m|1h):\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ(:(country|device):[^:]+)?$`,
  );
  for await (const found of client.scanIterator({ MATCH: `${run.keyPrefix}metric:*`, COUNT: 1_000 }))
    keys.push(...found.filter((k) => pattern.test(k)));
  const out = new Map<string, string>();
  for (const key of keys) {
    const hash = await client.hGetAll(key);
    out.set(key, `${hash.count}/${hash.sum_cents ?? 0}/${await client.pfCount(`${key}:hll`)}`);
  }
  return out;
}

describe("Redis windows against the warehouse", () => {
  it("equal a Trino aggregation of the same events landed raw", { timeout: 600_000 }, async () => {
    redis = await connectTestRedis();
    await createTopics([
      { topic: run.userEvents, partitions: 2 },
      { topic: run.inventory, partitions: 1 },
      { topic: run.alerts, partitions: 1 },
    ]);
    const events = someEvents(600);
    await produce(run.userEvents, events.map(userEventMessage));

    const controller = new AbortController();
    const phases: string[] = [];
    const stream = runStream({
      redisUrl: testRedisUrl(),
      endpoints: endpointsFromEnv(),
      inventoryTopic: run.inventory,
      eventTopics: new Map([[run.userEvents, "user-events"]]),
      alertsTopic: run.alerts,
      groupId: `${run.id}-stream`,
      keyPrefix: run.keyPrefix,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === "phase") phases.push(e.phase);
      },
    });
    try {
      const landed = await runSink({
        topics: [run.userEvents],
        dlqTopic: `${run.id}-dlq`,
        prefix: `test-raw/${run.id}/`,
        groupId: `${run.id}-sink`,
        hiveSchema: schema,
        trino: testTrino,
        untilIdle: true,
        idleMs: 3_000,
        metricsPort: null,
      });
      expect(landed).toMatchObject({ records: events.length, dlq: 0 });
      await waitFor("the stream to catch up", async () => phases.includes("running"), 120_000);
      // A window Redis has let expire (its start + seed 003's TTL) is compared no more.
      const alive = (key: string) => {
        const [, window, start] = /:(5m|1h):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)/.exec(key) ?? [];
        return (
          Date.parse(start ?? "") / 1000 + WINDOW_TTL_SECONDS[window as WindowName] > Date.now() / 1000 + 60
        );
      };
      const want = new Map([...(await trinoWindows())].filter(([key]) => alive(key)));
      // Every 5m and 1h window: 3 metrics + revenue, each as a total, by country and by device.
      expect(want.size).toBeGreaterThan(20);
      let got = new Map<string, string>();
      await waitFor(
        "Redis to equal Trino",
        async () => {
          got = await redisWindows(redis as RedisConnection);
          got = new Map([...got].filter(([key]) => alive(key)));
          return got.size === want.size && [...want].every(([k, v]) => got.get(k) === v);
        },
        60_000,
      ).catch(() => {});
      expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...want].sort()));
    } finally {
      controller.abort();
      await stream.catch(() => {});
    }
  });
});
