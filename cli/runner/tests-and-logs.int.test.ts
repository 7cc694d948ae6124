import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/** Data tests as results (pass/warn/fail with rows), --store-failures, --log-format json, floe show. */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_tests_logs");
afterAll(async () => {
  await dropSchema(trino, schema);
  await dropSchema(trino, `${schema}_floe_test__audit`);
});

describe("floe test, show and the JSON log", () => {
  it("reports warn vs fail with failing rows, stores failures, logs JSON, shows rows", async () => {
    const dir = writeRunnerProject(schema, {
      "models/orders.sql":
        '{{config materialized="table"}}\nselect * from (values (1, 10.0), (2, -5.0), (2, 7.0), (3, CAST(NULL AS double))) as t(order_id, amount)\n',
      "models/schema.yml": `version: 2
models:
  - name: orders
    columns:
      - name: order_id
        tests:
          - unique:
              config: {store_failures: true}
      - name: amount
        tests:
          - not_null:
              config: {severity: warn}
          - expression_is_true:
              name: amount_not_negative
              expression: ">= 0"
              config: {where: "amount is not null"}
`,
      "tests/no_big_orders.sql": 'select * from {{ref "orders"}} where amount > 100\n',
    });
    expect((await floe(dir, "run")).exitCode).toBe(0);

    const tested = await floe(dir, "test");
    expect(tested.exitCode).toBe(1);
    expect(tested.stdout).toMatch(/WARN 1 not_null_orders_amount .*\[WARN 1 in/);
    expect(tested.stdout).toMatch(/FAIL 1 unique_orders_order_id .*\[FAIL 1 in/);
    expect(tested.stdout).toMatch(/FAIL 1 amount_not_negative/);
    expect(tested.stdout).toMatch(/PASS no_big_orders/);
    expect(tested.stdout).toMatch(/\| -5 +\|/); // the failing row, not only a count
    expect(tested.stdout).toContain("Done. PASS=1 WARN=1 ERROR=2 SKIP=0 TOTAL=4");

    // store_failures: the failing rows are queryable afterwards in the audit schema.
    const results = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    const unique = results.results.find((r: { unique_id: string }) =>
      r.unique_id.includes("unique_orders_order_id"),
    );
    expect(unique).toMatchObject({ status: "fail", failures: 1 });
    expect(unique.message).toMatch(/Stored in "iceberg"\."[a-z0-9_]+"\."unique_orders_order_id"/);
    const stored = /Stored in (\S+)\./.exec(unique.message)![1]!;
    expect(await rows(trino, `SELECT * FROM ${stored}`)).toHaveLength(1);

    const json = await floe(dir, "test", "--log-format", "json", "-s", "orders");
    const events = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ code: "RUN_STARTED", command: "test" });
    expect(events.filter((e) => e.code === "NODE_FINISHED")).toHaveLength(4);
    expect(events.find((e) => e.code === "NODE_FINISHED" && e.result.status === "warn")).toMatchObject({
      level: "warn",
    });
    expect(events.at(-1)).toMatchObject({ code: "RUN_FINISHED" });

    const shown = await floe(dir, "show", "-s", "orders", "--limit", "2");
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain("| order_id | amount |");
    expect(
      shown.stdout
        .trim()
        .split("\n")
        .filter((l) => /^\| \d/.test(l)),
    ).toHaveLength(2);
  });
});
