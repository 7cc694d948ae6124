import { describe, expect, it } from "vitest";
import type { TestNode } from "../../compile/compile.js";
import { loadFixture } from "../../testing/project-fixture.js";
import { cappedFailures, planTestBatches } from "./plan-batches.js";

const MODELS = {
  "models/orders.sql": "select 1 as order_id, 2 as customer_id, 'paid' as status",
  "models/customers.sql": "select 2 as customer_id",
  "tests/generic/is_even.sql": "select * from {{model}} where {{column_name}} % 2 = 1",
};

const YML = `version: 2
models:
  - name: orders
    tests:
      - expression_is_true:
          expression: "order_id > 0"
      - unique_combination:
          columns: [order_id, customer_id]
    columns:
      - name: order_id
        tests:
          - not_null
          - unique
          - is_even
          - not_null:
              name: nn_paid
              config: {where: "status = 'paid'"}
          - unique:
              name: unique_paid
              config: {where: "status = 'paid'", limit: 3}
          - accepted_values:
              values: [1, 2]
              config: {store_failures: true}
      - name: status
        tests:
          - accepted_values:
              values: [paid]
      - name: customer_id
        tests:
          - relationships:
              to: ref('customers')
              field: customer_id
  - name: customers
    columns:
      - name: customer_id
        tests: [unique]
`;

function testsOf(): { tests: TestNode[]; builtin: (t: TestNode) => boolean } {
  const project = loadFixture({ ...MODELS, "models/schema.yml": YML });
  const tests = Object.values(project.manifest.nodes).filter(
    (n): n is TestNode => n.resource_type === "test",
  );
  return { tests, builtin: (t) => project.templates.get(t.unique_id)?.kind === "builtin-test" };
}

const names = (tests: readonly TestNode[]) => tests.map((t) => t.name).sort();

describe("planTestBatches: which tests share one counting query", () => {
  const { tests, builtin } = testsOf();

  it("groups combinable tests by attached node and where; relationships, custom, store_failures and lone tests run alone", () => {
    const batches = planTestBatches(tests, { storeFailures: false, isBuiltin: builtin });
    expect(batches.map((b) => names(b.tests))).toEqual([
      [
        "accepted_values_orders_status__paid",
        "expression_is_true_orders__order_id_0",
        "not_null_orders_order_id",
        "unique_combination_orders__order_id__customer_id",
        "unique_orders_order_id",
      ],
      ["nn_paid", "unique_paid"],
    ]);
    expect(batches[0]!.key).not.toBe(batches[1]!.key);
  });

  it("--store-failures combines nothing (every test writes its own audit table)", () => {
    expect(planTestBatches(tests, { storeFailures: true, isBuiltin: builtin })).toEqual([]);
  });

  it("a built-in name shadowed by a project test is not combined", () => {
    const batches = planTestBatches(tests, {
      storeFailures: false,
      isBuiltin: (t) => builtin(t) && t.test_metadata?.name !== "not_null",
    });
    expect(batches.flatMap((b) => b.tests).some((t) => t.test_metadata?.name === "not_null")).toBe(false);
  });
});

describe("cappedFailures", () => {
  it("caps the count at the test's limit, as its own query's `limit` does", () => {
    expect(cappedFailures(7, undefined)).toBe(7);
    expect(cappedFailures(7, 3)).toBe(3);
    expect(cappedFailures(2, 3)).toBe(2);
  });
});
