import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, jsonLines, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/** The generic tests of one model counted in one query give exactly what one query per test gives. */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_batched_tests");
afterAll(async () => {
  await dropSchema(trino, schema);
  await dropSchema(trino, `${schema}_floe_test__audit`);
});

const ORDERS = `{{config materialized="table"}}
select * from (values
  (1, 10, 'paid', 10.0),
  (2, 11, 'paid', -5.0),
  (2, 12, 'refunded', 7.0),
  (3, 99, 'lost', CAST(NULL AS double)),
  (4, 10, 'shipped', -1.0),
  (5, CAST(NULL AS integer), CAST(NULL AS varchar), -2.0)
) as t(order_id, customer_id, status, amount)
`;

const CUSTOMERS = `{{config materialized="table"}}
select * from (values 10, 11, 12) as t(customer_id)
`;

const YML = `version: 2
models:
  - name: customers
    columns:
      - name: customer_id
        tests: [unique, not_null]
  - name: orders
    tests:
      - expression_is_true:
          name: amount_small
          expression: "amount < 100"
      - unique_combination:
          name: combo_order
          columns: [order_id]
      - unique_combination:
          name: combo_customer_status
          columns: [customer_id, status]
    columns:
      - name: order_id
        tests:
          - unique
          - not_null
          - unique:
              name: unique_without_dupes
              config: {where: "status <> 'refunded'"}
          - unique:
              name: unique_where
              config: {where: "status <> 'lost'"}
          - not_null:
              name: order_id_stored
              config: {store_failures: true}
          - unique:
              name: unique_stored
              config: {store_failures: true}
      - name: status
        tests:
          - accepted_values:
              name: status_broken
              values: [no_such_column]
              quote: false
              config: {where: "1 = 1"}
          - not_null:
              name: status_beside_broken
              config: {where: "1 = 1"}
          - accepted_values:
              values: [paid, shipped]
          - accepted_values:
              name: status_limited
              values: [paid]
              config: {limit: 2, severity: warn}
      - name: customer_id
        tests:
          - relationships:
              to: ref('customers')
              field: customer_id
          - not_null:
              name: customer_paid
              config: {where: "status = 'paid'"}
      - name: amount
        tests:
          - not_null:
              config: {severity: warn}
          - expression_is_true:
              name: amount_thresholds
              expression: ">= 0"
              config: {warn_if: ">1", error_if: ">3"}
          - expression_is_true:
              name: amount_error_if
              expression: ">= 0"
              config: {warn_if: ">10", error_if: ">= 3"}
          - not_null:
              name: amount_where
              config: {where: "status <> 'lost'"}
`;

interface Outcome {
  readonly status: string;
  readonly failures: number | null;
  readonly message: string;
}

async function runTests(dir: string, ...flags: string[]) {
  const out = await floe(dir, "test", "--threads", "4", "--log-format", "json", ...flags);
  const results = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8")).results as ({
    unique_id: string;
  } & Outcome)[];
  const outcomes = Object.fromEntries(
    results.map((r) => [
      r.unique_id,
      {
        status: r.status,
        failures: r.failures,
        // An error names its Trino query, which differs from run to run.
        message: r.message.replace(/Trino query \w+/, "Trino query <id>"),
      },
    ]),
  );
  const finished = jsonLines(out.stdout).filter((e) => e.code === "NODE_FINISHED");
  const samples = Object.fromEntries(finished.map((e) => [e.result.unique_id, e.result.sample ?? null]));
  // Stored tests are left out: their first run also creates the audit schema.
  const queries = finished
    .filter((e) => !e.result.unique_id.includes("_stored"))
    .reduce((n, e) => n + e.result.query_ids.length, 0);
  const stored = {
    notNull: await rows(trino, `SELECT * FROM "iceberg"."${schema}_floe_test__audit"."order_id_stored"`),
    unique: await rows(
      trino,
      `SELECT * FROM "iceberg"."${schema}_floe_test__audit"."unique_stored" ORDER BY unique_field`,
    ),
  };
  return { exitCode: out.exitCode, outcomes, samples, queries, stored };
}

describe("floe test: one query per model's tests, or one per test", () => {
  it("gives the same statuses, failures, messages, failing rows and stored failures both ways", async () => {
    const dir = writeRunnerProject(schema, {
      "models/orders.sql": ORDERS,
      "models/customers.sql": CUSTOMERS,
      "models/schema.yml": YML,
    });
    expect((await floe(dir, "run")).exitCode).toBe(0);

    const combined = await runTests(dir);
    const alone = await runTests(dir, "--no-batch-tests");

    expect(combined.outcomes).toEqual(alone.outcomes);
    expect(combined.samples).toEqual(alone.samples);
    expect(combined.stored).toEqual(alone.stored);
    expect(combined.exitCode).toBe(alone.exitCode);
    // Fewer queries: the passing tests of a batch never run their own.
    expect(combined.queries).toBeLessThan(alone.queries);

    // And the results are the right ones, not merely equal.
    const by = (name: string) =>
      Object.entries(combined.outcomes).find(([id]) => id.split(".")[2] === name)?.[1] as Outcome;
    expect(by("unique_orders_order_id")).toMatchObject({ status: "fail", failures: 1 });
    expect(by("not_null_orders_order_id")).toMatchObject({ status: "pass", failures: 0 });
    expect(by("unique_without_dupes")).toMatchObject({ status: "pass", failures: 0 });
    expect(by("accepted_values_orders_status__paid__shipped")).toMatchObject({ status: "fail", failures: 2 });
    expect(by("status_limited")).toMatchObject({ status: "warn", failures: 2 });
    expect(by("relationships_orders_customer_id__ref_customers___customer_id")).toMatchObject({
      status: "fail",
      failures: 1,
    });
    expect(by("customer_paid")).toMatchObject({ status: "pass", failures: 0 });
    expect(by("not_null_orders_amount")).toMatchObject({ status: "warn", failures: 1 });
    expect(by("amount_thresholds")).toMatchObject({ status: "warn", failures: 3 });
    expect(by("amount_error_if")).toMatchObject({ status: "fail", failures: 3 });
    expect(by("amount_where")).toMatchObject({ status: "pass", failures: 0 });
    expect(by("unique_where")).toMatchObject({ status: "fail", failures: 1 });
    expect(by("combo_order")).toMatchObject({ status: "fail", failures: 1 });
    expect(by("combo_customer_status")).toMatchObject({ status: "pass", failures: 0 });
    // A batch whose combined query fails falls back to one query per test: only the broken test errors.
    expect(by("status_broken")).toMatchObject({ status: "error" });
    expect(by("status_broken")?.message).toMatch(/no_such_column/);
    expect(by("status_beside_broken")).toMatchObject({ status: "fail", failures: 1 });
    expect(by("amount_small")).toMatchObject({ status: "pass", failures: 0 });
    expect(by("unique_customers_customer_id")).toMatchObject({ status: "pass", failures: 0 });
    expect(by("order_id_stored")).toMatchObject({ status: "pass", failures: 0 });
    expect(by("unique_stored")).toMatchObject({ status: "fail", failures: 1 });
    const sampleOf = (name: string) =>
      Object.entries(combined.samples).find(([id]) => id.split(".")[2] === name)?.[1];
    expect(sampleOf("accepted_values_orders_status__paid__shipped")).toMatchObject({
      columns: ["value_field", "n_records"],
    });
    expect(sampleOf("not_null_orders_order_id")).toBeNull();
    expect(combined.stored.unique).toEqual([{ unique_field: 2, n_records: 2 }]);
    expect(combined.stored.notNull).toEqual([]);
  });
});
