import { CancelledError } from "../../core/errors.js";
import type { QueryOptions, QueryResult, TrinoConnection } from "../../trino/connection.js";

/** A fake Trino: answers at once, or — for statements matching `hang` — waits until the query is aborted. */
export function fakeTrino(hang?: RegExp, fail?: RegExp): TrinoConnection & { sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    server: "fake",
    async query<Row>(text: string, options: QueryOptions = {}): Promise<QueryResult<Row>> {
      sql.push(text);
      // A statement matching `fail` fails as Trino would reject it.
      if (fail?.test(text)) throw new Error(`fake Trino rejects: ${text.slice(0, 60)}`);
      if (hang?.test(text)) {
        await new Promise((_, reject) => {
          if (options.signal?.aborted) reject(new CancelledError());
          options.signal?.addEventListener("abort", () => reject(new CancelledError()), { once: true });
        });
      }
      return {
        queryId: `q${sql.length}`,
        columns: [],
        rows: [],
        updateType: undefined,
        updateCount: 3,
        elapsedMillis: 0,
        stats: undefined,
      };
    },
    async cancelAll() {},
  };
}
