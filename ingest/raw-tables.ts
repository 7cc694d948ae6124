import { UsageError } from "../core/errors.js";
import type { TrinoConnection } from "../trino/connection.js";
import { quoteIdentifier, quoteRelation, quoteString, stringArray } from "../trino/dialect.js";
import { baseColumnsOf, cdcRawColumns, cdcTableOf, type SinkKind, sinkKindOf } from "./cdc/cdc-topics.js";
import { TOPIC_KINDS, type TopicKind } from "./contracts.js";
import { RAW_COLUMNS, TRINO_TYPES } from "./raw-schema.js";
import { SINK_DEFAULTS } from "./sink/defaults.js";

/**
 * Raw external tables over the sink's files: `hive.<schema>.<topic_with_underscores>`, Parquet, partitioned
 * by event_date and event_type (the object path's `event_date=…/event_type=…`); a CDC topic's
 * (`db.<table>`) by event_date alone, its row columns varchar and growing with the database's schema. The statements are built
 * by pure functions; `registerRawTables` and `registerRawPartition` run them on the Trino connection the
 * caller made (the CLI, the demo, a test): this module reads no environment and keeps no connection.
 */

export interface RawTableTarget {
  readonly catalog: string;
  readonly schema: string;
  readonly bucket: string;
  /** Object prefix of the raw area, e.g. `raw/`. */
  readonly prefix: string;
}

export const DEFAULT_RAW_TARGET: RawTableTarget = {
  catalog: "hive",
  schema: SINK_DEFAULTS.hiveSchema,
  bucket: SINK_DEFAULTS.bucket,
  prefix: SINK_DEFAULTS.prefix,
};

/** What registration needs of a Trino connection (tests pass a recording fake). */
export type TrinoQuery = Pick<TrinoConnection, "query">;

const PARTITION_COLUMNS = ["event_date", "event_type"];
const CDC_PARTITION_COLUMN = "event_date";

export const tableNameOf = (topic: string) => topic.replace(/[^A-Za-z0-9_]/g, "_").toLowerCase();

export function qualifiedTable(target: RawTableTarget, topic: string): string {
  return quoteRelation({ catalog: target.catalog, schema: target.schema, identifier: tableNameOf(topic) });
}

export function topicLocation(target: RawTableTarget, topic: string): string {
  return `s3://${target.bucket}/${target.prefix}${topic}`;
}

export function createSchemaSql(target: RawTableTarget): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(target.catalog)}.${quoteIdentifier(target.schema)}`;
}

export function createTableSql(target: RawTableTarget, topic: string, kind: TopicKind): string {
  const columns = RAW_COLUMNS[kind].map((c) => `  ${quoteIdentifier(c.name)} ${TRINO_TYPES[c.type]}`);
  columns.push(...PARTITION_COLUMNS.map((c) => `  ${quoteIdentifier(c)} varchar`));
  return [
    `CREATE TABLE IF NOT EXISTS ${qualifiedTable(target, topic)} (`,
    columns.join(",\n"),
    ")",
    `WITH (external_location = ${quoteString(topicLocation(target, topic))}, format = 'PARQUET',`,
    `  partitioned_by = ${stringArray(PARTITION_COLUMNS)})`,
  ].join("\n");
}

/** A CDC topic's table: the base row columns it is known to have (more are added as they appear). */
export function createCdcTableSql(target: RawTableTarget, topic: string): string {
  const columns = cdcRawColumns(baseColumnsOf(topic)).map(
    (c) => `  ${quoteIdentifier(c.name)} ${TRINO_TYPES[c.type]}`,
  );
  columns.push(`  ${quoteIdentifier(CDC_PARTITION_COLUMN)} varchar`);
  return [
    `CREATE TABLE IF NOT EXISTS ${qualifiedTable(target, topic)} (`,
    columns.join(",\n"),
    ")",
    `WITH (external_location = ${quoteString(topicLocation(target, topic))}, format = 'PARQUET',`,
    `  partitioned_by = ${stringArray([CDC_PARTITION_COLUMN])})`,
  ].join("\n");
}

/**
 * A row column that appeared in the database (`ALTER TABLE … ADD COLUMN`): the raw table gains it as
 * varchar, and files written before it read it as NULL (the Hive connector maps Parquet columns by name).
 */
export function addCdcColumnSql(target: RawTableTarget, topic: string, column: string): string {
  return `ALTER TABLE ${qualifiedTable(target, topic)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column)} varchar`;
}

/**
 * Columns added to the raw schema after tables were first created (`CREATE TABLE IF NOT EXISTS` leaves an
 * existing table as it is): registration adds them, and files written before read them as NULL (the Hive
 * connector maps Parquet columns by name).
 */
export const ADDED_COLUMNS: Readonly<Record<TopicKind, readonly string[]>> = {
  // page_url: the user-events v3 field (contracts.ts), in tables created before v3.
  "user-events": ["_trace_id", "page_url"],
  "product-metadata": ["_trace_id"],
  orders: ["_trace_id"],
};

export function addColumnSql(target: RawTableTarget, topic: string, kind: TopicKind, column: string): string {
  const type = RAW_COLUMNS[kind].find((c) => c.name === column)?.type;
  if (type === undefined) throw new Error(`raw schema of ${kind} has no column ${column}`);
  return `ALTER TABLE ${qualifiedTable(target, topic)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column)} ${TRINO_TYPES[type]}`;
}

export function registerPartitionSql(
  target: RawTableTarget,
  topic: string,
  eventDate: string,
  eventType: string,
): string {
  const cdc = cdcTableOf(topic) !== undefined;
  const names = cdc ? [CDC_PARTITION_COLUMN] : PARTITION_COLUMNS;
  const values = cdc ? [eventDate] : [eventDate, eventType];
  return (
    `CALL ${quoteIdentifier(target.catalog)}.system.register_partition(${quoteString(target.schema)}, ` +
    `${quoteString(tableNameOf(topic))}, ${stringArray(names)}, ${stringArray(values)})`
  );
}

export function syncPartitionsSql(target: RawTableTarget, topic: string): string {
  return `CALL ${quoteIdentifier(target.catalog)}.system.sync_partition_metadata(${quoteString(target.schema)}, ${quoteString(tableNameOf(topic))}, 'ADD')`;
}

/** `DROP TABLE IF EXISTS` for a raw table (external: its files stay). */
export function dropTableSql(target: RawTableTarget, topic: string): string {
  return `DROP TABLE IF EXISTS ${qualifiedTable(target, topic)}`;
}

export function kindOrThrow(topic: string): SinkKind {
  const kind = sinkKindOf(topic);
  if (!kind) {
    throw new UsageError(`Topic "${topic}" has no contract.`, {
      hint: `topic names must end with one of ${TOPIC_KINDS.join(", ")}, or be a Debezium topic db.<table>`,
    });
  }
  return kind;
}

/** The row columns a CDC topic's files hold beyond its base columns (the column markers, on S3). */
export type CdcColumns = (topic: string) => Promise<readonly string[]>;

/**
 * Creates the schema and one table per topic (idempotent) and adds partitions already on S3. A CDC topic's
 * table also gains every column `cdcColumns` knows of (`ADD COLUMN IF NOT EXISTS`: idempotent too).
 */
export async function registerRawTables(
  trino: TrinoQuery,
  target: RawTableTarget,
  topics: readonly string[],
  sync = true,
  cdcColumns?: CdcColumns,
): Promise<string[]> {
  const kinds = topics.map((topic) => [topic, kindOrThrow(topic)] as const); // all names checked first
  await trino.query(createSchemaSql(target));
  const tables: string[] = [];
  for (const [topic, kind] of kinds) {
    if (kind === "cdc") {
      await trino.query(createCdcTableSql(target, topic));
      const base = new Set(baseColumnsOf(topic));
      for (const column of (await cdcColumns?.(topic)) ?? []) {
        if (!base.has(column)) await trino.query(addCdcColumnSql(target, topic, column));
      }
    } else {
      await trino.query(createTableSql(target, topic, kind));
      for (const column of ADDED_COLUMNS[kind]) await trino.query(addColumnSql(target, topic, kind, column));
    }
    if (sync) await trino.query(syncPartitionsSql(target, topic));
    tables.push(`${target.catalog}.${target.schema}.${tableNameOf(topic)}`);
  }
  return tables;
}

/** Adds one partition; an already registered partition is success. */
export async function registerRawPartition(
  trino: TrinoQuery,
  target: RawTableTarget,
  topic: string,
  eventDate: string,
  eventType: string,
): Promise<void> {
  try {
    await trino.query(registerPartitionSql(target, topic, eventDate, eventType));
  } catch (error) {
    // Trino 476 says "Partition [...] is already registered with location ..."; older ones "already exists".
    if (error instanceof Error && /already (exists|registered)/i.test(error.message)) return;
    throw error;
  }
}
