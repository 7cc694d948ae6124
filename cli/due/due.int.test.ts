import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { s3RawObjectStore } from "../../ingest/raw-retention.js";
import { localS3, localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * `floe build --due` on the real stack: raw sources are Hive tables, models are Iceberg tables. raw.orders
 * is external and partitioned, as the sink's raw layer (its version is its S3 listing), raw.products
 * managed (its version read through Trino). A model whose inputs did not change is skipped with its
 * reason — also after objects Trino does not read appear under raw.orders' location (a marker, a file in a
 * folder not registered as a partition) —, one whose raw source got new rows (a new file) is built, and so
 * is what reads it (a new snapshot), and a model with build_after is not rebuilt before its time even
 * though its upstream changed.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_due");
const raw = `${schema}_raw`;
const BUCKET = "warehouse";
const ordersPrefix = `${schema}/orders/`;
const objects = s3RawObjectStore(localS3(), BUCKET);

afterAll(async () => {
  await dropSchema(trino, schema);
  for (const table of ["orders", "products"]) {
    await trino.query(`DROP TABLE IF EXISTS hive.${raw}.${table}`).catch(() => undefined);
  }
  await trino.query(`DROP SCHEMA IF EXISTS hive.${raw}`).catch(() => undefined);
  const keys: string[] = [];
  for await (const key of objects.list(ordersPrefix)) keys.push(key);
  await objects.delete(keys);
});

const FILES = {
  "models/sources.yml": `version: 2
sources:
  - name: raw
    catalog: hive
    schema: ${raw}
    tables: [{name: orders}, {name: products}]
`,
  "models/stg_orders.sql":
    '{{config materialized="table"}}\nselect id, amount from {{source "raw" "orders"}}\n',
  "models/stg_products.sql": '{{config materialized="table"}}\nselect sku from {{source "raw" "products"}}\n',
  "models/fct_orders.sql":
    '{{config materialized="table"}}\nselect count(*) as orders, sum(amount) as revenue from {{ref "stg_orders"}}\n',
  "models/orders_hourly.sql": `{{config materialized="table" freshness='{"build_after": {"count": 1, "period": "hour"}}'}}
select count(*) as orders from {{ref "stg_orders"}}
`,
  "models/schema.yml":
    "version: 2\nmodels:\n  - name: fct_orders\n    columns:\n      - name: orders\n        tests: [not_null]\n",
};

type Result = { unique_id: string; status: string; message: string };

function results(dir: string): Map<string, Result> {
  const json = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
  return new Map(json.results.map((r: Result) => [r.unique_id.split(".").at(-1), r]));
}

describe("floe build --due", () => {
  it("skips what did not change or is not due, builds what a new raw file reaches", async () => {
    await trino.query(`CREATE SCHEMA hive.${raw}`);
    await trino.query(
      `CREATE TABLE hive.${raw}.orders (id integer, amount double, day varchar) ` +
        `WITH (external_location = 's3://${BUCKET}/${ordersPrefix.slice(0, -1)}', partitioned_by = ARRAY['day'])`,
    );
    await trino.query(`CREATE TABLE hive.${raw}.products (sku varchar)`);
    await trino.query(
      `INSERT INTO hive.${raw}.orders VALUES (1, 10.0, '2026-12-01'), (2, 5.0, '2026-12-01')`,
    );
    await trino.query(`INSERT INTO hive.${raw}.products VALUES ('a')`);
    const dir = writeRunnerProject(schema, FILES);

    // First --due run: nothing recorded yet, everything is built and recorded.
    const first = await floe(dir, "build", "--due");
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect([...results(dir).values()].map((r) => r.status).sort()).toEqual([
      "pass",
      "success",
      "success",
      "success",
      "success",
    ]);
    const state = JSON.parse(readFileSync(join(dir, "target/due_state.json"), "utf8"));
    expect(state.nodes["model.shop.stg_orders"].upstream["source.shop.raw.orders"]).toMatch(
      /^1 file, \d+ bytes, newest \S+, digest [0-9a-f]{12}$/,
    );
    expect(state.nodes["model.shop.stg_products"].upstream["source.shop.raw.products"]).toMatch(
      /^1 file, newest /,
    );

    // Objects Trino does not read, under raw.orders' location: a marker, a file of an unregistered folder.
    const s3 = localS3();
    for (const key of ["_columns/note", "day=2099-01-01/stray.parquet"]) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${ordersPrefix}${key}`, Body: "x" }));
    }
    expect(state.nodes["model.shop.fct_orders"].upstream["model.shop.stg_orders"]).toMatch(/^snapshot \d+$/);

    // Nothing changed: every model is skipped, each with its reason; the test of a skipped model is not run.
    const second = await floe(dir, "build", "--due");
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    const unchanged = results(dir);
    expect(unchanged.get("stg_orders")).toMatchObject({ status: "skipped" });
    expect(unchanged.get("stg_orders")?.message).toMatch(
      /^upstream unchanged: raw\.orders 1 file, \d+ bytes, newest .+ = last seen$/,
    );
    expect(unchanged.get("fct_orders")?.message).toMatch(
      /^upstream unchanged: stg_orders snapshot \d+ = last seen$/,
    );
    expect(unchanged.get("orders_hourly")?.message).toMatch(/^not due: built \d+s ago, build_after 1h$/);
    expect(unchanged.get("not_null_fct_orders_orders")).toMatchObject({
      status: "skipped",
      message: "not run: fct_orders not rebuilt (--due)",
    });
    expect(second.stdout).toMatch(/SKIP \(--due\) table model .*\.stg_orders/);
    expect(second.stdout).toMatch(/upstream unchanged: raw\.orders 1 file/);
    expect(second.stdout).toMatch(/Not rebuilt by --due \(reasons above\):/);
    // Skipped by --due is no failure: retry has nothing to do.
    expect((await floe(dir, "retry")).stdout).toContain("Nothing to retry");

    // New raw rows (a new file in raw.orders): stg_orders and fct_orders are built; stg_products' source
    // did not change; orders_hourly's upstream changed, but it is not due for an hour.
    await trino.query(`INSERT INTO hive.${raw}.orders VALUES (3, 20.0, '2026-12-01')`);
    const third = await floe(dir, "build", "--due");
    expect(third.exitCode, third.stdout + third.stderr).toBe(0);
    const changed = results(dir);
    expect(changed.get("stg_orders")).toMatchObject({ status: "success" });
    expect(changed.get("fct_orders")).toMatchObject({ status: "success" });
    expect(changed.get("not_null_fct_orders_orders")).toMatchObject({ status: "pass" });
    expect(changed.get("stg_products")?.message).toMatch(/^upstream unchanged: raw\.products 1 file/);
    expect(changed.get("orders_hourly")?.message).toMatch(/^not due: built \d+s ago, build_after 1h$/);
    expect(await rows(trino, `SELECT orders, revenue FROM iceberg.${schema}.fct_orders`)).toEqual([
      { orders: 3, revenue: 35 },
    ]);
    expect(await rows(trino, `SELECT orders FROM iceberg.${schema}.orders_hourly`)).toEqual([{ orders: 2 }]);

    // A plain build still builds everything; --due with --full-refresh is refused.
    expect((await floe(dir, "build", "-s", "orders_hourly")).exitCode).toBe(0);
    expect(await rows(trino, `SELECT orders FROM iceberg.${schema}.orders_hourly`)).toEqual([{ orders: 3 }]);
    const refused = await floe(dir, "build", "--due", "--full-refresh");
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("--due and --full-refresh contradict each other");
  });
});
