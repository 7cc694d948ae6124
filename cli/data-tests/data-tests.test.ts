import { describe, expect, it } from "vitest";
import { renderNode } from "../compile/compile.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";

const MODELS = {
  "models/orders.sql": "select 1 as order_id, 2 as customer_id, 'paid' as status, current_timestamp(6) as ts",
  "models/customers.sql": "select 2 as customer_id",
};

function compileTests(yml: string, extra: Record<string, string> = {}) {
  const project = loadFixture({ ...MODELS, "models/schema.yml": yml, ...extra });
  const tests = Object.values(project.manifest.nodes).filter((n) => n.resource_type === "test");
  return { project, tests, sql: (name: string) => renderNode(project, `test.shop.${name}`) };
}

const ORDERS = '"iceberg"."analytics"."orders"';

describe("generic tests compile to failing-rows SQL (golden)", () => {
  const yml = `version: 2
models:
  - name: orders
    tests:
      - unique_combination:
          columns: [order_id, customer_id]
      - expression_is_true:
          expression: "order_id > 0"
      - recency:
          field: ts
          max_age: 2 days
    columns:
      - name: order_id
        tests: [not_null, unique]
      - name: status
        data_tests:
          - accepted_values:
              values: [paid, "it's"]
      - name: customer_id
        tests:
          - relationships:
              to: ref('customers')
              field: customer_id
          - expression_is_true:
              expression: ">= 0"
`;
  const { sql, tests } = compileTests(yml);

  it("names tests like dbt", () => {
    expect(tests.map((t) => t.name).sort()).toEqual([
      "accepted_values_orders_status__paid__it_s",
      "expression_is_true_orders__order_id_0",
      "expression_is_true_orders_customer_id___0",
      "not_null_orders_order_id",
      "recency_orders__2_days",
      "relationships_orders_customer_id__ref_customers___customer_id",
      "unique_combination_orders__order_id__customer_id",
      "unique_orders_order_id",
    ]);
  });

  it("not_null", () => {
    expect(sql("not_null_orders_order_id")).toBe(`select *\nfrom ${ORDERS}\nwhere order_id is null`);
  });
  it("unique", () => {
    expect(sql("unique_orders_order_id")).toBe(
      `select order_id as unique_field, count(*) as n_records\nfrom ${ORDERS}\nwhere order_id is not null\ngroup by order_id\nhaving count(*) > 1`,
    );
  });
  it("accepted_values returns the failing values, quoting strings", () => {
    expect(sql("accepted_values_orders_status__paid__it_s")).toBe(
      `with all_values as (\n    select status as value_field, count(*) as n_records\n    from ${ORDERS}\n    group by status\n)\nselect *\nfrom all_values\nwhere value_field not in ('paid', 'it''s')`,
    );
  });
  it("relationships", () => {
    expect(sql("relationships_orders_customer_id__ref_customers___customer_id")).toBe(
      `with child as (\n    select customer_id as from_field\n    from ${ORDERS}\n    where customer_id is not null\n),\nparent as (\n    select customer_id as to_field\n    from "iceberg"."analytics"."customers"\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`,
    );
  });
  it("expression_is_true on the model and on a column", () => {
    expect(sql("expression_is_true_orders__order_id_0")).toBe(
      `select *\nfrom ${ORDERS}\nwhere not (order_id > 0)`,
    );
    expect(sql("expression_is_true_orders_customer_id___0")).toBe(
      `select *\nfrom ${ORDERS}\nwhere not (customer_id >= 0)`,
    );
  });
  it("unique_combination", () => {
    expect(sql("unique_combination_orders__order_id__customer_id")).toBe(
      `select order_id, customer_id, count(*) as n_records\nfrom ${ORDERS}\ngroup by order_id, customer_id\nhaving count(*) > 1`,
    );
  });
  it("recency", () => {
    expect(sql("recency_orders__2_days")).toBe(
      `with recency as (\n    select max(ts) as most_recent\n    from ${ORDERS}\n)\nselect most_recent, current_timestamp(6) - interval '2' day as threshold\nfrom recency\nwhere most_recent is null or most_recent < current_timestamp(6) - interval '2' day`,
    );
  });
  it("attaches tests to their model and depends on relationship targets", () => {
    const rel = tests.find((t) => t.name.startsWith("relationships"));
    expect(rel?.resource_type === "test" && rel.attached_node).toBe("model.shop.orders");
    expect(rel?.depends_on.nodes).toEqual(["model.shop.customers", "model.shop.orders"]);
  });
});

describe("test config", () => {
  it("where, limit, severity, warn_if, error_if, store_failures and name:", () => {
    const { sql, tests } = compileTests(`version: 2
models:
  - name: orders
    columns:
      - name: order_id
        tests:
          - not_null:
              name: order_id_present
              config:
                where: "status = 'paid'"
                limit: 10
                severity: WARN
                warn_if: ">5"
                error_if: ">100"
                store_failures: true
`);
    expect(sql("order_id_present")).toBe(
      `select *\nfrom (select * from ${ORDERS} where status = 'paid') floe_subquery\nwhere order_id is null\nlimit 10`,
    );
    const test = tests[0];
    expect(test?.config).toMatchObject({
      severity: "warn",
      warn_if: ">5",
      error_if: ">100",
      store_failures: true,
      limit: 10,
    });
    expect(test?.resource_type === "test" && test.store_failures_relation).toEqual({
      catalog: "iceberg",
      schema: "analytics_floe_test__audit",
      identifier: "order_id_present",
    });
  });

  it("custom generic tests from tests/generic/*.sql get model, column_name and arguments", () => {
    const { sql } = compileTests(
      `version: 2
models:
  - name: orders
    columns:
      - name: order_id
        tests:
          - is_positive:
              strict: true
`,
      {
        "tests/generic/is_positive.sql":
          "select * from {{model}} where {{column_name}} {{#if strict}}<={{else}}<{{/if}} 0\n",
      },
    );
    expect(sql("is_positive_orders_order_id__true")).toBe(`select * from ${ORDERS} where order_id <= 0\n`);
  });

  it("singular tests render with ref and take {{config}}", () => {
    const project = loadFixture({
      ...MODELS,
      "tests/no_negative.sql":
        '{{config severity="warn"}}\nselect * from {{ref "orders"}} where order_id < 0\n',
    });
    const test = project.manifest.nodes["test.shop.no_negative"];
    expect(renderNode(project, "test.shop.no_negative")).toBe(`select * from ${ORDERS} where order_id < 0\n`);
    expect(test?.config).toMatchObject({ severity: "warn" });
    expect(test?.depends_on.nodes).toEqual(["model.shop.orders"]);
  });

  it("source tests read the source relation", () => {
    const { sql } = compileTests(`version: 2
sources:
  - name: raw
    schema: landing
    tables:
      - name: events
        columns:
          - name: event_id
            tests: [not_null]
`);
    expect(sql("source_not_null_raw_events_event_id")).toBe(
      'select *\nfrom "iceberg"."landing"."events"\nwhere event_id is null',
    );
  });
});

describe("test errors name the yml file, the path and the fix", () => {
  it.each([
    ["an unknown test", "tests: [uniqe]", "unknown test 'uniqe'", "did you mean 'unique'?"],
    ["a missing argument", "tests: [accepted_values]", "accepted_values needs values", "fix the arguments"],
    [
      "an unknown argument",
      "tests:\n          - unique:\n              colum: x",
      "does not take the argument 'colum'",
      "remove 'colum'",
    ],
    [
      "a bad severity",
      "tests:\n          - unique:\n              config: {severity: fatal}",
      "",
      "severity: error or severity: warn",
    ],
    [
      "a bad threshold",
      "tests:\n          - unique:\n              config: {warn_if: lots}",
      "warn_if must be a comparison",
      'warn_if: ">10"',
    ],
    [
      "a relationships target that does not exist",
      "tests:\n          - relationships: {to: ref('custmers'), field: id}",
      "'custmers' is not a model",
      "did you mean 'customers'?",
    ],
  ])("%s", (_name, tests, message, hint) => {
    const yml = `version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: order_id\n        ${tests}\n`;
    const error = errorOf(() => compileTests(yml));
    expect(error.location?.file).toBe("models/schema.yml");
    expect(error.location?.line).toBeGreaterThanOrEqual(6);
    expect(error.location?.path).toMatch(/^models\[0\]\.columns\[0\]\.tests\[0\]/);
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
  });

  it("a duplicate test name names both files", () => {
    const yml = (file: string) =>
      `version: 2\nmodels:\n  - name: ${file}\n    columns:\n      - name: customer_id\n        tests: [{not_null: {name: same}}]\n`;
    const error = errorOf(() =>
      loadFixture({ ...MODELS, "models/a.yml": yml("orders"), "models/b.yml": yml("customers") }),
    );
    expect(error.message).toContain("models/a.yml and models/b.yml");
    expect(error.hint).toContain("name:");
  });
});
