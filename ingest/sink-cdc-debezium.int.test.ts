import pg from "pg";
import { describe, expect, it } from "vitest";
import { endpointsFromEnv, kafkaClient } from "./endpoints.js";
import { testTrino, trinoQuery, uniqueRun } from "./int-helpers.js";
import { runSink } from "./sink.js";

/**
 * The real path: an INSERT, an UPDATE and a DELETE in the shop's PostgreSQL, captured by the stack's
 * Debezium connector (`shop-cdc`) into `db.products`, landed by the sink in a run's own Hive schema and read
 * back from Trino. Needs the stack's shop database and Kafka Connect (`floe stack up`): without them it fails.
 */

const SHOP_DB_URL = process.env.FLOE_SHOP_DB_URL ?? "postgres://floe:floe-local-secret@127.0.0.1:5433/shop";
const TOPIC = "db.products";

async function highWatermark(topic: string): Promise<number> {
  const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe("shop PostgreSQL → Debezium → sink → hive raw", () => {
  it("lands a real insert, update and delete with their envelope", { timeout: 300_000 }, async () => {
    const run = uniqueRun("cdcpg");
    const schema = `raw_floe_${run.id}`;
    const id = `p-${run.id}`;
    const db = new pg.Client({ connectionString: SHOP_DB_URL });
    await db.connect();
    const controller = new AbortController();
    let sink: Promise<unknown> | undefined;
    try {
      const before = await highWatermark(TOPIC);
      await db.query(
        "INSERT INTO products (product_id, name, category, price, is_active, updated_at) VALUES ($1, 'Lamp', 'home', 12.50, true, now())",
        [id],
      );
      await db.query("UPDATE products SET price = 14.00, updated_at = now() WHERE product_id = $1", [id]);
      await db.query("DELETE FROM products WHERE product_id = $1", [id]);
      // Debezium streams within a second or two; the sink then reads the topic from its start.
      const deadline = Date.now() + 60_000;
      while ((await highWatermark(TOPIC)) < before + 3) {
        if (Date.now() > deadline) throw new Error(`Debezium published nothing to ${TOPIC} within 60 s`);
        await new Promise((r) => setTimeout(r, 500));
      }

      sink = runSink({
        topics: [TOPIC],
        dlqTopic: run.dlq,
        prefix: run.prefix,
        groupId: run.group,
        hiveSchema: schema,
        trino: testTrino,
        flushIntervalMs: 1_000,
        metricsPort: null,
        signal: controller.signal,
      });
      const table = `hive.${schema}.db_products`;
      const query =
        "SELECT _op, price, name, json_extract_scalar(_before, '$.price'), _snapshot, _lsn > 0, " +
        `event_date = CAST(CAST(_commit_ts AS date) AS varchar) FROM ${table} WHERE product_id = '${id}' ORDER BY _lsn, _kafka_offset`;
      let rows: unknown[][] = [];
      for (const until = Date.now() + 120_000; rows.length < 3 && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 2_000));
        rows = await trinoQuery(query).catch(() => []);
      }
      expect(rows).toEqual([
        ["c", "12.50", "Lamp", null, false, true, true],
        ["u", "14.00", "Lamp", "12.50", false, true, true],
        ["d", "14.00", "Lamp", "14.00", false, true, true],
      ]);
    } finally {
      controller.abort();
      await sink?.catch(() => {});
      await db.query("DELETE FROM products WHERE product_id = $1", [id]).catch(() => {});
      await db.end();
      await testTrino.query(`DROP TABLE IF EXISTS hive.${schema}.db_products`).catch(() => {});
      await testTrino.query(`DROP SCHEMA IF EXISTS hive.${schema}`).catch(() => {});
    }
  });
});
