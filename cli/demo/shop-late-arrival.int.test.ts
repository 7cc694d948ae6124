import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * The shop's cross-topic test `tests/assert_every_purchase_has_an_order.sql`, as it is, over small staged
 * tables on the real Trino: it still catches an orphan purchase older than its late-arrival allowance (10
 * minutes behind the order stream's newest event), and one without an order id, but not a purchase whose
 * order may still be in flight (younger than that), nor one whose order exists.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_late_arrival");
const TEST = readFileSync(
  new URL("../../tests/assert_every_purchase_has_an_order.sql", import.meta.url),
  "utf8",
);

afterAll(async () => {
  await dropSchema(trino, schema);
  await dropSchema(trino, `${schema}_floe_test__audit`);
});

const ts = (time: string) => `timestamp '2026-12-01 ${time}.000000'`;
const table = (columns: string, values: readonly string[]) =>
  `{{config materialized="table"}}\nselect * from (values ${values.join(", ")}) as t(${columns})\n`;

describe("assert_every_purchase_has_an_order", () => {
  it("fails on an orphan purchase outside the allowance, not on one whose order may be in flight", async () => {
    const dir = writeRunnerProject(schema, {
      // The order stream's newest event is at 12:00, so purchases until 11:50 are judged.
      "models/stg_order_events.sql": table("order_id, event_type, event_time", [
        `('o-1', 'order_created', ${ts("11:00:00")})`,
        `('o-2', 'order_created', ${ts("11:58:00")})`,
        `('o-2', 'order_paid', ${ts("12:00:00")})`,
      ]),
      "models/fct_orders.sql":
        '{{config materialized="table"}}\nselect distinct order_id from {{ref "stg_order_events"}}\n',
      "models/stg_user_events.sql": table("event_id, event_type, order_id, event_time", [
        `('has-order', 'purchase', 'o-1', ${ts("11:01:00")})`,
        `('orphan', 'purchase', 'o-404', ${ts("11:30:00")})`,
        `('no-order-id', 'purchase', CAST(NULL AS varchar), ${ts("11:45:00")})`,
        `('in-flight', 'purchase', 'o-405', ${ts("11:55:00")})`,
        `('view', 'product_view', CAST(NULL AS varchar), ${ts("11:20:00")})`,
      ]),
      "tests/assert_every_purchase_has_an_order.sql": TEST,
    });
    const built = await floe(dir, "build", "--store-failures");
    expect(built.exitCode, built.stdout + built.stderr).toBe(1);
    const results = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    const test = results.results.find((r: { unique_id: string }) =>
      r.unique_id.includes("assert_every_purchase_has_an_order"),
    );
    expect(test).toMatchObject({ status: "fail", failures: 2 });
    const stored = /Stored in (\S+)\./.exec(test.message)?.[1];
    expect(stored).toBeDefined();
    const failing = await rows(trino, `SELECT event_id FROM ${stored} ORDER BY 1`);
    expect(failing.map((r) => r.event_id)).toEqual(["no-order-id", "orphan"]);
  });
});
