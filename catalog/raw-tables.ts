import { UsageError } from "../core/errors.js";
import { TOPIC_KINDS, type TopicKind, topicKindOf } from "../ingest/contracts.js";
import { RAW_COLUMNS, TRINO_TYPES } from "../ingest/raw-schema.js";
import { trinoQuery } from "../ingest/trino-query.js";

/**
 * Raw external tables over the sink's files: `hive.<schema>.<topic_with_underscores>`, Parquet, partitioned
 * by event_date and event_type (the object path's `event_date=…/event_type=…`). The statements are built
 * by pure functions; `registerRawTables` and `registerRawPartition` run them.
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
  schema: "raw",
  bucket: "warehouse",
  prefix: "raw/",
};

export const tableNameOf = (topic: string) => topic.replace(/[^A-Za-z0-9_]/g, "_").toLowerCase();

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function qualifiedTable(target: RawTableTarget, topic: string): string {
  return `${ident(target.catalog)}.${ident(target.schema)}.${ident(tableNameOf(topic))}`;
}

export function topicLocation(target: RawTableTarget, topic: string): string {
  return `s3://${target.bucket}/${target.prefix}${topic}`;
}

export function createSchemaSql(target: RawTableTarget): string {
  return `CREATE SCHEMA IF NOT EXISTS ${ident(target.catalog)}.${ident(target.schema)}`;
}

export function createTableSql(target: RawTableTarget, topic: string, kind: TopicKind): string {
  const columns = RAW_COLUMNS[kind].map((c) => `  ${ident(c.name)} ${TRINO_TYPES[c.type]}`);
  columns.push(`  "event_date" varchar`, `  "event_type" varchar`);
  return [
    `CREATE TABLE IF NOT EXISTS ${qualifiedTable(target, topic)} (`,
    columns.join(",\n"),
    ")",
    `WITH (external_location = ${quote(topicLocation(target, topic))}, format = 'PARQUET',`,
    "  partitioned_by = ARRAY['event_date', 'event_type'])",
  ].join("\n");
}

export function registerPartitionSql(
  target: RawTableTarget,
  topic: string,
  eventDate: string,
  eventType: string,
): string {
  return (
    `CALL ${ident(target.catalog)}.system.register_partition(${quote(target.schema)}, ${quote(tableNameOf(topic))}, ` +
    `ARRAY['event_date', 'event_type'], ARRAY[${quote(eventDate)}, ${quote(eventType)}])`
  );
}

export function syncPartitionsSql(target: RawTableTarget, topic: string): string {
  return `CALL ${ident(target.catalog)}.system.sync_partition_metadata(${quote(target.schema)}, ${quote(tableNameOf(topic))}, 'ADD')`;
}

export function kindOrThrow(topic: string): TopicKind {
  const kind = topicKindOf(topic);
  if (!kind) {
    throw new UsageError(`Topic "${topic}" has no contract.`, {
      hint: `topic names must end with one of ${TOPIC_KINDS.join(", ")}`,
    });
  }
  return kind;
}

/** Creates the schema and one table per topic (idempotent) and adds partitions already on S3. */
export async function registerRawTables(
  target: RawTableTarget,
  topics: readonly string[],
  sync = true,
): Promise<string[]> {
  const kinds = topics.map((topic) => [topic, kindOrThrow(topic)] as const); // all names checked first
  await trinoQuery(createSchemaSql(target));
  const tables: string[] = [];
  for (const [topic, kind] of kinds) {
    await trinoQuery(createTableSql(target, topic, kind));
    if (sync) await trinoQuery(syncPartitionsSql(target, topic));
    tables.push(`${target.catalog}.${target.schema}.${tableNameOf(topic)}`);
  }
  return tables;
}

/** Adds one partition; an already registered partition is success. */
export async function registerRawPartition(
  target: RawTableTarget,
  topic: string,
  eventDate: string,
  eventType: string,
): Promise<void> {
  try {
    await trinoQuery(registerPartitionSql(target, topic, eventDate, eventType));
  } catch (error) {
    // Trino 476 says "Partition [...] is already registered with location ..."; older ones "already exists".
    if (error instanceof Error && /already (exists|registered)/i.test(error.message)) return;
    throw error;
  }
}
