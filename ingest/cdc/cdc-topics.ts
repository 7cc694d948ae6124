import { type TopicKind, topicKindOf } from "../contracts.js";
import type { RawColumn } from "../raw-schema.js";

/**
 * Which topics are Debezium CDC topics, and the columns their raw tables start with. Debezium's topics are
 * `db.<table>` (topic.prefix=db, routed to drop the schema); a run may prefix them like the event topics
 * (`it42-db.orders`). A raw CDC table holds the row's columns (all varchar), then the envelope's.
 */

/** The shop database's tables (stack/postgres/shop-schema.sql) and their columns when the schema was made. */
export const SHOP_TABLES = {
  users: ["user_id", "email", "full_name", "country", "device", "created_at", "updated_at"],
  products: ["product_id", "name", "category", "price", "is_active", "updated_at"],
  inventory: ["product_id", "quantity", "low_stock_threshold", "updated_at"],
  orders: ["order_id", "user_id", "status", "amount", "currency", "country", "created_at", "updated_at"],
  order_items: ["order_item_id", "order_id", "product_id", "quantity", "unit_price"],
} as const satisfies Record<string, readonly string[]>;

export type ShopTable = keyof typeof SHOP_TABLES;
export const SHOP_TABLE_NAMES = Object.keys(SHOP_TABLES) as ShopTable[];

/** `db.users` for a table, with the run's topic prefix. */
export const cdcTopicName = (prefix: string, table: string) => `${prefix}db.${table}`;

/** The shop's CDC topics under a prefix (`floe ingest sink`'s and `register`'s defaults). */
export const shopCdcTopics = (prefix = "") => SHOP_TABLE_NAMES.map((t) => cdcTopicName(prefix, t));

/** The database table a CDC topic carries, or undefined for a topic that is not `[<prefix>]db.<table>`. */
export function cdcTableOf(topic: string): string | undefined {
  const match = /(?:^|[-._])db\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(topic);
  return match ? match[1] : undefined;
}

/** The row columns a CDC topic's raw table is created with (none for a table Floe does not know). */
export function baseColumnsOf(topic: string): readonly string[] {
  const table = cdcTableOf(topic);
  return table !== undefined && table in SHOP_TABLES ? SHOP_TABLES[table as ShopTable] : [];
}

/** The envelope columns as typed raw columns (after the row's varchar columns). */
export const ENVELOPE_RAW_COLUMNS: readonly RawColumn[] = [
  { name: "_op", type: "string" },
  { name: "_before", type: "string" },
  { name: "_lsn", type: "bigint" },
  { name: "_tx_id", type: "bigint" },
  { name: "_commit_ts", type: "timestamp" },
  { name: "_cdc_ts", type: "timestamp" },
  { name: "_snapshot", type: "boolean" },
  { name: "_kafka_partition", type: "int" },
  { name: "_kafka_offset", type: "bigint" },
  { name: "_ingested_at", type: "timestamp" },
];

/** A file's (or a table's) columns: its row columns as varchar, then the envelope's. */
export function cdcRawColumns(rowColumns: readonly string[]): RawColumn[] {
  return [...rowColumns.map((name): RawColumn => ({ name, type: "string" })), ...ENVELOPE_RAW_COLUMNS];
}

/** What the sink does with a topic's messages: an event contract's, or Debezium changes. */
export type SinkKind = TopicKind | "cdc";

/** A topic's kind; CDC first, since `db.orders` also ends like the `orders` event topic. */
export function sinkKindOf(topic: string): SinkKind | undefined {
  return cdcTableOf(topic) !== undefined ? "cdc" : topicKindOf(topic);
}
