import { describe, expect, it } from "vitest";
import type { QueryResult, TrinoConnection } from "../../trino/connection.js";
import type { TestNode } from "../compile/compile.js";
import { planTestBatches } from "../data-tests/combine/plan-batches.js";
import { NodeQueries } from "../execute/node-queries.js";
import { NodeRenderer } from "../render/render-node.js";
import { loadFixture } from "../testing/project-fixture.js";
import { TestBatches } from "./test-batches.js";

const YML = `version: 2
models:
  - name: orders
    columns:
      - name: order_id
        tests:
          - unique
          - not_null:
              config: {limit: 2}
`;

/** A Trino that answers every statement with one row of counts (or rejects every statement). */
function countingTrino(row: Record<string, number> | "fail"): TrinoConnection & { sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    server: "fake",
    async query<Row>(text: string): Promise<QueryResult<Row>> {
      sql.push(text);
      if (row === "fail") throw new Error("fake Trino rejects it");
      return {
        queryId: `q${sql.length}`,
        columns: [],
        rows: [row as Row],
        updateType: undefined,
        updateCount: undefined,
        elapsedMillis: 0,
        stats: undefined,
      };
    },
    async cancelAll() {},
  };
}

function setUp(row: Record<string, number> | "fail") {
  const project = loadFixture({ "models/orders.sql": "select 1 as order_id", "models/schema.yml": YML });
  const tests = Object.values(project.manifest.nodes).filter(
    (n): n is TestNode => n.resource_type === "test",
  );
  const batches = planTestBatches(tests, { storeFailures: false, isBuiltin: () => true });
  const trino = countingTrino(row);
  const q = new NodeQueries(trino, undefined);
  const named = (name: string) => tests.find((t) => t.test_metadata?.name === name)!;
  return { batches: new TestBatches(batches, new NodeRenderer(project)), trino, q, named };
}

describe("TestBatches", () => {
  it("asks Trino once per batch and caps each count at the test's limit", async () => {
    const { batches, trino, q, named } = setUp({ floe_test_0: 5, floe_test_1: 5 });
    const [unique, notNull] = await Promise.all([
      batches.failures(named("unique"), q),
      batches.failures(named("not_null"), q),
    ]);
    expect(trino.sql).toHaveLength(1);
    expect(trino.sql[0]).toContain('from "iceberg"."analytics"."orders"');
    expect(unique).toBe(5);
    expect(notNull).toBe(2); // its own query would return at most `limit: 2` rows
  });

  it("follows: a batch's tests follow its first once it is claimed", () => {
    const { batches, named } = setUp({});
    const unique = named("unique").unique_id;
    const notNull = named("not_null").unique_id;
    expect(batches.follows(notNull)).toBe(false);
    batches.claim(unique);
    expect(batches.follows(notNull)).toBe(true);
    expect(batches.follows("test.shop.not_in_a_batch")).toBe(false);
  });

  it("a failing combined query leaves every test of the batch to its own query", async () => {
    const { batches, q, named } = setUp("fail");
    expect(await batches.failures(named("unique"), q)).toBeUndefined();
    expect(await batches.failures(named("not_null"), q)).toBeUndefined();
  });
});
