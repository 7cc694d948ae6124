import { describe, expect, it } from "vitest";
import type { QueryResult, TrinoConnection } from "../../trino/connection.js";
import { TrinoQueryError } from "../../trino/errors.js";
import { plan, type Step } from "../plan/steps.js";
import { type ExecutionContext, executePlan, StepFailedError } from "./executor.js";
import { NodeQueries } from "./node-queries.js";
import { RelationCache } from "./relation-cache.js";

/** A recording fake: every statement is logged; statements matching `failOn` fail like Trino would. */
function fake(failOn?: RegExp): TrinoConnection & { sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    server: "fake",
    async query<Row>(text: string): Promise<QueryResult<Row>> {
      sql.push(text);
      await new Promise((r) => setTimeout(r, 1));
      if (failOn?.test(text)) {
        throw new TrinoQueryError({
          queryId: "q1",
          message: "line 3:5: Column 'x' cannot be resolved",
          errorName: "COLUMN_NOT_FOUND",
          errorCode: 47,
          errorType: "USER_ERROR",
          sql: text,
          position: { line: 3, column: 5 },
        });
      }
      return {
        queryId: `q${sql.length}`,
        columns: [],
        rows: [],
        updateType: undefined,
        updateCount: 7,
        elapsedMillis: 1,
        stats: undefined,
      };
    },
    async cancelAll() {},
  };
}

const rel = { catalog: "iceberg", schema: "s", identifier: "t" };
const tmp = { ...rel, identifier: "t__floe_tmp" };
const ctx = (): ExecutionContext => ({ relations: new RelationCache(), schemasCreated: new Map() });

describe("executePlan", () => {
  it("runs steps in order, reports the last row count, and creates a shared schema once", async () => {
    const conn = fake();
    const c = ctx();
    const schema: Step = {
      kind: "create-schema",
      catalog: "iceberg",
      schema: "s",
      location: "s3://warehouse/s",
    };
    const view = (identifier: string): Step => ({
      kind: "create-view",
      relation: { ...rel, identifier },
      sql: "select 1",
    });
    const [a] = await Promise.all([
      executePlan(
        plan([
          schema,
          {
            kind: "create-table-as",
            relation: rel,
            source: { kind: "query", sql: "select 1" },
            properties: [],
            replace: true,
          },
        ]),
        new NodeQueries(conn, undefined),
        c,
      ),
      executePlan(plan([schema, view("v")]), new NodeQueries(conn, undefined), c),
    ]);
    expect(a.rowsAffected).toBe(7);
    expect(conn.sql.filter((s) => s.startsWith("CREATE SCHEMA"))).toHaveLength(1);
    const q = new NodeQueries(conn, undefined);
    expect(await c.relations.state(rel, q, false)).toEqual({ kind: "table", columns: undefined });
    expect(await c.relations.state({ ...rel, identifier: "v" }, q, false)).toEqual({ kind: "view" });
  });

  it("stops at a failing statement, still runs cleanup, and says where the model SQL starts", async () => {
    const conn = fake(/^INSERT/);
    const steps = plan(
      [
        {
          kind: "create-table-as",
          relation: tmp,
          source: { kind: "query", sql: "select 1 as x" },
          properties: [],
          replace: true,
        },
        { kind: "insert", target: rel, columns: ["x"], source: { kind: "relation", relation: tmp } },
        { kind: "drop-column", relation: rel, column: "y" },
      ],
      [{ kind: "drop-relation", relation: tmp, relationType: "table" }],
    );
    const error = await executePlan(steps, new NodeQueries(conn, undefined), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailedError);
    expect(conn.sql.map((s) => s.split(" ").slice(0, 2).join(" "))).toEqual([
      "CREATE OR",
      "INSERT INTO",
      "DROP TABLE",
    ]);
  });
});
