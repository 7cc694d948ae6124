import { describe, expect, it } from "vitest";
import type { QueryResult, TrinoConnection } from "../../trino/connection.js";
import { TrinoQueryError } from "../../trino/errors.js";
import { loadProject } from "../compile/compile.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import { buildShop } from "./shop-pipeline.js";

/**
 * A Trino that fails any statement naming `no_such_column` the way Trino does: at the line and column of
 * the submitted statement (which wraps the model's SQL in CREATE TABLE … AS).
 */
function trinoMissingColumn(): TrinoConnection {
  let n = 0;
  return {
    server: "fake",
    async query<Row>(sql: string): Promise<QueryResult<Row>> {
      n += 1;
      const line = sql.split("\n").findIndex((l) => l.includes("no_such_column")) + 1;
      if (line > 0) {
        throw new TrinoQueryError({
          queryId: `q${n}`,
          message: `line ${line}:3: Column 'no_such_column' cannot be resolved`,
          errorName: "COLUMN_NOT_FOUND",
          errorCode: 47,
          errorType: "USER_ERROR",
          sql,
          position: { line, column: 3 },
        });
      }
      return {
        queryId: `q${n}`,
        columns: [],
        rows: [],
        updateType: undefined,
        updateCount: 0,
        elapsedMillis: 0,
        stats: undefined,
      };
    },
    async cancelAll() {},
  };
}

describe("buildShop (the demo's build)", () => {
  it("maps a Trino error back to the model file's line, as floe build does", async () => {
    const dir = writeRunnerProject("demo_map", {
      // The config line renders to nothing, so compiled line 3 is template line 4.
      "models/orders.sql":
        '{{config materialized="table"}}\n-- one row per order\nselect 1 as id,\n  no_such_column as amount\n',
    });
    const project = loadProject({ projectDir: dir, env: {} });
    const build = await buildShop(project, { logger: { event: () => {} }, connection: trinoMissingColumn() });
    expect(build.exitCode).toBe(1);
    const [orders] = build.results;
    expect(orders?.status).toBe("error");
    expect(orders?.location).toMatch(/^models\/orders\.sql:4:3; compiled SQL /);
  });
});
