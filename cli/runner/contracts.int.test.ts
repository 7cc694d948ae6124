import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { informationSchema, quoteString } from "../../trino/dialect.js";
import { floe, jsonLines, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows, showCreateTable } from "../testing/warehouse.js";

/**
 * Contracts against the real stack: a contracted table is built with the contract's columns, types and
 * NOT NULL; a query that drifts from its contract (a column renamed, a type changed) stops `build` before
 * any DDL with a diff, and a NULL in a not_null column is rejected by Iceberg before the table is touched;
 * either way the table keeps its columns and rows.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_contract");
afterAll(async () => {
  await dropSchema(trino, schema);
});

const YML = `version: 2
models:
  - name: dim_orders
    config:
      contract: {enforced: true}
    constraints:
      - type: primary_key
        columns: [order_id]
        warn_unenforced: false
    columns:
      - name: order_id
        data_type: bigint
        constraints: [{type: not_null}]
      - name: status
        data_type: varchar
      - name: amount
        data_type: decimal(10,2)
`;

const GOOD = `{{config materialized="table"}}
select cast(order_id as bigint) as order_id, status, cast(amount as decimal(10,2)) as amount
from (values (1, 'paid', 10.5), (2, 'created', 3)) as t (order_id, status, amount)
`;

async function columns(): Promise<string[]> {
  const found = await rows(
    trino,
    `SELECT column_name, data_type FROM ${informationSchema("iceberg", "columns")} WHERE table_schema = ${quoteString(schema)} AND table_name = 'dim_orders' ORDER BY ordinal_position`,
  );
  return found.map((r) => `${r.column_name} ${r.data_type}`);
}

async function contents(): Promise<string[]> {
  const found = await rows(trino, `SELECT * FROM iceberg.${schema}.dim_orders ORDER BY order_id`);
  return found.map((r) => `${r.order_id}|${r.status}|${r.amount}`);
}

describe("contracts", () => {
  it("build with the contract's columns; a drifting query stops before any DDL and the table is unchanged", async () => {
    const dir = writeRunnerProject(schema, {
      "models/schema.yml": YML,
      "models/dim_orders.sql": GOOD,
    });
    const first = await floe(dir, "build");
    expect(first.exitCode, first.stdout).toBe(0);
    expect(await columns()).toEqual(["order_id bigint", "status varchar", "amount decimal(10,2)"]);
    expect(await showCreateTable(trino, schema, "dim_orders")).toMatch(/order_id bigint NOT NULL/);
    const before = await contents();
    expect(before).toEqual(["1|paid|10.50", "2|created|3.00"]);
    const snapshots = async () =>
      (await rows(trino, `SELECT count(*) AS n FROM iceberg.${schema}."dim_orders$snapshots"`))[0]?.n;
    const snapshotsBefore = await snapshots();

    // amount retyped to double, status renamed to state: two mismatches and a missing column.
    write(
      dir,
      "models/dim_orders.sql",
      `{{config materialized="table"}}
select cast(order_id as bigint) as order_id, status as state, cast(amount as double) as amount
from (values (1, 'paid', 10.5)) as t (order_id, status, amount)
`,
    );
    const drift = await floe(dir, "build", "--log-format", "json");
    expect(drift.exitCode).toBe(1);
    const result = jsonLines(drift.stdout).find((e) => e.code === "NODE_FINISHED")!.result;
    expect(result.status).toBe("error");
    expect(result.error_code).toBe("CONTRACT_VIOLATION");
    expect(result.message).toMatch(/\| status +\| +\| varchar +\| missing in the query +\|/);
    expect(result.message).toMatch(/\| state +\| varchar\(\d+\) +\| +\| missing in the contract +\|/);
    expect(result.message).toMatch(/\| amount +\| double +\| decimal\(10,2\) +\| data type mismatch +\|/);
    expect(result.location).toBe("models/schema.yml");
    expect(await columns()).toEqual(["order_id bigint", "status varchar", "amount decimal(10,2)"]);
    expect(await contents()).toEqual(before);
    expect(await snapshots()).toBe(snapshotsBefore);

    // Names and types right, but a NULL in a not_null column: Iceberg refuses it in the staging table.
    write(dir, "models/dim_orders.sql", GOOD.replace("(2, 'created', 3)", "(null, 'created', 3)"));
    const nulls = await floe(dir, "build");
    expect(nulls.exitCode).toBe(1);
    expect(nulls.stdout).toMatch(/NULL value not allowed for NOT NULL column: order_id/i);
    expect(await columns()).toEqual(["order_id bigint", "status varchar", "amount decimal(10,2)"]);
    expect(await contents()).toEqual(before);
  });
});
