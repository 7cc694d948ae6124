import type { ParsedEvent, TopicKind } from "./contracts.js";

/**
 * One superset raw schema per topic: the union of every event type's and version's fields (v2 columns are
 * simply null for v1 rows), so files never roll on a schema change and one Trino table covers all
 * versions. `event_date` and `event_type` are Hive partition columns: they live in the object path, not
 * in the file. The same column list drives the Parquet writer and the `CREATE TABLE` DDL.
 */

export type ColumnType = "string" | "int" | "bigint" | "double" | "boolean" | "timestamp" | "items" | "map";

export interface RawColumn {
  readonly name: string;
  readonly type: ColumnType;
}

const col = (name: string, type: ColumnType): RawColumn => ({ name, type });

const HEAD: RawColumn[] = [
  col("event_id", "string"),
  col("event_time", "timestamp"),
  col("schema_version", "int"),
];
const TAIL: RawColumn[] = [
  col("attributes", "map"),
  col("_kafka_partition", "int"),
  col("_kafka_offset", "bigint"),
  col("_ingested_at", "timestamp"),
  // The W3C trace id of the request that brought the event in (the ingestion API's `traceparent` Kafka
  // header); null for events produced straight to Kafka and in files written before the column existed.
  col("_trace_id", "string"),
];

export const RAW_COLUMNS: Record<TopicKind, readonly RawColumn[]> = {
  "user-events": [
    ...HEAD,
    col("user_id", "string"),
    col("session_id", "string"),
    col("product_id", "string"),
    col("quantity", "int"),
    col("price", "double"),
    col("currency", "string"),
    col("order_id", "string"),
    col("country", "string"),
    col("device", "string"),
    col("referrer", "string"),
    col("campaign", "string"),
    // v3 (issue 14): added after raw tables existed, so registration also ALTERs it in (raw-tables.ts).
    col("page_url", "string"),
    ...TAIL,
  ],
  "product-metadata": [
    ...HEAD,
    col("product_id", "string"),
    col("name", "string"),
    col("category", "string"),
    col("price", "double"),
    col("currency", "string"),
    col("stock_quantity", "int"),
    col("is_active", "boolean"),
    col("brand", "string"),
    ...TAIL,
  ],
  orders: [
    ...HEAD,
    col("order_id", "string"),
    col("customer_id", "string"),
    col("amount", "double"),
    col("currency", "string"),
    col("country", "string"),
    col("items", "items"),
    col("payment_method", "string"),
    ...TAIL,
  ],
};

/** Trino (Hive connector) type of each column type. Timestamps are UTC instants stored as micros. */
export const TRINO_TYPES: Record<ColumnType, string> = {
  string: "varchar",
  int: "integer",
  bigint: "bigint",
  double: "double",
  boolean: "boolean",
  timestamp: "timestamp(3)",
  items: "array(row(sku varchar, qty integer, unit_price double))",
  map: "map(varchar, varchar)",
};

/** One row as it goes into a raw file. */
export type RawRow = Record<string, unknown>;

export interface KafkaCoordinates {
  readonly partition: number;
  readonly offset: bigint;
  readonly ingestedAt: Date;
  /** From the message's `traceparent` header. */
  readonly traceId?: string | null;
}

/** Projects a validated event onto its topic's superset columns. */
export function toRawRow(event: ParsedEvent, at: KafkaCoordinates): RawRow {
  const row: RawRow = {};
  for (const column of RAW_COLUMNS[event.kind]) {
    const value = event.fields[column.name];
    row[column.name] = value === undefined ? null : value;
  }
  row.event_time = new Date(String(event.fields.event_time));
  row.schema_version = event.schemaVersion;
  row.attributes = event.attributes;
  row._kafka_partition = at.partition;
  row._kafka_offset = at.offset;
  row._ingested_at = at.ingestedAt;
  row._trace_id = at.traceId ?? null;
  return row;
}

/** `YYYY-MM-DD` of an instant, in UTC: the `event_date` partition value. */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
