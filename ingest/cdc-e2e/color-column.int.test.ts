import pg from "pg";
import { describe, expect, it } from "vitest";
import type { ParsedProject } from "../../cli/compile/compile.js";
import * as shop from "../../cli/demo/shop-pipeline.js";
import type { RunLogger } from "../../cli/log/events.js";
import { endpointsFromEnv } from "../endpoints.js";
import { testTrino, trinoQuery, uniqueRun } from "../int-helpers.js";
import { runSink } from "../sink.js";
import { runStream } from "../stream/run-stream.js";
import { connectTestRedis, testRedisUrl, waitFor } from "../stream/stream-int-helpers.js";
import { deleteTestObjects, dropCdcRawTables, SHOP_DB_URL, startGroupAtEnd } from "./e2e-io.js";

/**
 * Seed 002 §5 on the real stack: `ALTER TABLE products ADD COLUMN color text` while the sink and `floe
 * stream` run → Debezium emits the new shape → raw `db_products` gains `color` (rows from before read
 * NULL) → nothing stops: the sink and the stream keep consuming, stock keeps updating in Redis → a `floe
 * build` of `stg_db_products` (and its history), run while both keep running, gives staging the `color`
 * column: the new values, NULL for the product untouched since and for versions from before. The same
 * build before the ALTER worked on the old shape. (The staging models are tables rebuilt from raw on every
 * build, `select *`: no on_schema_change is involved, which only applies to incremental models.)
 *
 * The sink's group starts at the topics' ends, so raw holds only this run's shapes (the topics keep the
 * `color` shape of earlier runs). The products table is shared: the column is added with IF NOT EXISTS and
 * dropped at the end only when this test added it, so the shared schema is the contract's again afterwards.
 */

const quiet: RunLogger = { event: () => {} };
const MODELS = ["stg_db_products", "stg_db_products_history"];

describe("a column added to products while everything runs", () => {
  it("reaches raw and, through a build, staging; older rows NULL; stops nothing", {
    timeout: 900_000,
  }, async () => {
    const run = uniqueRun("cdccolor");
    const ns = shop.isolatedNamespace(run.id);
    const schema = ns.rawSchema;
    const [a, b, c] = [`${run.id}-a`, `${run.id}-b`, `${run.id}-c`];
    const keyPrefix = `${run.id}:`;
    const db = new pg.Client({ connectionString: SHOP_DB_URL });
    await db.connect();
    const redis = await connectTestRedis();
    const controller = new AbortController();
    const stopped: string[] = [];
    const phases: string[] = [];
    const colorExists = async () =>
      (
        await db.query(
          "SELECT 1 FROM information_schema.columns WHERE table_name = 'products' AND column_name = 'color'",
        )
      ).rowCount !== 0;
    // Whether an earlier run left the column: then Debezium's messages have it (NULL) from the start.
    const columnAtStart = await colorExists();
    await startGroupAtEnd(ns.sinkGroup, ["db.products", "db.inventory"]);
    const sink = runSink({
      topics: ["db.products", "db.inventory"],
      dlqTopic: shop.dlqOf(ns),
      prefix: ns.s3Prefix,
      groupId: ns.sinkGroup,
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
    let project: ParsedProject | undefined;
    const products = `hive.${schema}.db_products`;
    const stock = (id: string) => redis.get(`${keyPrefix}stock:${id}`);
    const build = async (p: ParsedProject) =>
      expect(shop.unsuccessful(await shop.buildShop(p, { logger: quiet, models: MODELS }))).toEqual([]);
    const stagingRows = async (p: ParsedProject, model: string, columns: string) => {
      const sql = `SELECT ${columns} FROM ${shop.martRelation(p, model)} WHERE product_id IN ('${a}', '${b}', '${c}') ORDER BY product_id, _lsn`;
      return (await testTrino.query<Record<string, unknown>>(sql)).rows.map((r) => ({ ...r }));
    };
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
      await db.query(
        "INSERT INTO products (product_id, name, category, price, is_active, updated_at) VALUES ($1, 'Rug', 'test', 30, true, now())",
        [c],
      );
      await waitFor(
        "the rows from before the ALTER in raw",
        async () =>
          (await trinoQuery(`SELECT 1 FROM ${products} WHERE product_id IN ('${a}', '${c}')`).catch(() => []))
            .length >= 2,
        180_000,
      );
      await waitFor("stock before the ALTER", async () => (await stock(a)) === "50", 60_000);

      // The build before the ALTER: staging has the old shape (unless an earlier run left the column).
      project = shop.loadShopDbProject(process.cwd(), ns);
      await build(project);
      const before = await stagingRows(project, "stg_db_products", "*");
      expect(before.map((r) => [r.product_id, r.price])).toEqual([
        [a, "10.00"],
        [c, "30.00"],
      ]);
      expect(Object.keys(before[0] ?? {}).includes("color")).toBe(columnAtStart);

      const existed = await colorExists();
      await db.query("ALTER TABLE products ADD COLUMN IF NOT EXISTS color text");
      added = !existed;
      await db.query("UPDATE products SET color = 'red', updated_at = now() WHERE product_id = $1", [a]);
      await db.query(
        "INSERT INTO products (product_id, name, category, price, is_active, updated_at, color) VALUES ($1, 'Vase', 'test', 20, true, now(), 'blue')",
        [b],
      );
      await db.query("UPDATE inventory SET quantity = 7, updated_at = now() WHERE product_id = $1", [a]);

      const query = `SELECT product_id, _op, color FROM ${products} WHERE product_id IN ('${a}', '${b}', '${c}') ORDER BY _lsn, _kafka_offset`;
      let rows: unknown[][] = [];
      await waitFor(
        "the new shape in raw",
        async () => {
          rows = await trinoQuery(query).catch(() => []);
          return rows.length >= 4;
        },
        180_000,
      );
      expect(rows).toEqual([
        [a, "c", null],
        [c, "c", null],
        [a, "u", "red"],
        [b, "c", "blue"],
      ]);
      // Stock still updates, and neither consumer stopped over the new shape.
      await waitFor("stock after the ALTER", async () => (await stock(a)) === "7", 60_000);
      expect(stopped).toEqual([]);

      // The build after the ALTER, with the sink and the stream still running: staging has `color`.
      await build(project);
      expect(await stagingRows(project, "stg_db_products", "product_id, price, color")).toEqual([
        { product_id: a, price: "10.00", color: "red" },
        { product_id: b, price: "20.00", color: "blue" },
        { product_id: c, price: "30.00", color: null },
      ]);
      expect(await stagingRows(project, "stg_db_products_history", "product_id, color, is_current")).toEqual([
        { product_id: a, color: null, is_current: false },
        { product_id: a, color: "red", is_current: true },
        { product_id: b, color: "blue", is_current: true },
        { product_id: c, color: null, is_current: true },
      ]);
      expect(stopped).toEqual([]);
    } finally {
      await db.query("DELETE FROM inventory WHERE product_id = $1", [a]).catch(() => {});
      await db.query("DELETE FROM products WHERE product_id IN ($1, $2, $3)", [a, b, c]).catch(() => {});
      if (added) await db.query("ALTER TABLE products DROP COLUMN IF EXISTS color").catch(() => {});
      controller.abort();
      await Promise.allSettled([sink, stream]);
      await db.end();
      await redis.del([`${keyPrefix}stock:${a}`, `${keyPrefix}stream:offsets`, `${keyPrefix}stream:below`]);
      redis.destroy();
      await dropCdcRawTables(schema, ["products", "inventory"]);
      await shop.dropShopNamespace(ns, project ? [project] : [], testTrino).catch(() => {});
      await deleteTestObjects(ns.s3Prefix).catch(() => {});
    }
  });
});
