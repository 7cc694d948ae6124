import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { parse } from "csv-parse";
import { FloeError } from "../../core/errors.js";
import { invalidUtf8Offset } from "../json-limits.js";
import type { LoadFormat } from "./format.js";

/**
 * A local file as the sequence of its rows, in file order. Every row, good or not, gets the next ordinal
 * (`row`, from 0): the ordinal names a row across runs (the checkpoint and the Kafka headers use it), so a
 * file's rows must come out in the same order every time — one reader per format, each deterministic.
 */

export type SourceItem =
  | { readonly kind: "line"; readonly text: string }
  | { readonly kind: "record"; readonly record: Record<string, unknown> }
  | { readonly kind: "malformed"; readonly reason: string; readonly text: string };

export interface SourceRow {
  readonly row: number;
  /** The line it starts on (NDJSON, CSV); Parquet rows have none. */
  readonly line?: number;
  readonly item: SourceItem;
}

export function readRows(path: string, format: LoadFormat): AsyncGenerator<SourceRow> {
  switch (format) {
    case "ndjson":
      return readNdjson(path);
    case "csv":
      return readCsv(path);
    case "parquet":
      return readParquet(path);
  }
}

/**
 * Blank lines are not rows (a trailing newline, a separator); everything else is one. Lines are split as
 * bytes and checked as UTF-8 before decoding: a line with invalid bytes is a malformed row for the DLQ
 * (as the sink treats such a message), never text silently rewritten to U+FFFD.
 */
async function* readNdjson(path: string): AsyncGenerator<SourceRow> {
  let line = 0;
  let row = 0;
  let rest: Buffer = Buffer.alloc(0);
  const lineOf = (bytes: Buffer): SourceRow | undefined => {
    line++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    const content = bytes.subarray(0, end);
    if (!isUtf8(content)) {
      const text = content.toString("utf8");
      return {
        row: row++,
        line,
        item: { kind: "malformed", reason: `invalid UTF-8 at byte ${invalidUtf8Offset(content)}`, text },
      };
    }
    const text = content.toString("utf8");
    return text.trim() === "" ? undefined : { row: row++, line, item: { kind: "line", text } };
  };
  for await (const chunk of createReadStream(path)) {
    let data: Buffer = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    let newline = data.indexOf(0x0a);
    while (newline !== -1) {
      const out = lineOf(data.subarray(0, newline));
      if (out) yield out;
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) {
    const out = lineOf(rest);
    if (out) yield out;
  }
}

/**
 * csv-parse with a header row. Its callbacks run in parse order, records and bad rows interleaved, so they
 * are queued here rather than read from the stream (whose 'skip' events would race its buffered records).
 */
async function* readCsv(path: string): AsyncGenerator<SourceRow> {
  const queue: SourceRow[] = [];
  let row = 0;
  const parser = parse({
    columns: true,
    bom: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // The bad row's own text, for its dead letter.
    raw: true,
    on_record: (value: { record: Record<string, unknown> }, context) => {
      // `lines` is where the record ends; a record spans more than one line only with quoted newlines.
      // With `raw`, csv-parse hands over `{record, raw}`.
      queue.push({ row: row++, line: context.lines, item: { kind: "record", record: value.record } });
      return null;
    },
    on_skip: (error, raw) => {
      queue.push({
        row: row++,
        ...(typeof error?.lines === "number" ? { line: error.lines } : {}),
        item: {
          kind: "malformed",
          reason: `bad CSV row: ${error?.message ?? "unreadable"}`.slice(0, 300),
          text: (raw ?? "").replace(/\r?\n$/, ""),
        },
      });
      return undefined;
    },
  });
  const failed = new Promise<never>((_, reject) => parser.once("error", reject));
  failed.catch(() => {});
  // Nothing is pushed (on_record returns null), but the readable side must flow for 'end' to fire.
  parser.resume();
  for await (const chunk of createReadStream(path)) {
    if (!parser.write(chunk)) await Promise.race([new Promise((r) => parser.once("drain", r)), failed]);
    yield* queue.splice(0);
  }
  parser.end();
  await Promise.race([new Promise((r) => parser.once("end", r)), failed]);
  yield* queue.splice(0);
}

/** DuckDB streams the file in chunks, one thread, in file order (`preserve_insertion_order`). */
async function* readParquet(path: string): AsyncGenerator<SourceRow> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    let result: Awaited<ReturnType<typeof connection.stream>>;
    try {
      result = await connection.stream(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
    } catch (cause) {
      throw new FloeError("LOAD_UNREADABLE", `${path} is not a readable Parquet file`, {
        hint: "check the file (or pass --format for a file whose extension misleads)",
        cause,
      });
    }
    let row = 0;
    for await (const rows of result.yieldRowObjectJs()) {
      for (const record of rows) yield { row: row++, item: { kind: "record", record } };
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
