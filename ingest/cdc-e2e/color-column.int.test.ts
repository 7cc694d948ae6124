import pg from "pg";
import { describe, expect, it } from "vitest";
import { endpointsFromEnv } from "../endpoints.js";
import { testTrino, trinoQuery, uniqueRun } from "../int-helpers.js";
import { runSink } from "../sink.js";
import { runStream } from "../stream/run-stream.js";
import { connectTestRedis, testRedisUrl, waitFor } from "../stream/stream-int-helpers.js";

/**
 * Seed 002 §5 on the real stack: `ALTER TABLE products ADD COLUMN color text` while the sink and `floe
 * stream` run → Debezium emits the new shape → raw `db_products` gains `color` (rows from before read
 * NULL) → nothing stops: the sink and the stream keep consuming, stock keeps updating in Redis.
 *
 * The products table is shared: the column is added with IF NOT EXISTS and dropped at the end only when
 * this test added it, so the shared schema is the contract's again afterwards.
 */

const SHOP_DB_URL = process.env.FLOE_SHOP_DB_URL ?? "postgres://floe:floe-local-secret@127.0.0.1:5433/shop";

describe("a column added to products while everything runs", () => {
  it("reaches raw, older rows NULL, and stops nothing", { timeout: 600_000 }, async () => {
    const run = uniqueRun("cdccolor");
    const schema = `raw_floe_${run.id}`;
    const [a, b] = [`${run.id}-a`, `${run.id}-b`];
    const keyPrefix = `${run.id}:`;
    const db = new pg.Client({ connectionString: SHOP_DB_URL });
    await db.connect();
    const redis = await connectTestRedis();
    const controller = new AbortController();
    const stopped: string[] = [];
    const phases: string[] = [];
    const sink = runSink({
      topics: ["db.products", "db.inventory"],
      dlqTopic: run.dlq,
      prefix: run.prefix,
      groupId: run.group,
      hiveSchema: schema,
      trino: testTrino,
      flushIntervalMs: 1_000,
      metricsPort: null,
      signal: controller.signal,
    }).finally(() => stopped.push("sink"));
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
    }).finally(() => stopped.push("stream"));
    let added = false;
    const products = `hive.${schema}.db_products`;
    const stock = (id: string) => redis.get(`${keyPrefix}stock:${id}`);
    try {
      await waitFor("the stream to run", async () => phases.includes("running"), 180_000);
      await db.query(
        "INSERT INTO products (product_id, name, category, price, is_active, updated_at) VALUES ($1, 'Lamp', 'test', 10, true, now())",
        [a],
      );
      await db.query(
        "INSERT INTO inventory (product_id, quantity, low_stock_threshold, updated_at) VALUES ($1, 50, 10, now())",
        [a],
      );
      await waitFor(
        "the row from before the ALTER in raw",
        async () =>
          (await trinoQuery(`SELECT 1 FROM ${products} WHERE product_id = '${a}'`).catch(() => [])).length >
          0,
        180_000,
      );
      await waitFor("stock before the ALTER", async () => (await stock(a)) === "50", 60_000);

      const existed = await db.query(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'products' AND column_name = 'color'",
      );
      await db.query("ALTER TABLE products ADD COLUMN IF NOT EXISTS color text");
      added = existed.rowCount === 0;
      await db.query("UPDATE products SET color = 'red', updated_at = now() WHERE product_id = $1", [a]);
      await db.query(
        "INSERT INTO products (product_id, name, category, price, is_active, updated_at, color) VALUES ($1, 'Vase', 'test', 20, true, now(), 'blue')",
        [b],
      );
      await db.query("UPDATE inventory SET quantity = 7, updated_at = now() WHERE product_id = $1", [a]);

      const query = `SELECT product_id, _op, color FROM ${products} WHERE product_id IN ('${a}', '${b}') ORDER BY _lsn, _kafka_offset`;
      let rows: unknown[][] = [];
      await waitFor(
        "the new shape in raw",
        async () => {
          rows = await trinoQuery(query).catch(() => []);
          return rows.length >= 3;
        },
        180_000,
      );
      expect(rows).toEqual([
        [a, "c", null],
        [a, "u", "red"],
        [b, "c", "blue"],
      ]);
      // Stock still updates, and neither consumer stopped over the new shape.
      await waitFor("stock after the ALTER", async () => (await stock(a)) === "7", 60_000);
      expect(stopped).toEqual([]);
    } finally {
      await db.query("DELETE FROM inventory WHERE product_id = $1", [a]).catch(() => {});
      await db.query("DELETE FROM products WHERE product_id IN ($1, $2)", [a, b]).catch(() => {});
      if (added) await db.query("ALTER TABLE products DROP COLUMN IF EXISTS color").catch(() => {});
      controller.abort();
      await Promise.allSettled([sink, stream]);
      await db.end();
      await redis.del([`${keyPrefix}stock:${a}`, `${keyPrefix}stream:offsets`, `${keyPrefix}stream:below`]);
      redis.destroy();
      for (const t of ["products", "inventory"])
        await testTrino.query(`DROP TABLE IF EXISTS hive.${schema}.db_${t}`).catch(() => {});
      await testTrino.query(`DROP SCHEMA IF EXISTS hive.${schema}`).catch(() => {});
    }
  });
});
