import { hash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../../testing/run-fixture.js";
import { dropSchema, rows } from "../../testing/warehouse.js";

/**
 * floe_utils on Trino: one small project whose models (Iceberg tables) each use a library macro over two
 * seeds, built with `floe build` against the local stack in a schema of its own; each model's rows are
 * then read back.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_utils_it");
const table = (name: string) => `iceberg.${schema}.${name}`;

const files: Record<string, string> = {
  // Tables, as marts are: Iceberg is stricter about column types than a view's query is.
  "floe_project.yml": "name: shop\nprofile: floe\nmodels:\n  +materialized: table\n",
  "seeds/orders.csv":
    "order_id,customer_id,status,amount,updated_at\n" +
    "1,10,paid,100,2024-01-01 10:00:00\n" +
    "1,10,shipped,100,2024-01-02 10:00:00\n" +
    "2,11,paid,50,2024-01-01 11:00:00\n" +
    "3,10,cancelled,0,2024-01-03 09:00:00\n",
  "seeds/returns.csv": "order_id,amount,reason\n1,20,damaged\n",
  "models/surrogate.sql":
    "select order_id, status,\n" +
    '  {{> floe_utils/generate_surrogate_key fields="order_id, status"}} as sk,\n' +
    '  {{> floe_utils/generate_surrogate_key fields=(list "order_id" "cast(null as varchar)")}} as sk_null\n' +
    'from {{ref "orders"}}\n',
  "models/spine.sql":
    '{{> floe_utils/date_spine datepart="day" start_date="date \'2024-01-30\'" end_date="date \'2024-02-02\'"}}\n',
  "models/spine_hours.sql":
    '{{> floe_utils/date_spine datepart="hour" start_date="timestamp \'2024-01-01 00:00:00\'" end_date="timestamp \'2026-01-01 00:00:00\'"}}\n',
  "models/series.sql": '{{> floe_utils/generate_series upper_bound="12005"}}\n',
  "models/starred.sql":
    'select {{> floe_utils/star from=(ref "orders") except="amount, updated_at"}} from {{ref "orders"}}\n',
  "models/unioned.sql": '{{> floe_utils/union_relations relations=(list (ref "orders") (ref "returns"))}}\n',
  "models/pivoted.sql":
    'select customer_id, {{> floe_utils/pivot column="status" values="paid, shipped, cancelled"}}\n' +
    'from {{ref "orders"}} group by customer_id\n',
  "models/ratios.sql":
    "select order_id,\n" +
    '  {{> floe_utils/safe_divide numerator="cast(amount as double)" denominator="order_id - 1"}} as ratio\n' +
    "from {{ref \"orders\"}} where status <> 'shipped'\n",
  "models/latest.sql":
    '{{> floe_utils/deduplicate relation=(ref "orders") partition_by="order_id" order_by="updated_at desc"}}\n',
};

beforeAll(async () => {
  const dir = writeRunnerProject(schema, files);
  const build = await floe(dir, "build");
  if (build.exitCode !== 0) throw new Error(`floe build failed:\n${build.stdout}\n${build.stderr}`);
}, 240_000);

afterAll(async () => {
  await dropSchema(trino, schema);
});

const md5hex = (text: string) => hash("md5", text, "hex");

describe("floe_utils on Trino", () => {
  it("generate_surrogate_key: md5 of the fields joined by '-', a null as the marker", async () => {
    const got = await rows(
      trino,
      `SELECT order_id, status, sk, sk_null FROM ${table("surrogate")} ORDER BY 1, 2`,
    );
    expect(got).toEqual(
      [
        [1, "paid"],
        [1, "shipped"],
        [2, "paid"],
        [3, "cancelled"],
      ].map(([id, status]) => ({
        order_id: id,
        status,
        sk: md5hex(`${id}-${status}`),
        sk_null: md5hex(`${id}-_dbt_utils_surrogate_key_null_`),
      })),
    );
  });

  it("date_spine: one row per day, the end date excluded", async () => {
    const got = await rows(trino, `SELECT CAST(date_day AS varchar) AS d FROM ${table("spine")} ORDER BY 1`);
    expect(got.map((r) => r.d)).toEqual(["2024-01-30", "2024-01-31", "2024-02-01"]);
  });

  it("date_spine: an hourly spine over two years, past one sequence's 10,000 entries", async () => {
    const [got] = await rows(
      trino,
      `SELECT count(*) AS n, count(DISTINCT date_hour) AS d, CAST(min(date_hour) AS varchar) AS lo, CAST(max(date_hour) AS varchar) AS hi FROM ${table("spine_hours")}`,
    );
    // 2024 is a leap year: (366 + 365) days × 24 hours.
    expect(got).toEqual({
      n: 17544,
      d: 17544,
      lo: "2024-01-01 00:00:00.000000",
      hi: "2025-12-31 23:00:00.000000",
    });
  });

  it("generate_series: 1..n, also past one sequence's 10,000 entries", async () => {
    const [got] = await rows(
      trino,
      `SELECT count(*) AS n, count(DISTINCT generated_number) AS d, min(generated_number) AS lo, max(generated_number) AS hi FROM ${table("series")}`,
    );
    expect(got).toEqual({ n: 12005, d: 12005, lo: 1, hi: 12005 });
  });

  it("star: the seed's columns except those named", async () => {
    const result = await trino.query(`SELECT * FROM ${table("starred")} ORDER BY order_id, status`);
    expect(result.columns.map((c) => c.name)).toEqual(["order_id", "customer_id", "status"]);
    expect(result.rows).toHaveLength(4);
  });

  it("union_relations: rows of both, aligned by column name, with the source relation", async () => {
    const got = await rows(
      trino,
      `SELECT _floe_source_relation AS src, order_id, customer_id, status, amount, reason FROM ${table("unioned")} ORDER BY src, order_id, status`,
    );
    const orders = `"iceberg"."${schema}"."orders"`;
    const returns = `"iceberg"."${schema}"."returns"`;
    expect(got).toEqual([
      { src: orders, order_id: 1, customer_id: 10, status: "paid", amount: 100, reason: null },
      { src: orders, order_id: 1, customer_id: 10, status: "shipped", amount: 100, reason: null },
      { src: orders, order_id: 2, customer_id: 11, status: "paid", amount: 50, reason: null },
      { src: orders, order_id: 3, customer_id: 10, status: "cancelled", amount: 0, reason: null },
      { src: returns, order_id: 1, customer_id: null, status: null, amount: 20, reason: "damaged" },
    ]);
  });

  it("pivot: one count column per value", async () => {
    const got = await rows(trino, `SELECT * FROM ${table("pivoted")} ORDER BY customer_id`);
    expect(got).toEqual([
      { customer_id: 10, paid: 1, shipped: 1, cancelled: 1 },
      { customer_id: 11, paid: 1, shipped: 0, cancelled: 0 },
    ]);
  });

  it("safe_divide: null where the denominator is 0", async () => {
    const got = await rows(trino, `SELECT order_id, ratio FROM ${table("ratios")} ORDER BY order_id`);
    expect(got).toEqual([
      { order_id: 1, ratio: null },
      { order_id: 2, ratio: 50 },
      { order_id: 3, ratio: 0 },
    ]);
  });

  it("deduplicate: the latest row per key, with the relation's own columns only", async () => {
    const result = await trino.query<Record<string, unknown>>(
      `SELECT * FROM ${table("latest")} ORDER BY order_id`,
    );
    expect(result.columns.map((c) => c.name)).toEqual([
      "order_id",
      "customer_id",
      "status",
      "amount",
      "updated_at",
    ]);
    expect(result.rows.map((r) => [r.order_id, r.status])).toEqual([
      [1, "shipped"],
      [2, "paid"],
      [3, "cancelled"],
    ]);
  });
});
