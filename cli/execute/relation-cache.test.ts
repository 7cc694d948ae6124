import { describe, expect, it } from "vitest";
import type { QueryResult, TrinoConnection } from "../../trino/connection.js";
import { queryResult } from "../testing/query-result.js";
import { NodeQueries } from "./node-queries.js";
import { RelationCache } from "./relation-cache.js";

/** A warehouse as Trino 476 lists it: information_schema says BASE TABLE for a materialized view too. */
function warehouse(): TrinoConnection {
  const result = queryResult;
  return {
    server: "fake",
    async query<Row>(sql: string): Promise<QueryResult<Row>> {
      if (sql.includes("schemata")) return result([{ schema_name: "marts" }]);
      if (sql.includes("information_schema")) {
        return result([
          { table_schema: "marts", table_name: "orders", table_type: "BASE TABLE" },
          { table_schema: "marts", table_name: "daily", table_type: "BASE TABLE" },
          { table_schema: "marts", table_name: "v", table_type: "VIEW" },
        ]);
      }
      if (sql.includes("system.metadata.materialized_views")) {
        return result([{ schema_name: "marts", name: "daily", comment: "floe definition abc" }]);
      }
      throw new Error(`unexpected ${sql}`);
    },
    async cancelAll() {},
  };
}

const rel = (identifier: string) => ({ catalog: "iceberg_mv", schema: "marts", identifier });

describe("RelationCache", () => {
  it("tells a materialized view from a table, with its comment, and follows the steps that change it", async () => {
    const cache = new RelationCache();
    const q = new NodeQueries(warehouse(), undefined);
    await cache.prefetch([rel("orders")], q);
    expect(await cache.state(rel("daily"), q, false)).toEqual({
      kind: "materialized_view",
      comment: "floe definition abc",
    });
    expect(await cache.state(rel("orders"), q, false)).toEqual({ kind: "table", columns: undefined });
    expect(await cache.state(rel("v"), q, false)).toEqual({ kind: "view" });

    cache.apply({
      kind: "create-materialized-view",
      relation: rel("orders_mv"),
      sql: "select 1",
      gracePeriod: undefined,
      replace: false,
      comment: "floe definition new",
    });
    expect(await cache.state(rel("orders_mv"), q, false)).toEqual({
      kind: "materialized_view",
      comment: "floe definition new",
    });
    cache.apply({ kind: "drop-relation", relation: rel("daily"), relationType: "materialized_view" });
    expect(await cache.state(rel("daily"), q, false)).toEqual({ kind: "absent", schemaExists: true });
  });
});
