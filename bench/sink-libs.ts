/**
 * `npm run bench:sink-libs`: the library choice for the sink, measured on this machine with the stack
 * running. Parquet writers (hyparquet-writer, parquetjs-lite, @duckdb/node-api) encode the same raw
 * user-events rows; Kafka consumers (kafkajs, @platformatic/kafka 1.x) read the same pre-loaded topic.
 * Every writer's file is uploaded and read back through Trino's Hive connector (timestamps, attributes).
 * Sizes: BENCH_ROWS (default 100,000) rows, BENCH_MESSAGES (default 300,000) messages.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { DuckDBInstance, mapValue, timestampTZValue } from "@duckdb/node-api";
import { Consumer as PlatformaticConsumer, stringDeserializers } from "@platformatic/kafka";
// @ts-expect-error parquetjs-lite ships no types
import parquet from "parquetjs-lite";
import { parseEvent } from "../ingest/contracts.js";
import { endpointsFromEnv, kafkaClient, s3Client } from "../ingest/endpoints.js";
import { generateShop } from "../ingest/generator.js";
import { TEST_SCHEMA, trinoQuery, uniqueRun } from "../ingest/int-helpers.js";
import { encodeParquet } from "../ingest/parquet-file.js";
import { defaultTopicNames, publishShop } from "../ingest/producer.js";
import { RAW_COLUMNS, type RawRow, toRawRow } from "../ingest/raw-schema.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300_000);
const FILE_ROWS = 25_000;
const columns = RAW_COLUMNS["user-events"];

function rawRows(): RawRow[] {
  const rows: RawRow[] = [];
  let offset = 0n;
  for (const m of generateShop({ events: ROWS * 2, seed: 9 }).messages) {
    if (m.kind !== "user-events" || !m.event) continue;
    const parsed = parseEvent("user-events", { ...m.event, color: "red" });
    if (!parsed.ok) continue;
    rows.push(toRawRow(parsed.event, { partition: 0, offset: offset++, ingestedAt: new Date() }));
    if (rows.length >= ROWS) break;
  }
  return rows;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

type Writer = (rows: RawRow[], dir: string, i: number) => Promise<Uint8Array>;

const hyparquet: Writer = async (rows) => encodeParquet({ columns, rows });

const lite: Writer = async (rows, dir, i) => {
  // parquetjs-lite has no MAP type: attributes must become a JSON string column.
  const fields: Record<string, unknown> = {};
  for (const c of columns) {
    const type =
      c.type === "int"
        ? "INT32"
        : c.type === "bigint"
          ? "INT64"
          : c.type === "double"
            ? "DOUBLE"
            : c.type === "timestamp"
              ? "TIMESTAMP_MILLIS"
              : c.type === "boolean"
                ? "BOOLEAN"
                : "UTF8";
    fields[c.name] = { type, optional: true, compression: "SNAPPY" };
  }
  const schema = new parquet.ParquetSchema(fields);
  const file = join(dir, `lite-${i}.parquet`);
  const writer = await parquet.ParquetWriter.openFile(schema, file);
  for (const row of rows) {
    const out: Record<string, unknown> = {};
    for (const c of columns) {
      const v = row[c.name];
      if (v === null || v === undefined) continue;
      out[c.name] = c.type === "map" ? JSON.stringify(v) : c.type === "bigint" ? Number(v) : v;
    }
    await writer.appendRow(out);
  }
  await writer.close();
  return readFileSync(file);
};

const duckType: Record<string, string> = {
  string: "VARCHAR",
  int: "INTEGER",
  bigint: "BIGINT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMPTZ",
  map: "MAP(VARCHAR, VARCHAR)",
};

async function duckdbWriter(): Promise<Writer> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return async (rows, dir, i) => {
    const table = `t${i}`;
    await connection.run(
      `CREATE TABLE ${table} (${columns.map((c) => `"${c.name}" ${duckType[c.type]}`).join(", ")})`,
    );
    const appender = await connection.createAppender(table);
    for (const row of rows) {
      for (const c of columns) {
        const v = row[c.name];
        if (v === null || v === undefined) appender.appendNull();
        else if (c.type === "string") appender.appendVarchar(String(v));
        else if (c.type === "int") appender.appendInteger(Number(v));
        else if (c.type === "bigint") appender.appendBigInt(BigInt(v as bigint));
        else if (c.type === "double") appender.appendDouble(Number(v));
        else if (c.type === "boolean") appender.appendBoolean(Boolean(v));
        else if (c.type === "timestamp")
          appender.appendTimestampTZ(timestampTZValue(BigInt((v as Date).getTime()) * 1000n));
        else
          appender.appendMap(
            mapValue(Object.entries(v as Record<string, string>).map(([key, value]) => ({ key, value }))),
          );
      }
      appender.endRow();
    }
    appender.closeSync();
    const file = join(dir, `duck-${i}.parquet`);
    await connection.run(`COPY ${table} TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    await connection.run(`DROP TABLE ${table}`);
    return readFileSync(file);
  };
}

async function benchWriters(rows: RawRow[], runId: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "floe-bench-"));
  const s3 = s3Client(endpointsFromEnv());
  const writers: [string, Writer][] = [
    ["hyparquet-writer 0.17.0", hyparquet],
    ["parquetjs-lite 0.8.7", lite],
    ["@duckdb/node-api 1.5.6 (appender + COPY)", await duckdbWriter()],
  ];
  console.log(`\nParquet writers: ${rows.length} user-events rows in files of ${FILE_ROWS} (snappy)`);
  for (const [name, write] of writers) {
    const parts = chunks(rows, FILE_ROWS);
    await write(parts[0] ?? [], dir, 999); // warm-up
    let bytes = 0;
    const files: Uint8Array[] = [];
    const { ms } = await time(async () => {
      for (const [i, part] of parts.entries()) {
        const file = await write(part, dir, i);
        bytes += file.length;
        files.push(file);
      }
    });
    let readBack = "not checked";
    try {
      const slug = name.split(" ")[0]?.replace(/[^a-z]/gi, "") ?? "w";
      const location = `bench-libs/${runId}/${slug}`;
      await s3.send(
        new PutObjectCommand({ Bucket: "warehouse", Key: `${location}/f.parquet`, Body: files[0] }),
      );
      const attrType = name.startsWith("parquetjs") ? "varchar" : "map(varchar, varchar)";
      const table = `hive.${TEST_SCHEMA}.bench_${runId}_${slug}`.toLowerCase();
      await trinoQuery(`CREATE SCHEMA IF NOT EXISTS hive.${TEST_SCHEMA}`);
      await trinoQuery(
        `CREATE TABLE ${table} (event_id varchar, event_time timestamp(3), _kafka_offset bigint, attributes ${attrType}) ` +
          `WITH (external_location = 's3://warehouse/${location}', format = 'PARQUET')`,
      );
      const [row] = await trinoQuery(
        `SELECT count(*), CAST(min(event_time) AS varchar), max(_kafka_offset), CAST(max(attributes${attrType === "varchar" ? "" : "['color']"}) AS varchar) FROM ${table}`,
      );
      const expectedMin = new Date(Math.min(...(parts[0] ?? []).map((r) => (r.event_time as Date).getTime())))
        .toISOString()
        .replace("T", " ")
        .replace("Z", "");
      readBack = `Trino: ${JSON.stringify(row)} (expected min event_time ${expectedMin})`;
      await trinoQuery(`DROP TABLE ${table}`);
    } catch (error) {
      readBack = `Trino read FAILED: ${(error as Error).message.slice(0, 200)}`;
    }
    console.log(
      `  ${name.padEnd(42)} ${Math.round((rows.length / ms) * 1000)
        .toLocaleString("en-US")
        .padStart(9)} rows/s  ${(bytes / 1024 / 1024).toFixed(1).padStart(5)} MiB  ${readBack}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

async function benchConsumers(topics: string[], total: number, runId: string): Promise<void> {
  console.log(`\nKafka consumers: ${total.toLocaleString("en-US")} messages from ${topics.length} topics`);
  const endpoints = endpointsFromEnv();
  {
    const consumer = kafkaClient(endpoints, "bench").consumer({
      groupId: `${runId}-kafkajs`,
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
    });
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    let n = 0;
    let bytes = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) bytes += m.value?.length ?? 0;
          n += batch.messages.length;
          if (n >= total) resolve();
        },
      });
    });
    const ms = performance.now() - t0;
    await consumer.disconnect();
    console.log(
      `  kafkajs 2.2.4 (eachBatch)                  ${Math.round((n / ms) * 1000)
        .toLocaleString("en-US")
        .padStart(9)} msgs/s  (${(bytes / 1e6).toFixed(0)} MB incl. group join)`,
    );
  }
  {
    const consumer = new PlatformaticConsumer({
      groupId: `${runId}-platformatic`,
      clientId: "bench",
      bootstrapBrokers: [...endpoints.brokers],
      deserializers: stringDeserializers,
      maxBytes: 32 * 1024 * 1024,
    });
    let n = 0;
    let bytes = 0;
    const t0 = performance.now();
    const stream = await consumer.consume({
      topics,
      mode: "earliest",
      autocommit: false,
      sessionTimeout: 10_000,
    });
    for await (const message of stream) {
      bytes += message.value?.length ?? 0;
      if (++n >= total) break;
    }
    const ms = performance.now() - t0;
    await stream.close();
    await consumer.close(true);
    console.log(
      `  @platformatic/kafka 1.35.0 (stream)        ${Math.round((n / ms) * 1000)
        .toLocaleString("en-US")
        .padStart(9)} msgs/s  (${(bytes / 1e6).toFixed(0)} MB incl. group join)`,
    );
  }
}

async function main(): Promise<void> {
  const run = uniqueRun("libs");
  const rows = rawRows();
  await benchWriters(rows, run.id);
  const ledger = await publishShop({
    events: MESSAGES,
    seed: 11,
    topics: defaultTopicNames(run.topicPrefix),
  });
  await benchConsumers(run.topics, ledger.messages.total, run.id);
  process.exit(0);
}

await main();
