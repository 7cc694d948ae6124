import { encodeParquet } from "../parquet-file.js";
import type { RowBuffer } from "../row-buffer.js";
import { cdcRawColumns } from "./cdc-topics.js";
import { changeRows } from "./change-envelope.js";

/**
 * One raw file of a CDC topic, encoded with hyparquet-writer: its columns are the union of its rows' (they
 * vary with the database's schema), which the event topics' fixed DuckDB projection does not fit. CDC
 * volumes (a database's changes) are far below the event topics', so the pure-JS encoder is enough.
 */

export interface ChangeFileInput {
  readonly kind: "cdc";
  readonly partition: number;
  /** The file's rows, one `changeLine` a line. */
  readonly rows: RowBuffer;
  readonly metadata: Record<string, string>;
}

export function encodeChangeFile(input: ChangeFileInput): Uint8Array {
  const { columns, rows } = changeRows(input.rows.lines(), input.partition);
  return encodeParquet({ columns: cdcRawColumns(columns), rows, metadata: input.metadata });
}

/** The row columns a file's lines carry, in order of first appearance (their markers come first). */
export function changeColumns(rows: RowBuffer): string[] {
  const columns = new Set<string>();
  for (const text of rows.lines()) {
    const line = JSON.parse(text) as { r: Record<string, unknown> };
    for (const column of Object.keys(line.r)) columns.add(column);
  }
  return [...columns];
}
