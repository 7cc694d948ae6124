/**
 * `npm run bench:cdc`: change data capture latency on the running stack (its shop PostgreSQL, Kafka
 * Connect + Debezium, Kafka, S3Proxy, Trino and Redis).
 *
 * BENCH_RATE database changes/s (default 1,000) for BENCH_SECONDS (default 60), committed in transactions
 * of BENCH_BATCH changes (default 100: one multi-row UPDATE of `inventory` on distinct products of this
 * run), while `floe stream` (in this process, its own Redis key prefix and group) and the sink (its own
 * group, S3 prefix and Hive schema, BENCH_FLUSH_INTERVAL_MS, default the sink's 60 s) run. Quantities come
 * from one rising counter, so a Redis value at or above a change's quantity means the change has arrived.
 *
 * - commit → Redis: per transaction, from COMMIT returning to `stock:<id>` of its last row showing the
 *   change (MGET of pending markers every 20 ms).
 * - commit → raw file: per row, from its commit time in the database (source.ts_ms = `_commit_ts`) to the
 *   sink's durable-file event of the file holding it (matched by the file's S3 key and Trino's "$path").
 * - commit → mart: per transaction, from COMMIT returning to the end of the first `floe build` of the
 *   inventory CDC models (stg_db_inventory → fct_inventory_db, with their tests, as `floe build -s` runs
 *   them) whose fct_inventory_db shows the change. The shop project reads the raw tables the sink lands in
 *   the bench's own Hive schema (the event tables registered there, empty) and builds into a schema of its
 *   own; fct_inventory_db's other upstream is built once before the clock starts, then the two models are
 *   built in a loop, back to back, while the changes flow and after.
 */
import { loadavg } from "node:os";
import pg from "pg";
import type { ParsedProject } from "../cli/compile/compile.js";
import * as shop from "../cli/demo/shop-pipeline.js";
import type { RunTaskResult } from "../cli/runner/run-task.js";
import { endpointsFromEnv } from "../ingest/endpoints.js";
import { testTrino, trinoQuery, uniqueRun } from "../ingest/int-helpers.js";
import { type DurableFile, runSink } from "../ingest/sink.js";
import { runStream } from "../ingest/stream/run-stream.js";
import { connectTestRedis, testRedisUrl } from "../ingest/stream/stream-int-helpers.js";

const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const PRODUCTS = Math.max(BATCH, Number(process.env.BENCH_PRODUCTS ?? 1_000));
const FLUSH_MS = process.env.BENCH_FLUSH_INTERVAL_MS
  ? Number(process.env.BENCH_FLUSH_INTERVAL_MS)
  : undefined;
const SHOP_DB_URL = process.env.FLOE_SHOP_DB_URL ?? "postgres://floe:floe-local-secret@127.0.0.1:5433/shop";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `${s.length} samples: p50 ${(percentile(s, 50) / 1000).toFixed(2)} s, p99 ${(percentile(s, 99) / 1000).toFixed(2)} s, max ${(percentile(s, 100) / 1000).toFixed(2)} s`;
};

interface Marker {
  readonly key: string;
  readonly quantity: number;
  readonly committedAt: number;
}

const run = uniqueRun("benchcdc");
const schema = `raw_floe_${run.id}`;
/** The namespace the shop project reads (raw tables in the sink's schema and prefix) and builds into. */
const ns: shop.ShopNamespace = {
  topicPrefix: run.topicPrefix,
  s3Prefix: run.prefix,
  rawSchema: schema,
  targetSchema: run.id,
  sinkGroup: run.group,
};
/** The models each build of the loop runs: the inventory CDC staging model and its mart. */
const LOOP_MODELS = ["stg_db_inventory", "fct_inventory_db"];
const quiet = { event: () => {} };
const keyPrefix = `${run.id}:`;
const ids = Array.from({ length: PRODUCTS }, (_, i) => `${run.id}-${i}`);
const db = new pg.Client({ connectionString: SHOP_DB_URL });
await db.connect();
const redis = await connectTestRedis();
const controller = new AbortController();
let project: ParsedProject | undefined;

// This run's products exist before the clock starts (their inserts are not measured).
await db.query(
  `INSERT INTO inventory (product_id, quantity, low_stock_threshold, updated_at)
   SELECT id, 0, 10, now() FROM unnest($1::text[]) AS id`,
  [ids],
);

const phases: string[] = [];
const stream = runStream({
  redisUrl: testRedisUrl(),
  endpoints: endpointsFromEnv(),
  eventTopics: new Map(),
  alertsTopic: `${run.id}-alerts`,
  groupId: `${run.id}-stream`,
  keyPrefix,
  signal: controller.signal,
  topicWaitMs: 60_000,
  onEvent: (e) => {
    if (e.kind === "phase") phases.push(e.phase);
  },
});
const files: DurableFile[] = [];
const sink = runSink({
  topics: ["db.inventory"],
  dlqTopic: run.dlq,
  prefix: run.prefix,
  groupId: run.group,
  hiveSchema: schema,
  trino: testTrino,
  metricsPort: null,
  signal: controller.signal,
  ...(FLUSH_MS === undefined ? {} : { flushIntervalMs: FLUSH_MS }),
  onDurable: (f) => files.push(f),
});

try {
  // The stream replays db.inventory from its start (a new key prefix has no offsets), then runs.
  for (const until = Date.now() + 180_000; !phases.includes("running"); await sleep(100))
    if (Date.now() > until)
      throw new Error(`floe stream not running after 180 s (phases: ${phases.join(", ")})`);
  // ...and holds this run's products (their inserts) before the clock starts.
  for (
    const until = Date.now() + 120_000;
    (await redis.get(`${keyPrefix}stock:${ids.at(-1)}`)) === null;
    await sleep(200)
  )
    if (Date.now() > until) throw new Error("the stream did not show this run's products within 120 s");

  // The mart's upstream besides the inventory model, once: the events' models over empty raw tables.
  await shop.registerShopRawTables(ns, testTrino);
  const built = shop.loadShopProject(process.cwd(), ns, { shop_db: true });
  project = built;
  const upstream = shop
    .upstreamModels(built, ["fct_inventory_db", "dim_customers"])
    .filter((m) => !LOOP_MODELS.includes(m));
  // With dim_customers, which the relationships tests of fct_orders point at (a failed test would skip
  // the models downstream of it). Models only count: a test that warns leaves them built.
  const first = await shop.buildShop(built, { logger: quiet, models: upstream });
  const unbuilt = modelFailures(first);
  if (unbuilt.length > 0) throw new Error(`the mart's upstream did not build: ${unbuilt[0]}`);

  console.log(
    `cdc: ${RATE} changes/s for ${SECONDS} s in transactions of ${BATCH} on ${PRODUCTS} products; sink flush ${FLUSH_MS ?? "default (60 s)"} ms; load average ${load()}`,
  );
  const pending: Marker[] = [];
  const martPending: Marker[] = [];
  const toRedis: number[] = [];
  let writing = true;
  const poller = (async () => {
    while (writing || pending.length > 0) {
      await sleep(20);
      if (pending.length === 0) continue;
      const batch = pending.splice(0, pending.length);
      const values = await redis.mGet(batch.map((m) => `${keyPrefix}stock:${m.key}`));
      const now = Date.now();
      batch.forEach((m, i) => {
        if (Number(values[i] ?? -1) >= m.quantity) toRedis.push(now - m.committedAt);
        else if (now - m.committedAt < 120_000) pending.push(m);
      });
    }
  })();

  // commit → mart: build the two models back to back; after each, every change the mart shows is done.
  const toMart: number[] = [];
  let builds = 0;
  let failedBuilds = 0;
  const mart = shop.martRelation(built, "fct_inventory_db");
  const builder = (async () => {
    const until = () => Date.now() + (FLUSH_MS ?? 60_000) + 180_000;
    let deadline = Number.POSITIVE_INFINITY;
    while (writing || martPending.length > 0) {
      if (!writing && deadline === Number.POSITIVE_INFINITY) deadline = until();
      if (Date.now() > deadline) break;
      const build = await shop.buildShop(built, { logger: quiet, models: LOOP_MODELS });
      const end = Date.now();
      builds++;
      if (modelFailures(build).length > 0) {
        failedBuilds++;
        continue;
      }
      const { rows } = await testTrino.query<{ product_id: string; quantity: number }>(
        `SELECT product_id, quantity FROM ${mart} WHERE product_id LIKE '${run.id}-%'`,
      );
      const shown = new Map(rows.map((r) => [r.product_id, Number(r.quantity)]));
      const waiting = martPending.splice(0, martPending.length);
      for (const m of waiting) {
        if ((shown.get(m.key) ?? -1) >= m.quantity) toMart.push(end - m.committedAt);
        else martPending.push(m);
      }
    }
  })();

  let counter = 1_000;
  let changes = 0;
  let behind = 0;
  const transactions = Math.round((RATE * SECONDS) / BATCH);
  const interval = (1000 * BATCH) / RATE;
  const start = Date.now();
  for (let t = 0; t < transactions; t++) {
    const due = start + t * interval;
    if (due > Date.now()) await sleep(due - Date.now());
    else if (Date.now() - due > 1_000) behind++;
    const offset = (t * BATCH) % PRODUCTS;
    const batchIds = ids.slice(offset, offset + BATCH);
    const quantities = batchIds.map(() => ++counter);
    await db.query(
      `UPDATE inventory SET quantity = v.q, updated_at = now()
       FROM unnest($1::text[], $2::int[]) AS v(id, q) WHERE product_id = v.id`,
      [batchIds, quantities],
    );
    const marker = { key: batchIds.at(-1) as string, quantity: counter, committedAt: Date.now() };
    pending.push(marker);
    martPending.push(marker);
    changes += batchIds.length;
  }
  const wroteFor = (Date.now() - start) / 1000;
  writing = false;
  console.log(
    `wrote ${changes} changes in ${wroteFor.toFixed(1)} s (${Math.round(changes / wroteFor)}/s; ${behind} transactions > 1 s late); load average ${load()}`,
  );
  await poller;
  console.log(`commit → Redis (stock:<id>): ${summary(toRedis)} (target p99 < 10 s, goal < 2 s)`);

  // Raw: wait until Trino shows every change of this run (the topic holds everyone's changes, so the
  // sink's own counts cannot tell), at most a flush interval and two minutes.
  const table = `hive.${schema}.db_inventory`;
  const mine = `product_id LIKE '${run.id}-%' AND _op = 'u'`;
  for (const until = Date.now() + (FLUSH_MS ?? 60_000) + 120_000; Date.now() < until; await sleep(5_000)) {
    const [count] = await trinoQuery(`SELECT count(DISTINCT _lsn) FROM ${table} WHERE ${mine}`).catch(() => [
      [0],
    ]);
    if (Number(count?.[0]) >= changes) break;
  }
  const durableAt = new Map(files.map((f) => [f.key, f.durableAt]));
  const rows = await trinoQuery(
    `SELECT to_unixtime(_commit_ts) * 1000, to_unixtime(_cdc_ts) * 1000, "$path" FROM ${table} WHERE ${mine}`,
  );
  const toRaw: number[] = [];
  const toDebezium: number[] = [];
  for (const [commitMs, cdcMs, path] of rows) {
    toDebezium.push(Number(cdcMs) - Number(commitMs));
    const key = [...durableAt.keys()].find((k) => String(path).endsWith(k));
    if (key !== undefined) toRaw.push((durableAt.get(key) as number) - Number(commitMs));
  }
  console.log(`commit → Debezium (envelope ts_ms − source.ts_ms, from raw): ${summary(toDebezium)}`);
  console.log(`commit → raw file (durable): ${summary(toRaw)} of ${changes} changes`);
  await builder;
  console.log(
    `commit → mart (end of the first build of ${LOOP_MODELS.join(" + ")} showing it): ${summary(toMart)} of ${transactions} transactions; ${builds} builds (${failedBuilds} failed), ${martPending.length} changes never shown`,
  );
  console.log(`load average at end ${load()}`);
} finally {
  controller.abort();
  await Promise.allSettled([stream, sink]);
  await db.query("DELETE FROM inventory WHERE product_id LIKE $1", [`${run.id}-%`]).catch(() => {});
  await db.end();
  // This run's keys (stock:<id>, stream:offsets, ...) in the test database, found by its own prefix.
  const keys: string[] = [];
  for await (const found of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1_000 })) keys.push(...found);
  if (keys.length > 0) await redis.del(keys);
  redis.destroy();
  // The models' tables and schemas, the raw tables (events' and CDC's) and their schema.
  if (project) await shop.dropShopNamespace(ns, [project], testTrino).catch(() => {});
  await shop.deleteShopRawObjects(ns, undefined, { cdc: true }).catch(() => {});
  await testTrino.query(`DROP TABLE IF EXISTS hive.${schema}.db_inventory`).catch(() => {});
  await testTrino.query(`DROP SCHEMA IF EXISTS hive.${schema}`).catch(() => {});
}
process.exit(0);

/** The models of a build that did not succeed, one line each (a failing test leaves the mart built). */
function modelFailures(build: RunTaskResult): string[] {
  return build.results
    .filter((r) => r.resourceType === "model" && r.status !== "success")
    .map((r) => `${r.displayName}: ${r.status} ${r.message}`);
}
