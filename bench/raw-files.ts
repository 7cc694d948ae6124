/**
 * `npm run bench:raw-files`: what many small raw files cost a staging read (README "Raw layer files").
 *
 * The sink writes one file per raw partition (event_date, event_type) per Kafka partition per flush, so a
 * day's partition collects files all day (1,440 one-minute flushes per Kafka partition). This bench lands
 * BENCH_EVENTS shop events of one day through the real sink (few files: it drains a backlog in big
 * batches), deals the same rows into small files (DuckDB) so that the largest partition holds
 * BENCH_SPLIT_FILES of them (default 1,000), registers them as a second raw table, and runs two typical
 * staging reads on both, alternating, BENCH_RUNS times: the staging models' dedup over a day (row_number
 * per event_id) and one partition's aggregate.
 * It prints Trino's elapsed and CPU time per query (from the protocol's final stats), files per table
 * and the machine's load, then drops what it made.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { endpointsFromEnv, trinoSettings } from "../ingest/connection-settings.js";
import { s3Client } from "../ingest/endpoints.js";
import { sinkTargets, TEST_SCHEMA, testShop, trinoQuery, uniqueRun } from "../ingest/int-helpers.js";
import { defaultTopicNames, publishShop, topicName } from "../ingest/producer.js";
import {
  createTableSql,
  DEFAULT_RAW_TARGET,
  dropTableSql,
  syncPartitionsSql,
  tableNameOf,
} from "../ingest/raw-tables.js";
import { runSink } from "../ingest/sink.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 120_000);
const SPLIT_FILES = Number(process.env.BENCH_SPLIT_FILES ?? 1_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

interface Stats {
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly rows: unknown[][];
}

/** One query over Trino's HTTP protocol, keeping the final stats (the client keeps no CPU time). */
async function timed(sql: string): Promise<Stats> {
  const trino = trinoSettings(process.env);
  const headers = { "X-Trino-User": trino.user, "X-Trino-Source": "floe-bench-raw-files" };
  let page = (await (
    await fetch(`http://${trino.host}:${trino.port}/v1/statement`, { method: "POST", headers, body: sql })
  ).json()) as {
    nextUri?: string;
    data?: unknown[][];
    error?: { message: string };
    stats: { elapsedTimeMillis: number; cpuTimeMillis: number };
  };
  const rows: unknown[][] = [];
  for (;;) {
    if (page.data) rows.push(...page.data);
    if (page.error) throw new Error(`${page.error.message}\n${sql}`);
    if (!page.nextUri) break;
    page = (await (await fetch(page.nextUri, { headers })).json()) as typeof page;
  }
  return { elapsedMs: page.stats.elapsedTimeMillis, cpuMs: page.stats.cpuTimeMillis, rows };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const run = uniqueRun("rawfiles");
const topic = topicName(defaultTopicNames(run.topicPrefix), "user-events");
const splitTopic = `${topic}-split`;
const target = { ...DEFAULT_RAW_TARGET, prefix: run.prefix, schema: TEST_SCHEMA };
const few = `hive.${TEST_SCHEMA}.${tableNameOf(topic)}`;
const many = `hive.${TEST_SCHEMA}.${tableNameOf(splitTopic)}`;
const endpoints = endpointsFromEnv();
const s3 = s3Client(endpoints);
console.log(`load average at start ${load()}`);
const ledger = await publishShop({ ...testShop(EVENTS, 5, 1), topics: defaultTopicNames(run.topicPrefix) });
const summary = await runSink({
  ...sinkTargets(run),
  topics: [topic],
  untilIdle: true,
  idleMs: 2_000,
  metricsPort: null,
});
console.log(
  `sink: ${summary.records} user-events rows (of ${ledger.messages.valid} published) in ${summary.files} files`,
);

// The same rows split into small files, as a day of one-minute flushes leaves them: each partition's rows
// dealt round-robin into files so that the largest partition holds SPLIT_FILES of them.
const work = mkdtempSync(join(tmpdir(), "floe-bench-raw-"));
mkdirSync(join(work, "in"));
const keys = await listKeys(`${run.prefix}${topic}/`);
const byPartition = new Map<string, string[]>();
for (const key of keys) {
  const partition = key.slice(`${run.prefix}${topic}/`.length, key.lastIndexOf("/"));
  const local = join(work, "in", key.replace(/[/=]/g, "_"));
  const body = await s3.send(new GetObjectCommand({ Bucket: endpoints.bucket, Key: key }));
  writeFileSync(
    local,
    await (body.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    {
      flag: "w",
    },
  );
  byPartition.set(partition, [...(byPartition.get(partition) ?? []), local]);
}
const duck = await (await DuckDBInstance.create(":memory:")).connect();
const counts = new Map<string, number>();
for (const [partition, files] of byPartition) {
  const list = files.map((f) => `'${f}'`).join(", ");
  const reader = await duck.runAndReadAll(`SELECT count(*) FROM read_parquet([${list}])`);
  counts.set(partition, Number(reader.getRows()[0]?.[0]));
}
const rowsPerFile = Math.max(1, Math.ceil(Math.max(...counts.values()) / SPLIT_FILES));
let uploads: Promise<unknown>[] = [];
let splitFiles = 0;
for (const [partition, files] of byPartition) {
  const list = files.map((f) => `'${f}'`).join(", ");
  await duck.run(
    `CREATE OR REPLACE TABLE part AS SELECT *, row_number() OVER () AS rn FROM read_parquet([${list}])`,
  );
  const pieces = Math.ceil((counts.get(partition) ?? 0) / rowsPerFile);
  for (let i = 0; i < pieces; i++) {
    const out = join(work, `piece-${splitFiles}.parquet`);
    await duck.run(
      `COPY (SELECT * EXCLUDE (rn) FROM part WHERE rn % ${pieces} = ${i}) TO '${out}' (FORMAT parquet)`,
    );
    const key = `${run.prefix}${splitTopic}/${partition}/piece-${i}.parquet`;
    uploads.push(
      s3.send(new PutObjectCommand({ Bucket: endpoints.bucket, Key: key, Body: readFileSync(out) })),
    );
    splitFiles++;
    if (uploads.length >= 16) {
      await Promise.all(uploads);
      uploads = [];
    }
  }
}
await Promise.all(uploads);
rmSync(work, { recursive: true, force: true });
await trinoQuery(createTableSql(target, splitTopic, "user-events"));
await trinoQuery(syncPartitionsSql(target, splitTopic));
for (const table of [few, many]) {
  const [[files, partitions, maxFiles, rows]] = (await trinoQuery(
    `SELECT sum(n), count(*), max(n), sum(r) FROM (SELECT event_date, event_type, count(distinct "$path") AS n, count(*) AS r FROM ${table} GROUP BY 1, 2)`,
  )) as [[number, number, number, number]];
  console.log(
    `${table}: ${rows} rows in ${files} files, ${partitions} partitions (the largest holds ${maxFiles} files)`,
  );
}
const [[day, biggest]] = (await trinoQuery(
  `SELECT event_date, event_type FROM ${few} GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1`,
)) as [[string, string]];

const queries = {
  "staging dedup over the day": (t: string) =>
    `SELECT count(*), count(distinct user_id), round(sum(price), 2) FROM (SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY _ingested_at, _kafka_partition, _kafka_offset) AS rn FROM ${t} WHERE event_date = '${day}') WHERE rn = 1`,
  "one partition's aggregate": (t: string) =>
    `SELECT device, count(*), count(distinct session_id) FROM ${t} WHERE event_date = '${day}' AND event_type = '${biggest}' GROUP BY 1 ORDER BY 1`,
};
for (const [name, sql] of Object.entries(queries)) {
  const results: Record<string, Stats[]> = { [`${SPLIT_FILES} small files`]: [], "the sink's files": [] };
  await timed(sql(many)); // warm the metastore and file caches once, as a running pipeline has them
  await timed(sql(few));
  for (let i = 0; i < RUNS; i++) {
    results[`${SPLIT_FILES} small files`]?.push(await timed(sql(many)));
    results["the sink's files"]?.push(await timed(sql(few)));
  }
  const rowsOf = (layout: Stats[] | undefined) => JSON.stringify(layout?.[0]?.rows);
  const same = rowsOf(Object.values(results)[0]) === rowsOf(Object.values(results)[1]);
  for (const [layout, stats] of Object.entries(results)) {
    console.log(
      `${name} (${layout}): median ${median(stats.map((s) => s.elapsedMs))} ms elapsed, ` +
        `${median(stats.map((s) => s.cpuMs))} ms Trino CPU over ${stats.length} runs${same ? "" : " (RESULTS DIFFER)"}`,
    );
  }
}
console.log(`load average at end ${load()}`);

await trinoQuery(dropTableSql(target, splitTopic));
await trinoQuery(dropTableSql(target, topic));
for (const key of await listKeys(run.prefix)) {
  await s3.send(new DeleteObjectsCommand({ Bucket: endpoints.bucket, Delete: { Objects: [{ Key: key }] } }));
}
process.exit(0);

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: endpoints.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(listed.Contents ?? []).map((o) => o.Key as string));
    token = listed.NextContinuationToken;
  } while (token);
  return keys;
}
