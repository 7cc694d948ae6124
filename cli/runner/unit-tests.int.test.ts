import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, jsonLines, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Unit tests against the real stack: the inputs are fixtures (no upstream table exists at any point),
 * a wrong model fails with a `+`/`-` row diff and `build` skips it and its downstream; fixed, the test
 * passes and `build` builds it. Also: csv and sql fixtures, vars and is_incremental overrides, an
 * input not given reads zero rows, and `test -s test_type:unit` runs only unit tests.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_unit");
afterAll(async () => {
  await dropSchema(trino, schema);
});

const SOURCES = `version: 2
sources:
  - name: raw
    schema: ${schema}_raw_never_created
    tables:
      - name: orders
        columns:
          - {name: order_id, data_type: bigint}
          - {name: status, data_type: varchar}
          - {name: amount, data_type: "decimal(10,2)"}
          - {name: updated_at, data_type: "timestamp(6)"}
      - name: refunds
        columns:
          - {name: order_id, data_type: bigint}
          - {name: refunded, data_type: "decimal(10,2)"}
`;

const YML = `version: 2
models:
  - name: stg_orders
  - name: order_totals
unit_tests:
  - name: totals_subtract_refunds
    model: order_totals
    description: Paid orders only; refunds subtract; an order without refunds keeps its amount.
    given:
      - input: ref('stg_orders')
        rows:
          - {order_id: 1, status: paid, amount: 10.50}
          - {order_id: 2, status: paid, amount: 20}
          - {order_id: 3, status: created, amount: 99}
      - input: source('raw', 'refunds')
        format: csv
        rows: |
          order_id,refunded
          1,0.50
    expect:
      rows:
        - {order_id: 1, net: 10.00}
        - {order_id: 2, net: 20.00}
  - name: big_orders_threshold_from_vars
    model: order_totals
    overrides:
      vars: {min_amount: 15}
    given:
      - input: ref('stg_orders')
        format: sql
        rows: |
          select cast(1 as bigint) as order_id, 'paid' as status, cast(10 as decimal(10,2)) as amount
          union all
          select 2, 'paid', 30
    expect:
      format: csv
      rows: |
        order_id,net
        2,30
  - name: incremental_reads_only_new_rows
    model: stg_orders
    overrides:
      macros: {is_incremental: true}
    given:
      - input: source('raw', 'orders')
        rows:
          - {order_id: 1, status: paid, amount: 1, updated_at: "2026-01-01 00:00:00"}
          - {order_id: 2, status: paid, amount: 2, updated_at: "2026-01-03 00:00:00"}
      - input: this
        rows:
          - {order_id: 1, status: paid, amount: 1, updated_at: "2026-01-02 00:00:00"}
    expect:
      rows:
        - {order_id: 2}
`;

const STG = `{{config materialized="incremental" unique_key="order_id"}}
select order_id, status, amount, updated_at from {{source "raw" "orders"}}
{{#if (is_incremental)}}where updated_at > (select max(updated_at) from {{this}}){{/if}}
`;

// The bug: refunds are added instead of subtracted.
const WRONG = `select o.order_id, o.amount + coalesce(sum(r.refunded), 0) as net
from {{ref "stg_orders"}} o
left join {{source "raw" "refunds"}} r on r.order_id = o.order_id
where o.status = 'paid' and o.amount >= {{var "min_amount" 0}}
group by o.order_id, o.amount
`;
const FIXED = WRONG.replace("o.amount + coalesce", "o.amount - coalesce");

describe("unit tests", () => {
  it("fail with a row diff and skip the model in build, then pass once the model is fixed", async () => {
    const dir = writeRunnerProject(schema, {
      "models/sources.yml": SOURCES,
      "models/schema.yml": YML,
      "models/stg_orders.sql": STG,
      "models/order_totals.sql": WRONG,
      "models/order_report.sql": `select * from {{ref "order_totals"}}\n`,
    });

    const unit = await floe(dir, "test", "-s", "test_type:unit", "--log-format", "json");
    const finished = jsonLines(unit.stdout).filter((e) => e.code === "NODE_FINISHED");
    const status = Object.fromEntries(finished.map((e) => [e.result.display_name, e.result.status]));
    expect(status).toEqual({
      "order_totals::big_orders_threshold_from_vars": "pass",
      "order_totals::totals_subtract_refunds": "fail",
      "stg_orders::incremental_reads_only_new_rows": "pass",
    });
    expect(unit.exitCode).toBe(1);
    const failed = finished.find((e) => e.result.status === "fail")!.result;
    expect(failed.failures).toBe(2);
    expect(failed.sample.columns).toEqual(["diff", "order_id", "net"]);
    // Expected 10.00 but got 11.00 for order 1: one row missing, one row too many.
    expect(failed.sample.rows.map((r: unknown[]) => r.map(String))).toEqual([
      ["-", "1", "10.00"],
      ["+", "1", "11.00"],
    ]);

    const text = await floe(dir, "test", "-s", "order_totals");
    expect(text.stdout).toMatch(/FAIL 2 order_totals::totals_subtract_refunds/);
    expect(text.stdout).toMatch(/diff\s*\|\s*order_id\s*\|\s*net/);
    expect(text.stdout).toMatch(/-\s*\|\s*1\s*\|\s*10\.00/);

    const build = await floe(dir, "build", "-s", "order_totals+", "--log-format", "json");
    expect(build.exitCode).toBe(1);
    const built = jsonLines(build.stdout)
      .filter((e) => e.code === "NODE_FINISHED")
      .map((e) => [e.result.display_name, e.result.status, e.result.skipped_because ?? ""]);
    expect(built).toEqual([
      ["order_totals::big_orders_threshold_from_vars", "pass", ""],
      ["order_totals::totals_subtract_refunds", "fail", ""],
      [`${schema}.order_totals`, "skipped", "unit_test.shop.order_totals.totals_subtract_refunds"],
      [`${schema}.order_report`, "skipped", "unit_test.shop.order_totals.totals_subtract_refunds"],
    ]);
    const tables = await rows(
      trino,
      `SELECT table_name FROM iceberg.information_schema.tables WHERE table_schema = '${schema}'`,
    );
    expect(tables).toEqual([]);

    write(dir, "models/order_totals.sql", FIXED);
    const fixed = await floe(dir, "test", "-s", "test_type:unit");
    expect(fixed.exitCode, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/PASS order_totals::totals_subtract_refunds/);
    expect(fixed.stdout).toMatch(/3 unit tests/);
  });
});
