import { DuckDBInstance } from "@duckdb/node-api";

/** Files for the load tests and `bench:load`: the same rows in every format. */

/** A valid product_view, fixed (unit tests compare exact values). */
export const SAMPLE_VIEW = {
  event_id: "0b5f6c1e-8a4e-4b2a-9a51-3c2d1e0f9a77",
  event_type: "product_view",
  event_time: "2026-01-05T10:00:00.000Z",
  user_id: "u-1",
  session_id: "s-1",
  product_id: "p-1",
} as const;

/** Rows as NDJSON text, one JSON object a line. */
export function ndjsonText(rows: readonly object[]): string {
  return `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
}

/** An NDJSON file rewritten as Parquet by DuckDB, with the types it infers (times → TIMESTAMP, ints → BIGINT). */
export async function parquetFromNdjson(ndjsonPath: string, parquetPath: string): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    const quote = (p: string) => `'${p.replaceAll("'", "''")}'`;
    await connection.run(
      `COPY (SELECT * FROM read_json(${quote(ndjsonPath)})) TO ${quote(parquetPath)} (FORMAT parquet)`,
    );
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}
