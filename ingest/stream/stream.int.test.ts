import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertSchema } from "../../core/alert.js";
import { endpointsFromEnv } from "../endpoints.js";
import { readTopic } from "../int-helpers.js";
import type { RedisConnection } from "./redis-store.js";
import { runStream, type StreamEvent } from "./run-stream.js";
import {
  connectTestRedis,
  createTopics,
  inventoryMessage,
  produce,
  type TestEvent,
  testRedisUrl,
  uniqueStreamRun,
  userEventMessage,
  waitFor,
} from "./stream-int-helpers.js";
import { GROUP_DIMENSIONS, WINDOW_SECONDS, WINDOWS, type WindowName, windowKey } from "./windows.js";

/**
 * `floe stream` on the real stack: Kafka (its own topics per run) and Redis (its own database, so the
 * FLUSHDB below touches nobody else). Expected values are computed here from the messages produced.
 */
const run = uniqueStreamRun("strm");
let redis: RedisConnection;
const events: TestEvent[] = [];
const products = ["a", "b", "c"].map((p) => `${run.id}-${p}`);
let lsn = 1;

function startStream() {
  const controller = new AbortController();
  const phases: string[] = [];
  const done = runStream({
    redisUrl: testRedisUrl(),
    endpoints: endpointsFromEnv(),
    inventoryTopic: run.inventory,
    eventTopics: new Map([
      [run.userEvents, "user-events"],
      [run.orders, "orders"],
    ]),
    alertsTopic: run.alerts,
    groupId: `${run.id}-stream`,
    keyPrefix: run.keyPrefix,
    signal: controller.signal,
    verifyEveryMs: 500,
    onEvent: (e: StreamEvent) => {
      if (e.kind === "phase") phases.push(e.phase);
      if (process.env.STREAM_DEBUG) console.error(JSON.stringify(e));
    },
  });
  return { stop: () => controller.abort(), done, phases };
}

function someEvents(n: number): TestEvent[] {
  const types = ["product_view", "add_to_cart", "purchase"] as const;
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    type: types[i % 3] as TestEvent["type"],
    user: `u-${i % 17}`,
    // Within the last 20 s: every 1m window stays alive (TTL 2 min from its start) while the test reads it.
    atMs: now - ((i * 37) % 20_000),
    country: ["US", "DE", "FR"][i % 3] as string,
    device: ["web", "ios", "android", "web"][i % 4] as string,
    price: 5 + (i % 7) * 1.25,
    quantity: 1 + (i % 3),
  }));
}

/** The windows the events should have made: key → {count, sum_cents, users}. */
function expectedWindows(): Map<string, { count: number; sumCents: number; users: Set<string> }> {
  const out = new Map<string, { count: number; sumCents: number; users: Set<string> }>();
  const add = (metric: string, e: TestEvent, cents: number) => {
    for (const window of WINDOWS) {
      const size = WINDOW_SECONDS[window as WindowName];
      const startS = Math.floor(e.atMs / 1000 / size) * size;
      const groups = [undefined, ...GROUP_DIMENSIONS.map((d) => ({ dimension: d, value: e[d] }))];
      for (const group of groups) {
        const key = windowKey(run.keyPrefix, { metric, window, startS, ...(group ? { group } : {}) });
        const entry = out.get(key) ?? { count: 0, sumCents: 0, users: new Set<string>() };
        entry.count++;
        entry.sumCents += cents;
        entry.users.add(e.user);
        out.set(key, entry);
      }
    }
  };
  for (const e of events) {
    add("events", e, 0);
    add(`${e.type}s`, e, 0);
    if (e.type === "purchase") add("purchase_revenue", e, Math.round(e.price * e.quantity * 100));
  }
  return out;
}

async function windowsMatch(): Promise<string[]> {
  const mismatches: string[] = [];
  for (const [key, want] of expectedWindows()) {
    const got = await redis.hGetAll(key);
    const users = await redis.pfCount(`${key}:hll`);
    if (Number(got.count) !== want.count || Number(got.sum_cents) !== want.sumCents) {
      mismatches.push(`${key}: ${JSON.stringify(got)} ≠ count ${want.count}, sum_cents ${want.sumCents}`);
    }
    // HyperLogLog is exact at these sizes in practice; allow its documented 0.81 % error anyway.
    if (Math.abs(users - want.users.size) > Math.ceil(want.users.size * 0.0081)) {
      mismatches.push(`${key}:hll ${users} ≠ ${want.users.size}`);
    }
  }
  return mismatches;
}

async function lowStockAlerts(): Promise<string[]> {
  const alerts = await readTopic(run.alerts, (m) => alertSchema.parse(JSON.parse(String(m.value))));
  return alerts.map((a) =>
    a.kind === "low_stock" ? `${a.product_id.slice(-1)}:${a.state}:${a.quantity}` : a.kind,
  );
}

beforeAll(async () => {
  redis = await connectTestRedis();
  await createTopics([
    { topic: run.inventory, partitions: 1 },
    { topic: run.userEvents, partitions: 2 },
    { topic: run.orders, partitions: 1 },
    { topic: run.alerts, partitions: 1 },
  ]);
});

afterAll(async () => {
  await redis?.flushDb();
  redis?.destroy();
});

describe("floe stream on Kafka and Redis", () => {
  it("keeps stock within 10 s of the change, windows equal to the events, one alert per crossing", async () => {
    const stream = startStream();
    // Messages already in the topics at the first start are history (rebuilt silently): start first.
    await waitFor("running", async () => stream.phases.includes("running"), 30_000);
    try {
      await produce(
        run.inventory,
        products.map((p) => inventoryMessage(p, 50, lsn++, "r")),
      );
      const batch = someEvents(120);
      events.push(...batch);
      await produce(run.userEvents, batch.map(userEventMessage));
      // a: 50 → 12 → 9 (below) → 4 → 0 → 11 (recovered) → 30; b: stays above; c: 50 → 3 (below).
      const changes: [string, number][] = [
        ["a", 12],
        ["a", 9],
        ["b", 40],
        ["a", 4],
        ["a", 0],
        ["c", 3],
        ["a", 11],
        ["a", 30],
      ];
      for (const [p, q] of changes)
        await produce(run.inventory, [inventoryMessage(`${run.id}-${p}`, q, lsn++)]);
      const last = { a: "30", b: "40", c: "3" };
      const tookMs = await waitFor(
        "stock in Redis to equal the last change",
        async () => {
          const got = await Promise.all(
            ["a", "b", "c"].map((p) => redis.get(`${run.keyPrefix}stock:${run.id}-${p}`)),
          );
          return JSON.stringify(got) === JSON.stringify(Object.values(last));
        },
        10_000,
      );
      expect(tookMs).toBeLessThan(10_000);
      await waitFor(
        "windows to equal the events",
        async () => (await windowsMatch()).length === 0,
        10_000,
      ).catch(async () => expect(await windowsMatch()).toEqual([]));
      await waitFor("alerts", async () => (await lowStockAlerts()).length >= 3, 10_000);
      expect(await lowStockAlerts()).toEqual(["a:below:9", "c:below:3", "a:recovered:11"]);
    } finally {
      stream.stop();
      await stream.done;
    }
    expect(stream.phases).toEqual(["syncing", "rebuilding", "running", "stopped"]);
  });

  it("resumes from the offsets in Redis after a stop: nothing counted twice, nothing missed", async () => {
    const more = someEvents(60);
    events.push(...more);
    await produce(run.userEvents, more.map(userEventMessage));
    await produce(run.inventory, [inventoryMessage(`${run.id}-b`, 8, lsn++)]);
    const stream = startStream();
    try {
      await waitFor(
        "b's new stock",
        async () => (await redis.get(`${run.keyPrefix}stock:${run.id}-b`)) === "8",
        20_000,
      );
      await waitFor(
        "windows to equal the events",
        async () => (await windowsMatch()).length === 0,
        10_000,
      ).catch(async () => expect(await windowsMatch()).toEqual([]));
      await waitFor("alerts", async () => (await lowStockAlerts()).length >= 4, 10_000);
      expect(await lowStockAlerts()).toEqual(["a:below:9", "c:below:3", "a:recovered:11", "b:below:8"]);
    } finally {
      stream.stop();
      await stream.done;
    }
    expect(stream.phases).toEqual(["syncing", "running", "stopped"]);
  });

  it("rebuilds the view from Kafka after FLUSHDB, without announcing old crossings again", async () => {
    const stream = startStream();
    try {
      await waitFor("running", async () => stream.phases.includes("running"), 20_000);
      await redis.flushDb(); // this test's own database (STREAM_TEST_DB)
      await waitFor(
        "stock rebuilt",
        async () => (await redis.get(`${run.keyPrefix}stock:${run.id}-a`)) === "30",
        20_000,
      );
      await waitFor("windows rebuilt", async () => (await windowsMatch()).length === 0, 10_000).catch(
        async () => expect(await windowsMatch()).toEqual([]),
      );
      expect(await redis.get(`${run.keyPrefix}stock:${run.id}-c`)).toBe("3");
      // c recovering after the rebuild is a new crossing: announced; the rebuilt history is not.
      await produce(run.inventory, [inventoryMessage(`${run.id}-c`, 25, lsn++)]);
      await waitFor("the recovery alert", async () => (await lowStockAlerts()).length >= 5, 10_000);
      expect(await lowStockAlerts()).toEqual([
        "a:below:9",
        "c:below:3",
        "a:recovered:11",
        "b:below:8",
        "c:recovered:25",
      ]);
    } finally {
      stream.stop();
      await stream.done;
    }
    expect(stream.phases).toEqual(["syncing", "running", "syncing", "rebuilding", "running", "stopped"]);
  });
});
