import { mkdtempSync, rmSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type ChangeFileInput, encodeChangeFile } from "./cdc/change-file.js";
import {
  CONTRACTS,
  type ParsedEvent,
  parseEvent,
  SCHEMA_VERSIONS,
  type SchemaVersion,
  type TopicKind,
} from "./contracts.js";
import { encodeParquet } from "./parquet-file.js";
import { type ColumnType, RAW_COLUMNS, type RawRow, toRawRow } from "./raw-schema.js";
import type { RowBuffer } from "./row-buffer.js";

/**
 * Parquet files written by DuckDB from the sink's buffered JSON lines (`bench:sink-cpu`: ~6 µs a row
 * against ~20 µs for hyparquet-writer with the JS row building it needs, measured in ingest/README.md).
 *
 * The sink validates every message in JS (zod, the contract's source of truth) and buffers one line per
 * row: `{"o":offset,"t":event_time ms,"i":ingested ms,"v":version,"r":trace id,"a":{attributes},"e":<original event>}`.
 * DuckDB parses the lines natively and projects them onto the raw columns: a column only takes a value
 * where the event's own contract (type + version) knows that field, exactly as zod's output does (a v1
 * event's `referrer`, a v2 event's `page_url` stay in `attributes`). `event_time` comes from JS (`Date.parse`, ms precision, as
 * before), offsets and attributes too. Where DuckDB refuses a file that JSON.parse accepted (a lone UTF-16
 * surrogate, a duplicate key, an integer beyond INT32), the file is rebuilt from the same lines and encoded
 * with hyparquet-writer: same rows either way, so same offsets ⇒ same rows holds.
 */

export interface LineFileInput {
  readonly kind: TopicKind;
  readonly eventType: string;
  readonly partition: number;
  /** The file's rows, one `rowLine` a line. */
  readonly rows: RowBuffer;
  readonly metadata: Record<string, string>;
}

/** What the sink encodes: an event topic's file, or a CDC topic's (cdc/change-file.ts). */
export type FileInput = LineFileInput | ChangeFileInput;

/** One buffered row. `text` is the message's JSON exactly as validated. */
export function rowLine(
  offset: string,
  event: ParsedEvent,
  text: string,
  eventMs: number,
  now: number,
  traceId: string | null = null,
) {
  // NDJSON needs one line per row; raw newlines can only be whitespace in valid JSON.
  const e = text.includes("\n") || text.includes("\r") ? text.replace(/[\r\n]/g, " ") : text;
  const t = Number.isFinite(eventMs) ? eventMs : "null";
  // A trace id is 32 hex digits (checked where it is read), so it needs no escaping.
  const r = traceId === null ? "null" : `"${traceId}"`;
  return `{"o":${offset},"t":${t},"i":${now},"v":${event.schemaVersion},"r":${r},"a":${JSON.stringify(event.attributes)},"e":${e}}`;
}

interface Line {
  o: number;
  t: number | null;
  i: number;
  v: SchemaVersion;
  r?: string | null;
  a: Record<string, string>;
  e: unknown;
}

/** The fallback: the same rows as `toRawRow` built them, from the buffered lines. */
export function rowsFromLines(input: LineFileInput): RawRow[] {
  return input.rows.lines().map((text) => {
    const line = JSON.parse(text) as Line;
    const parsed = parseEvent(input.kind, line.e);
    if (!parsed.ok) throw new Error(`buffered row no longer validates: ${parsed.reason}`);
    return toRawRow(parsed.event, {
      partition: input.partition,
      offset: BigInt(line.o),
      ingestedAt: new Date(line.i),
      traceId: line.r ?? null,
    });
  });
}

const READ_TYPES: Record<ColumnType, string> = {
  string: "VARCHAR",
  int: "BIGINT",
  bigint: "BIGINT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "VARCHAR",
  items: "STRUCT(sku VARCHAR, qty BIGINT, unit_price DOUBLE)[]",
  map: "MAP(VARCHAR, VARCHAR)",
};
const WRITE_TYPES: Record<ColumnType, string> = {
  ...READ_TYPES,
  int: "INTEGER",
  timestamp: "TIMESTAMPTZ",
  items: "STRUCT(sku VARCHAR, qty INTEGER, unit_price DOUBLE)[]",
};

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The SELECT projecting one file's lines (one topic, one event type) onto the raw columns. */
export function projectionSql(kind: TopicKind, eventType: string, partition: number, path: string): string {
  const columns = RAW_COLUMNS[kind];
  const contract = CONTRACTS[kind][eventType];
  // The versions this event type has (only those reach a file: any other is dead-lettered before).
  const versions = SCHEMA_VERSIONS.filter((v) => contract?.[v] !== undefined);
  const fields = columns.filter(
    (c) => c.type !== "map" && !c.name.startsWith("_") && c.name !== "schema_version",
  );
  const struct = fields
    .filter((c) => c.name !== "event_time")
    .map((c) => `${ident(c.name)} ${READ_TYPES[c.type]}`)
    .join(", ");
  const select = columns.map((c) => {
    const as = `${ident(c.name)}`;
    switch (c.name) {
      case "event_time":
        return `epoch_ms(t)::TIMESTAMPTZ AS ${as}`;
      case "schema_version":
        return `v::INTEGER AS ${as}`;
      case "attributes":
        return `a AS ${as}`;
      case "_kafka_partition":
        return `${partition}::INTEGER AS ${as}`;
      case "_kafka_offset":
        return `o AS ${as}`;
      case "_ingested_at":
        return `epoch_ms(i)::TIMESTAMPTZ AS ${as}`;
      case "_trace_id":
        return `r AS ${as}`;
    }
    const withColumn = versions.filter((v) => c.name in (contract?.[v] ?? {}));
    // CAST, not TRY_CAST: a value DuckDB cannot hold fails the file, which then takes the JS path.
    const value = `CAST(e.${ident(c.name)} AS ${WRITE_TYPES[c.type]})`;
    const typedNull = `CAST(NULL AS ${WRITE_TYPES[c.type]})`;
    if (withColumn.length === 0) return `${typedNull} AS ${as}`;
    if (withColumn.length === versions.length) return `${value} AS ${as}`;
    return `CASE WHEN v IN (${withColumn.join(", ")}) THEN ${value} ELSE ${typedNull} END AS ${as}`;
  });
  const read =
    `read_json(${sqlString(path)}, format = 'newline_delimited', ` +
    `columns = {o: 'BIGINT', t: 'BIGINT', i: 'BIGINT', v: 'INTEGER', r: 'VARCHAR', a: 'MAP(VARCHAR, VARCHAR)', ` +
    `e: ${sqlString(`STRUCT(${struct})`)}})`;
  return `SELECT ${select.join(", ")} FROM ${read}`;
}

async function writeChunks(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const file = await open(path, "w");
  try {
    for (const chunk of chunks) await file.write(chunk);
  } finally {
    await file.close();
  }
}

export class DuckParquetEncoder {
  private chain: Promise<unknown> = Promise.resolve();
  private next = 0;
  /** Files DuckDB refused and hyparquet-writer encoded instead. */
  fallbacks = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: Awaited<ReturnType<DuckDBInstance["connect"]>>,
    private readonly dir: string,
  ) {}

  /** `threads`: DuckDB worker threads (the sink's 2-core machines share them with Kafka and Trino). */
  static async create(threads = 1): Promise<DuckParquetEncoder> {
    const instance = await DuckDBInstance.create(":memory:", {
      threads: String(Math.max(1, threads)),
      // No network: the parquet and json extensions are built in.
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckParquetEncoder(instance, connection, mkdtempSync(join(tmpdir(), "floe-sink-")));
  }

  /**
   * Encodes one file. DuckDB runs one COPY at a time (one connection); the NDJSON file is written
   * before taking that turn, so writing the next file overlaps the current COPY.
   */
  encode(input: FileInput): Promise<Uint8Array> {
    if (input.kind === "cdc") return Promise.resolve().then(() => encodeChangeFile(input));
    const base = join(this.dir, String(this.next++));
    const written = writeChunks(`${base}.ndjson`, input.rows.data());
    written.catch(() => {}); // awaited in its turn (a failure takes the fallback), not unhandled before
    const run = this.chain.then(() => this.encodeNow(input, base, written));
    this.chain = run.catch(() => {});
    return run;
  }

  private async encodeNow(input: LineFileInput, base: string, written: Promise<void>): Promise<Uint8Array> {
    const json = `${base}.ndjson`;
    const parquet = `${base}.parquet`;
    try {
      await written;
      const kv = Object.entries(input.metadata)
        .map(([k, v]) => `${ident(k)}: ${sqlString(v)}`)
        .join(", ");
      await this.connection.run(
        `COPY (${projectionSql(input.kind, input.eventType, input.partition, json)}) TO ${sqlString(parquet)} ` +
          `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880${kv ? `, KV_METADATA {${kv}}` : ""})`,
      );
      return new Uint8Array(await readFile(parquet));
    } catch {
      this.fallbacks++;
      return encodeParquet({
        columns: RAW_COLUMNS[input.kind],
        rows: rowsFromLines(input),
        metadata: input.metadata,
      });
    } finally {
      await Promise.allSettled([unlink(json), unlink(parquet)]);
    }
  }

  async close(): Promise<void> {
    await this.chain;
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
