import type { QueryResult } from "../../trino/connection.js";

/** Test support: what a fake Trino answers, `rows` as the rows of a query with no columns or counts. */
export function queryResult<Row>(rows: readonly unknown[]): QueryResult<Row> {
  return {
    queryId: "q",
    columns: [],
    rows: rows as Row[],
    updateType: undefined,
    updateCount: undefined,
    elapsedMillis: 0,
    stats: undefined,
  };
}
