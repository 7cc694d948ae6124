import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Kafka, logLevel } from "kafkajs";
// parquetjs-lite ships no types; the smoke test only needs its writer.
// @ts-expect-error -- untyped CommonJS module
import parquet from "parquetjs-lite";
import { afterAll, describe, expect, it } from "vitest";
import { localS3, localTrino, uniqueName } from "../testing/local-stack.js";
import { PORTS, WAREHOUSE_BUCKET } from "./services.js";

/** The stack issue's proof: each engine the lakehouse stands on works through the real services. */
describe("local lakehouse stack", () => {
  const trino = localTrino();
  const schema = uniqueName("smoke");

  afterAll(async () => {
    await trino.query(`DROP TABLE IF EXISTS iceberg.${schema}.events`).catch(() => {});
    await trino.query(`DROP SCHEMA IF EXISTS iceberg.${schema}`).catch(() => {});
  });

  it("runs Iceberg DDL, INSERT, MERGE, SELECT and optimize on a partitioned table", async () => {
    await trino.query(`CREATE SCHEMA iceberg.${schema} WITH (location = 's3://warehouse/${schema}')`);
    await trino.query(
      `CREATE TABLE iceberg.${schema}.events (id bigint, kind varchar, ts timestamp(6))
       WITH (partitioning = ARRAY['day(ts)'], sorted_by = ARRAY['id'])`,
    );
    const inserted = await trino.query(
      `INSERT INTO iceberg.${schema}.events VALUES
         (1, 'view', TIMESTAMP '2026-11-01 10:00:00'), (2, 'view', TIMESTAMP '2026-11-01 11:00:00'),
         (3, 'cart', TIMESTAMP '2026-11-02 09:30:00')`,
    );
    expect(inserted.updateCount).toBe(3);
    const merged = await trino.query(
      `MERGE INTO iceberg.${schema}.events t
       USING (VALUES (2, 'purchase', TIMESTAMP '2026-11-01 11:00:00'), (4, 'view', TIMESTAMP '2026-11-03 08:00:00'))
             AS s(id, kind, ts)
       ON t.id = s.id
       WHEN MATCHED THEN UPDATE SET kind = s.kind
       WHEN NOT MATCHED THEN INSERT (id, kind, ts) VALUES (s.id, s.kind, s.ts)`,
    );
    expect(merged.updateCount).toBe(2);
    await trino.query(`ALTER TABLE iceberg.${schema}.events EXECUTE optimize`);
    const rows = await trino.query<{ id: number; kind: string }>(
      `SELECT id, kind FROM iceberg.${schema}.events ORDER BY id`,
    );
    expect(rows.rows).toEqual([
      { id: 1, kind: "view" },
      { id: 2, kind: "purchase" },
      { id: 3, kind: "cart" },
      { id: 4, kind: "view" },
    ]);
    const partitions = await trino.query<{ n: number }>(
      `SELECT count(*) AS n FROM iceberg.${schema}."events$partitions"`,
    );
    expect(partitions.rows[0]?.n).toBe(3);
    const ddl = await trino.query<{ "Create Table": string }>(`SHOW CREATE TABLE iceberg.${schema}.events`);
    expect(ddl.rows[0]?.["Create Table"]).toContain("partitioning = ARRAY['day(ts)']");
  });

  it("accepts concurrent commits through the REST catalog (parallel schemas and tables)", async () => {
    // The catalog keeps its state in one SQLite file: without WAL, a busy timeout and a single pooled
    // connection, parallel commits failed with SQLITE_BUSY and left the catalog locked.
    const names = Array.from({ length: 8 }, (_, i) => `${schema}_p${i}`);
    await Promise.all(
      names.map((n) => trino.query(`CREATE SCHEMA iceberg.${n} WITH (location = 's3://warehouse/${n}')`)),
    );
    await Promise.all(names.map((n, i) => trino.query(`CREATE TABLE iceberg.${n}.t AS SELECT ${i} AS x`)));
    const sums = await Promise.all(
      names.map((n) => trino.query<{ x: number }>(`SELECT x FROM iceberg.${n}.t`)),
    );
    expect(sums.map((r) => r.rows[0]?.x)).toEqual(names.map((_, i) => i));
    await Promise.all(names.map((n) => trino.query(`DROP TABLE iceberg.${n}.t`)));
    await Promise.all(names.map((n) => trino.query(`DROP SCHEMA iceberg.${n}`)));
  });

  it("reads a Parquet file uploaded with @aws-sdk/client-s3 through a hive external table", async () => {
    const prefix = `smoke-raw/${uniqueName("parquet")}`;
    const dir = mkdtempSync(join(tmpdir(), "floe-parquet-"));
    const file = join(dir, "part-0.parquet");
    const writer = await parquet.ParquetWriter.openFile(
      new parquet.ParquetSchema({
        event_id: { type: "UTF8" },
        amount: { type: "DOUBLE" },
        quantity: { type: "INT64" },
      }),
      file,
    );
    await writer.appendRow({ event_id: "e1", amount: 12.5, quantity: 2 });
    await writer.appendRow({ event_id: "e2", amount: 7.25, quantity: 1 });
    await writer.close();
    await localS3().send(
      new PutObjectCommand({
        Bucket: WAREHOUSE_BUCKET,
        Key: `${prefix}/part-0.parquet`,
        Body: readFileSync(file),
      }),
    );

    const hiveSchema = uniqueName("smoke_hive");
    await trino.query(
      `CREATE SCHEMA hive.${hiveSchema} WITH (location = 's3://warehouse/hive/${hiveSchema}')`,
    );
    try {
      await trino.query(
        `CREATE TABLE hive.${hiveSchema}.raw (event_id varchar, amount double, quantity bigint)
         WITH (external_location = 's3://warehouse/${prefix}', format = 'PARQUET')`,
      );
      const result = await trino.query<{ n: number; total: number; qty: number }>(
        `SELECT count(*) AS n, sum(amount) AS total, sum(quantity) AS qty FROM hive.${hiveSchema}.raw`,
      );
      expect(result.rows[0]).toEqual({ n: 2, total: 19.75, qty: 3 });
    } finally {
      await trino.query(`DROP TABLE IF EXISTS hive.${hiveSchema}.raw`).catch(() => {});
      await trino.query(`DROP SCHEMA IF EXISTS hive.${hiveSchema}`).catch(() => {});
    }
  });

  it("round-trips messages through Kafka on a new topic", async () => {
    const kafka = new Kafka({
      clientId: "floe-smoke",
      brokers: [`127.0.0.1:${PORTS.kafka}`],
      logLevel: logLevel.NOTHING,
    });
    const topic = uniqueName("smoke-topic");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }) }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName("smoke-group") });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received.length} of 20`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push((JSON.parse(message.value!.toString()) as { i: number }).i);
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(received.sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
  });
});
