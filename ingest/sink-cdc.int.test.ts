import { describe, expect, it } from "vitest";
import { cdcTopicName, shopCdcTopics } from "./cdc/cdc-topics.js";
import { endpointsFromEnv, kafkaClient } from "./endpoints.js";
import {
  readDlq,
  sinkTargets,
  TEST_SCHEMA,
  tableOf,
  testTrino,
  trinoQuery,
  uniqueRun,
} from "./int-helpers.js";
import { DEFAULT_RAW_TARGET, registerRawTables } from "./raw-tables.js";
import { runSink, type SinkEvent } from "./sink.js";

/**
 * Debezium-shaped messages (shared14.md: JsonConverter without schemas, numeric as string, timestamptz as
 * ISO) on a run's own `<prefix>db.<table>` topics, through the sink, read back from Trino: the row image's
 * columns, the envelope's, a column added mid-stream (older rows NULL), a delete keyed by its before image.
 */

const COMMIT = Date.parse("2026-12-01T09:00:00Z");

interface Change {
  readonly op: "r" | "c" | "u" | "d";
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
  readonly lsn: number;
  readonly at?: number;
}

function debezium(table: string, change: Change) {
  const commit = change.at ?? COMMIT + change.lsn * 1_000;
  return {
    before: change.before ?? null,
    after: change.after ?? null,
    source: {
      version: "3.6.1.Final",
      connector: "postgresql",
      name: "db",
      ts_ms: commit,
      snapshot: change.op === "r" ? "true" : "false",
      db: "shop",
      schema: "public",
      table,
      txId: 700 + change.lsn,
      lsn: 26_000_000 + change.lsn,
    },
    transaction: null,
    op: change.op,
    ts_ms: commit + 250,
  };
}

async function produce(topic: string, values: readonly (object | string)[]): Promise<void> {
  const producer = kafkaClient(endpointsFromEnv(), "floe-test").producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: values.map((v) => ({
        key: typeof v === "string" ? null : JSON.stringify({ product_id: "x" }),
        value: typeof v === "string" ? v : JSON.stringify(v),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

async function createTopics(topics: readonly string[]): Promise<void> {
  const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

const product = (id: string, price: string, extra: Record<string, unknown> = {}) => ({
  product_id: id,
  name: `Lamp ${id}`,
  category: "home",
  price,
  is_active: true,
  updated_at: "2026-12-01T09:00:00.000000Z",
  ...extra,
});

describe("floe ingest sink: Debezium CDC topics → hive raw tables", () => {
  it("lands changes with their envelope, gains a new column mid-stream and keys deletes", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("cdc");
    const topic = cdcTopicName(run.topicPrefix, "products");
    await createTopics([topic]);
    const { trino, ...targets } = sinkTargets(run);
    const sink = (register: boolean) =>
      runSink({
        ...targets,
        topics: [topic],
        ...(register ? { trino } : {}),
        untilIdle: true,
        idleMs: 2_000,
        metricsPort: null,
      });

    await produce(topic, [
      debezium("products", { op: "r", after: product("p-1", "10.00"), lsn: 1 }),
      debezium("products", { op: "c", after: product("p-2", "20.00"), lsn: 2 }),
      debezium("products", {
        op: "u",
        before: product("p-1", "10.00"),
        after: product("p-1", "12.50"),
        lsn: 3,
      }),
    ]);
    const first = await sink(true);
    expect(first).toMatchObject({ records: 3, dlq: 0 });

    // `ALTER TABLE products ADD COLUMN color text`, then a delete, and a message that is no change. The
    // sink runs without registering (as after a crash between the file's upload and the ALTER)...
    await produce(topic, [
      debezium("products", {
        op: "u",
        before: product("p-2", "20.00", { color: null }),
        after: product("p-2", "20.00", { color: "red" }),
        lsn: 4,
      }),
      debezium("products", { op: "d", before: product("p-1", "12.50", { color: null }), lsn: 5 }),
      '{"op":"c","after":{"product_id":"p-9"}}',
    ]);
    const second = await sink(false);
    expect(second).toMatchObject({ records: 2, dlq: 1 });
    const table = tableOf(topic);
    const columnsOf = async () =>
      (await trinoQuery(`SHOW COLUMNS FROM ${table}`)).map((row) => String(row[0]));
    expect(await columnsOf()).not.toContain("color");

    // ...and the next run, with nothing new to read, finds the column from its marker and adds it.
    const third = await sink(true);
    expect(third).toMatchObject({ records: 0, dlq: 0 });
    expect(await columnsOf()).toEqual([
      "product_id",
      "name",
      "category",
      "price",
      "is_active",
      "updated_at",
      "_op",
      "_before",
      "_lsn",
      "_tx_id",
      "_commit_ts",
      "_cdc_ts",
      "_snapshot",
      "_kafka_partition",
      "_kafka_offset",
      "_ingested_at",
      "color",
      "event_date",
    ]);

    const rows = await trinoQuery(
      `SELECT product_id, price, is_active, color, _op, _lsn, _tx_id, _snapshot, ` +
        `CAST(_commit_ts AS varchar), CAST(_cdc_ts AS varchar), event_date, _kafka_offset, _before IS NULL ` +
        `FROM ${table} ORDER BY _lsn, _kafka_offset`,
    );
    expect(rows).toEqual([
      [
        "p-1",
        "10.00",
        "true",
        null,
        "r",
        26_000_001,
        701,
        true,
        "2026-12-01 09:00:01.000",
        "2026-12-01 09:00:01.250",
        "2026-12-01",
        0,
        true,
      ],
      [
        "p-2",
        "20.00",
        "true",
        null,
        "c",
        26_000_002,
        702,
        false,
        "2026-12-01 09:00:02.000",
        "2026-12-01 09:00:02.250",
        "2026-12-01",
        1,
        true,
      ],
      [
        "p-1",
        "12.50",
        "true",
        null,
        "u",
        26_000_003,
        703,
        false,
        "2026-12-01 09:00:03.000",
        "2026-12-01 09:00:03.250",
        "2026-12-01",
        2,
        false,
      ],
      [
        "p-2",
        "20.00",
        "true",
        "red",
        "u",
        26_000_004,
        704,
        false,
        "2026-12-01 09:00:04.000",
        "2026-12-01 09:00:04.250",
        "2026-12-01",
        3,
        false,
      ],
      [
        "p-1",
        "12.50",
        "true",
        null,
        "d",
        26_000_005,
        705,
        false,
        "2026-12-01 09:00:05.000",
        "2026-12-01 09:00:05.250",
        "2026-12-01",
        4,
        false,
      ],
    ]);
    const [[before]] = (await trinoQuery(
      `SELECT json_extract_scalar(_before, '$.price') FROM ${table} WHERE _op = 'd'`,
    )) as [[string]];
    expect(before).toBe("12.50");

    const dlq = await readDlq(run.dlq);
    expect(dlq.map((h) => [h.source_topic, h.source_offset])).toEqual([[topic, "5"]]);
    expect(dlq[0]?.error).toMatch(/^Debezium envelope: source: required/);
  });

  it("registers the shop's raw CDC tables empty, with their columns, before any change exists", async () => {
    const run = uniqueRun("cdcempty");
    const target = { ...DEFAULT_RAW_TARGET, prefix: run.prefix, schema: TEST_SCHEMA };
    const topics = shopCdcTopics(run.topicPrefix);
    const tables = await registerRawTables(testTrino, target, topics);
    expect(tables).toEqual(topics.map((t) => tableOf(t)));
    const orders = tableOf(cdcTopicName(run.topicPrefix, "orders"));
    expect(await trinoQuery(`SELECT count(*), count(order_id), count(_lsn) FROM ${orders}`)).toEqual([
      [0, 0, 0],
    ]);
    const items = tableOf(cdcTopicName(run.topicPrefix, "order_items"));
    const columns = (await trinoQuery(`SHOW COLUMNS FROM ${items}`)).map((row) => String(row[0]));
    expect(columns.slice(0, 5)).toEqual([
      "order_item_id",
      "order_id",
      "product_id",
      "quantity",
      "unit_price",
    ]);
  });

  it("consumes a CDC topic created after it started (Debezium's first change to a table)", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("cdclate");
    const events = run.topics[2] as string; // a required topic: the run's orders events
    const changes = cdcTopicName(run.topicPrefix, "orders");
    await createTopics([events]);
    const controller = new AbortController();
    const seen: SinkEvent[] = [];
    let started = () => {};
    const startedOnce = new Promise<void>((resolve) => {
      started = resolve;
    });
    const sink = runSink({
      ...sinkTargets(run),
      topics: [events],
      optionalTopics: [changes],
      flushIntervalMs: 1_000,
      metricsPort: null,
      signal: controller.signal,
      onEvent: (e) => {
        seen.push(e);
        if (e.kind === "started") started();
        if (e.kind === "file" && e.file.topic === changes) controller.abort();
      },
    });
    await startedOnce;
    // Registered at start, empty, so models reading it build before Debezium ever ran.
    expect(await trinoQuery(`SELECT count(*) FROM ${tableOf(changes)}`)).toEqual([[0]]);

    await createTopics([changes]);
    const order = (id: string, status: string) => ({
      order_id: id,
      user_id: "u-1",
      status,
      amount: "30.00",
      currency: "EUR",
      country: "DE",
      created_at: "2026-12-01T09:00:00Z",
      updated_at: "2026-12-01T09:00:00Z",
    });
    await produce(changes, [
      debezium("orders", { op: "c", after: order("o-1", "created"), lsn: 1 }),
      debezium("orders", { op: "u", before: order("o-1", "created"), after: order("o-1", "paid"), lsn: 2 }),
    ]);
    const summary = await sink;
    expect(seen.filter((e) => e.kind === "subscribed")).toEqual([{ kind: "subscribed", topics: [changes] }]);
    expect(summary).toMatchObject({ records: 2, dlq: 0 });
    expect(
      await trinoQuery(`SELECT order_id, status, _op FROM ${tableOf(changes)} ORDER BY _lsn, _kafka_offset`),
    ).toEqual([
      ["o-1", "created", "c"],
      ["o-1", "paid", "u"],
    ]);
  });
});
