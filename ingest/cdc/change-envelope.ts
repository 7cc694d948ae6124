import { z } from "zod";
import { describeIssues } from "../contracts.js";
import { invalidUtf8Offset, storedValueProblem } from "../json-limits.js";
import { ENVELOPE_RAW_COLUMNS } from "./cdc-topics.js";

/**
 * Debezium change messages (JsonConverter, schemas disabled) as raw rows: the envelope checked with zod,
 * the row image flattened into text columns named as in the database (shared14.md "Raw layout"). The
 * `after` image is the row of an insert, snapshot read or update; the `before` image the row of a delete,
 * so the key column is set on every row. Pure: the sink's partition worker calls `decodeChange` per
 * message and buffers `changeLine`; the encoder turns the lines back into rows with `changeRows`.
 */

/** Kafka's default broker limit; a change row has no contract-sized bound like an event. */
export const MAX_CHANGE_BYTES = 4 * 1024 * 1024;

/**
 * Names a database column cannot have: the envelope's columns and the partition column. Such a message is
 * dead-lettered with the fix (rename the column) rather than landing a row that shadows the envelope.
 */
const RESERVED = new Set<string>([...ENVELOPE_RAW_COLUMNS.map((c) => c.name), "event_date"]);

const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const image = z.record(z.string(), z.unknown()).nullish();
const envelopeSchema = z.object({
  op: z.enum(["c", "r", "u", "d"], "must be one of c, r, u, d (create, read, update, delete)"),
  before: image,
  after: image,
  // LSNs are 64-bit; JSON.parse reads them exactly up to 2^53 (8 PiB of WAL), far beyond any real server.
  source: z.object({
    lsn: z.number().int().nonnegative(),
    txId: z.number().int().nullish(),
    // Up to 9999-12-31: the partition's date must be a 4-digit-year ISO date.
    ts_ms: z.number().int().nonnegative().max(MAX_TIME_MS),
    snapshot: z.union([z.string(), z.boolean()]).nullish(),
  }),
  ts_ms: z.number().int().nonnegative().nullish(),
});

/** One change, as the raw row will hold it (row values already text). */
export interface Change {
  readonly op: "c" | "r" | "u" | "d";
  /** Column → text (null for SQL NULL), lower-cased names, in the image's order. */
  readonly row: Readonly<Record<string, string | null>>;
  /** The before image as JSON text, or null when the message has none. */
  readonly before: string | null;
  readonly lsn: number;
  readonly txId: number | null;
  /** source.ts_ms: the commit time (the snapshot's time for op r). */
  readonly commitMs: number;
  /** The envelope's ts_ms: when Debezium processed the change. */
  readonly cdcMs: number | null;
  readonly snapshot: boolean;
}

export type ChangeDecode = { ok: true; change: Change } | { ok: false; reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes one message value of a CDC topic. Never throws: every problem is a DLQ reason. */
export function decodeChange(value: Uint8Array | null | undefined): ChangeDecode {
  const size = value?.length ?? 0;
  if (!value || size === 0) return { ok: false, reason: "empty message (no value): not a Debezium change" };
  if (size > MAX_CHANGE_BYTES) {
    return {
      ok: false,
      reason: `message is ${size} bytes; changes are limited to ${MAX_CHANGE_BYTES} bytes`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(value));
  } catch (error) {
    if (error instanceof TypeError)
      return { ok: false, reason: `invalid UTF-8 at byte ${invalidUtf8Offset(value)}` };
    return { ok: false, reason: `invalid JSON: ${String((error as Error).message).slice(0, 200)}` };
  }
  return parseChange(json);
}

/** Checks a parsed envelope and flattens its row image. */
export function parseChange(json: unknown): ChangeDecode {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return {
      ok: false,
      reason:
        "a Debezium change must be a JSON object (was the connector's JsonConverter set to schemas.enable=false?)",
    };
  }
  if ("schema" in json && "payload" in json) {
    return {
      ok: false,
      reason:
        "Debezium envelope with an embedded schema: set the connector's value.converter.schemas.enable=false",
    };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `Debezium envelope: ${describeIssues(parsed.error)}` };
  const e = parsed.data;
  const imageName = e.op === "d" ? "before" : "after";
  const rowImage = e.op === "d" ? e.before : e.after;
  if (!rowImage) return { ok: false, reason: `Debezium envelope: op ${e.op} without an ${imageName} image` };
  const row = flattenImage(rowImage);
  if (typeof row === "string") return { ok: false, reason: row };
  let before: string | null = null;
  if (e.before) {
    const problem = storedValueProblem(e.before, 2);
    if (problem) return { ok: false, reason: `Debezium envelope: before: ${problem}` };
    before = JSON.stringify(e.before);
  }
  return {
    ok: true,
    change: {
      op: e.op,
      row,
      before,
      lsn: e.source.lsn,
      txId: e.source.txId ?? null,
      commitMs: e.source.ts_ms,
      cdcMs: e.ts_ms ?? null,
      // Debezium says "true", "last", "first", "first_in_data_collection", … for snapshot rows, "false" after.
      snapshot:
        e.source.snapshot !== undefined &&
        e.source.snapshot !== null &&
        String(e.source.snapshot) !== "false",
    },
  };
}

/**
 * A row image as text columns: strings as they are, numbers and booleans as their JSON text, objects and
 * arrays (json columns, PostgreSQL arrays) as JSON, null as NULL. A string is the reason it cannot land.
 */
export function flattenImage(
  image: Readonly<Record<string, unknown>>,
): Record<string, string | null> | string {
  const row: Record<string, string | null> = Object.create(null);
  for (const name of Object.keys(image)) {
    const column = name.toLowerCase();
    if (RESERVED.has(column)) {
      return `column "${name}" has a name the raw table reserves (${[...RESERVED].join(", ")}): rename the database column`;
    }
    if (column in row)
      return `columns "${name}" and another differ only in case: the raw table's names are lower case`;
    const value = image[name];
    if (value === null || value === undefined) row[column] = null;
    else if (typeof value === "string") row[column] = value;
    else if (typeof value === "object") {
      const problem = storedValueProblem(value, 2);
      if (problem) return `column "${name}": ${problem}`;
      row[column] = JSON.stringify(value);
    } else row[column] = JSON.stringify(value);
  }
  return row;
}

/** `YYYY-MM-DD` of the commit, UTC: the `event_date` partition value. */
export const commitDate = (change: Change) => new Date(change.commitMs).toISOString().slice(0, 10);

/**
 * One buffered row, a JSON line (the sink's row buffers hold NDJSON):
 * `{"o":offset,"i":ingested ms,"op":…,"l":lsn,"x":txId,"c":commit ms,"t":cdc ms,"s":snapshot,"b":before,"r":{row}}`.
 */
export function changeLine(offset: string, change: Change, now: number): string {
  return JSON.stringify({
    o: Number(offset),
    i: now,
    op: change.op,
    l: change.lsn,
    x: change.txId,
    c: change.commitMs,
    t: change.cdcMs,
    s: change.snapshot,
    b: change.before,
    r: change.row,
  });
}

interface ChangeLine {
  o: number;
  i: number;
  op: string;
  l: number;
  x: number | null;
  c: number;
  t: number | null;
  s: boolean;
  b: string | null;
  r: Record<string, string | null>;
}

/** A raw row of a CDC table: the row's columns, then the envelope's. */
export type ChangeRow = Record<string, string | number | bigint | boolean | Date | null>;

/**
 * The rows of one file and its row columns (in order of first appearance): a file holds exactly the columns
 * its rows carry, and a column the database no longer sends simply stops appearing in new files.
 */
export function changeRows(
  lines: readonly string[],
  partition: number,
): { columns: string[]; rows: ChangeRow[] } {
  const columns = new Set<string>();
  const rows: ChangeRow[] = [];
  for (const text of lines) {
    const line = JSON.parse(text) as ChangeLine;
    const row: ChangeRow = Object.create(null);
    for (const column of Object.keys(line.r)) {
      columns.add(column);
      row[column] = line.r[column] ?? null;
    }
    row._op = line.op;
    row._before = line.b;
    row._lsn = BigInt(line.l);
    row._tx_id = line.x === null ? null : BigInt(line.x);
    row._commit_ts = new Date(line.c);
    row._cdc_ts = line.t === null ? null : new Date(line.t);
    row._snapshot = line.s;
    row._kafka_partition = partition;
    row._kafka_offset = BigInt(line.o);
    row._ingested_at = new Date(line.i);
    rows.push(row);
  }
  return { columns: [...columns], rows };
}
