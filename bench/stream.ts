/**
 * `npm run bench:stream`: `floe stream` (in this process) under load on the stack's services, measuring
 * commit → Redis, the seed 002 target (< 10 s; goal < 2 s). BENCH_SOURCE picks where changes come from:
 * - `db` (default): UPDATEs of the shop's PostgreSQL `inventory` (rows of this run only, removed after),
 *   through the stack's Debezium, BENCH_RATE changes/s (default 1,000) in transactions of 10 rows every
 *   10 ms; commit time is Debezium's `source.ts_ms`;
 * - `kafka`: Debezium-shaped messages produced straight to a topic of this run (commit time = the send).
 * Alongside, BENCH_EVENT_RATE user-events/s (default 1,000) to a topic of this run feed the windows.
 * For BENCH_SECONDS (default 20): p50/p99/max commit → applied to Redis (after EXEC), changes and events
 * applied per second, and the load average. Redis database 11 of the stack's Redis, with a key prefix.
 */
import { loadavg } from "node:os";
import pg from "pg";
import { endpointsFromEnv, kafkaClient } from "../ingest/endpoints.js";
import type { AppliedReport } from "../ingest/stream/processor.js";
import { runStream } from "../ingest/stream/run-stream.js";
import {
  connectTestRedis,
  createTopics,
  inventoryMessage,
  testRedisUrl,
  uniqueStreamRun,
  userEventMessage,
  waitFor,
} from "../ingest/stream/stream-int-helpers.js";
import { StreamMetrics } from "../ingest/stream/stream-metrics.js";

const SOURCE = process.env.BENCH_SOURCE ?? "db";
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const EVENT_RATE = Number(process.env.BENCH_EVENT_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PRODUCTS = 500;
const TICK_MS = 10;

/** The metrics, plus every commit → Redis sample. */
class RecordingMetrics extends StreamMetrics {
  readonly samples: number[] = [];
  readonly toKafka: number[] = [];
  readonly fromKafka: number[] = [];
  changes = 0;
  events = 0;
  override recordApplied(report: AppliedReport): void {
    super.recordApplied(report);
    for (const [i, commit] of report.commitTimes.entries()) {
      const kafka = report.kafkaTimes[i] ?? Number.NaN;
      this.samples.push(report.appliedAtMs - commit);
      this.toKafka.push(kafka - commit);
      this.fromKafka.push(report.appliedAtMs - kafka);
    }
    if (report.commitTimes.length > 0) this.changes += report.commitTimes.length;
    else this.events += report.messages;
  }
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function main(): Promise<void> {
  const run = uniqueStreamRun("benchstrm");
  const ids = Array.from({ length: PRODUCTS }, (_, i) => `${run.id}-p${i}`);
  const inventoryTopic = SOURCE === "db" ? "db.inventory" : run.inventory;
  await createTopics([
    ...(SOURCE === "db" ? [] : [{ topic: run.inventory, partitions: 1 }]),
    { topic: run.userEvents, partitions: 2 },
    { topic: run.alerts, partitions: 1 },
  ]);
  const db =
    SOURCE === "db"
      ? new pg.Client({
          connectionString:
            process.env.FLOE_SHOP_DB_URL ?? "postgres://floe:floe-local-secret@127.0.0.1:5433/shop",
        })
      : undefined;
  if (db) {
    await db.connect();
    await db.query(
      `insert into inventory (product_id, quantity, low_stock_threshold, updated_at)
       select unnest($1::text[]), 1000, 10, now() on conflict (product_id) do nothing`,
      [ids],
    );
  }
  const producer = kafkaClient(endpointsFromEnv(), "floe-bench").producer();
  await producer.connect();
  const redis = await connectTestRedis();

  const metrics = new RecordingMetrics();
  const controller = new AbortController();
  const phases: string[] = [];
  const done = runStream({
    redisUrl: testRedisUrl(),
    endpoints: endpointsFromEnv(),
    inventoryTopic,
    eventTopics: new Map([[run.userEvents, "user-events"]]),
    alertsTopic: run.alerts,
    groupId: `${run.id}-stream`,
    keyPrefix: run.keyPrefix,
    signal: controller.signal,
    metrics,
    topicWaitMs: 60_000,
    onEvent: (e) => {
      if (e.kind === "phase") phases.push(e.phase);
    },
  });
  await waitFor("the stream to run", async () => phases.includes("running"), 300_000);
  // The rebuild of db.inventory's history is not what is measured.
  metrics.samples.length = 0;
  metrics.toKafka.length = 0;
  metrics.fromKafka.length = 0;
  metrics.changes = 0;
  metrics.events = 0;

  const perTickChanges = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const perTickEvents = Math.round((EVENT_RATE * TICK_MS) / 1000);
  const started = Date.now();
  let tick = 0;
  let sent = 0;
  let eventsSent = 0;
  let lsn = 1;
  const last = new Map<string, number>();
  while (Date.now() - started < SECONDS * 1000) {
    // What the rate asks by now, so a slow round is caught up by the next (at most 500 rows at once).
    const due = (rate: number, done: number, step: number, cap: number) =>
      Math.min(cap, Math.max(step, Math.floor(((Date.now() - started) / 1000) * rate) - done));
    const batch = Array.from(
      { length: due(RATE, sent, perTickChanges, 500) },
      (_, i) => ids[(sent + i) % PRODUCTS] as string,
    );
    const quantities = batch.map((_, i) => 100 + ((tick + i) % 500));
    const sends: Promise<unknown>[] = [];
    if (db) {
      sends.push(
        db.query(
          `update inventory set quantity = v.q, updated_at = now()
           from unnest($1::text[], $2::int[]) as v(id, q) where product_id = v.id`,
          [batch, quantities],
        ),
      );
    } else {
      sends.push(
        producer.send({
          topic: run.inventory,
          messages: batch.map((id, i) => inventoryMessage(id, quantities[i] as number, lsn++)),
        }),
      );
    }
    const dueEvents = due(EVENT_RATE, eventsSent, perTickEvents, 1000);
    eventsSent += dueEvents;
    if (dueEvents > 0) {
      const now = Date.now();
      sends.push(
        producer.send({
          topic: run.userEvents,
          messages: Array.from({ length: dueEvents }, (_, i) =>
            userEventMessage({
              type: "product_view",
              user: `u-${(tick + i) % 1000}`,
              atMs: now,
              country: "US",
              device: "web",
              price: 1,
              quantity: 1,
            }),
          ),
        }),
      );
    }
    await Promise.all(sends);
    for (const [i, id] of batch.entries()) last.set(id, quantities[i] as number);
    sent += batch.length;
    tick++;
    const next = started + tick * TICK_MS;
    if (next > Date.now()) await new Promise((r) => setTimeout(r, next - Date.now()));
  }
  const elapsed = (Date.now() - started) / 1000;
  const load = loadavg()[0] ?? 0;
  await waitFor(
    "Redis to hold the last quantities",
    async () => {
      const keys = [...last.keys()];
      const got = await redis.mGet(keys.map((id) => `${run.keyPrefix}stock:${id}`));
      return keys.every((id, i) => got[i] === String(last.get(id)));
    },
    120_000,
  );
  controller.abort();
  await done;

  const sorted = [...metrics.samples].sort((a, b) => a - b);
  const ms = (n: number) => `${Math.round(n)} ms`;
  console.log(
    `floe stream bench (${SOURCE}): ${SECONDS} s, target ${RATE} changes/s + ${EVENT_RATE} events/s`,
  );
  console.log(
    `  changes sent ${sent} (${Math.round(sent / elapsed)}/s), events ${eventsSent} (${Math.round(eventsSent / elapsed)}/s); applied ${metrics.changes}, events applied ${metrics.events}`,
  );
  console.log(
    `  commit → Redis: p50 ${ms(quantile(sorted, 0.5))}, p99 ${ms(quantile(sorted, 0.99))}, max ${ms(sorted.at(-1) ?? Number.NaN)} (${sorted.length} samples)`,
  );
  for (const [label, values] of [
    ["commit → Kafka (Debezium's share)", metrics.toKafka],
    ["Kafka → Redis (floe stream's share)", metrics.fromKafka],
  ] as const) {
    const v = [...values].sort((a, b) => a - b);
    console.log(`  ${label}: p50 ${ms(quantile(v, 0.5))}, p99 ${ms(quantile(v, 0.99))}`);
  }
  console.log(
    `  load average (1 min) at the end of the load: ${load.toFixed(1)} on ${(await import("node:os")).cpus().length} cores`,
  );

  if (db) {
    await db.query("delete from inventory where product_id = any($1)", [ids]);
    await db.end();
  }
  const keys = [
    ...ids.map((id) => `${run.keyPrefix}stock:${id}`),
    `${run.keyPrefix}stream:offsets`,
    `${run.keyPrefix}stream:below`,
  ];
  await redis.del(keys);
  redis.destroy();
  await producer.disconnect();
}

await main();
