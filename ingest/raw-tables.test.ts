import { describe, expect, it } from "vitest";
import {
  addCdcColumnSql,
  createCdcTableSql,
  createTableSql,
  DEFAULT_RAW_TARGET,
  registerPartitionSql,
  registerRawTables,
  tableNameOf,
} from "./raw-tables.js";

/** A Trino that records each statement and answers none. */
function recordingTrino() {
  const statements: string[] = [];
  const trino = {
    async query(sql: string) {
      statements.push(sql);
      return { columns: [], rows: [] };
    },
  } as never;
  return { statements, trino };
}

describe("raw table statements", () => {
  it("creates an external Parquet table over the topic's prefix, partitioned by date and type", () => {
    const sql = createTableSql(DEFAULT_RAW_TARGET, "orders", "orders");
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "hive"."raw"."orders" (');
    expect(sql).toContain('"items" array(row(sku varchar, qty integer, unit_price double))');
    expect(sql).toContain('"attributes" map(varchar, varchar)');
    expect(sql).toContain('"_kafka_offset" bigint');
    expect(sql).toMatch(/"event_date" varchar,\n {2}"event_type" varchar\n\)/);
    expect(sql).toContain("external_location = 's3://warehouse/raw/orders'");
    expect(sql).toContain("partitioned_by = ARRAY['event_date', 'event_type']");
  });

  it("names tables with underscores and registers partitions by value", () => {
    expect(tableNameOf("it-42-user-events")).toBe("it_42_user_events");
    expect(registerPartitionSql(DEFAULT_RAW_TARGET, "user-events", "2026-03-01", "purchase")).toBe(
      "CALL \"hive\".system.register_partition('raw', 'user_events', ARRAY['event_date', 'event_type'], ARRAY['2026-03-01', 'purchase'])",
    );
  });
});

describe("raw event tables created before a column existed", () => {
  it("gain v3's page_url (user-events only) and _trace_id at registration, idempotently", async () => {
    const { statements, trino } = recordingTrino();
    await registerRawTables(trino, DEFAULT_RAW_TARGET, ["user-events", "orders"], false);
    expect(statements.filter((s) => s.startsWith("ALTER"))).toEqual([
      'ALTER TABLE "hive"."raw"."user_events" ADD COLUMN IF NOT EXISTS "_trace_id" varchar',
      'ALTER TABLE "hive"."raw"."user_events" ADD COLUMN IF NOT EXISTS "page_url" varchar',
      'ALTER TABLE "hive"."raw"."orders" ADD COLUMN IF NOT EXISTS "_trace_id" varchar',
    ]);
    expect(createTableSql(DEFAULT_RAW_TARGET, "user-events", "user-events")).toContain('"page_url" varchar');
  });
});

describe("raw CDC table statements", () => {
  it("creates a shop table with its columns as varchar, the envelope typed, partitioned by date", () => {
    const sql = createCdcTableSql(DEFAULT_RAW_TARGET, "db.inventory");
    expect(sql).toBe(
      [
        'CREATE TABLE IF NOT EXISTS "hive"."raw"."db_inventory" (',
        '  "product_id" varchar,',
        '  "quantity" varchar,',
        '  "low_stock_threshold" varchar,',
        '  "updated_at" varchar,',
        '  "_op" varchar,',
        '  "_before" varchar,',
        '  "_lsn" bigint,',
        '  "_tx_id" bigint,',
        '  "_commit_ts" timestamp(3),',
        '  "_cdc_ts" timestamp(3),',
        '  "_snapshot" boolean,',
        '  "_kafka_partition" integer,',
        '  "_kafka_offset" bigint,',
        '  "_ingested_at" timestamp(3),',
        '  "event_date" varchar',
        ")",
        "WITH (external_location = 's3://warehouse/raw/db.inventory', format = 'PARQUET',",
        "  partitioned_by = ARRAY['event_date'])",
      ].join("\n"),
    );
    expect(addCdcColumnSql(DEFAULT_RAW_TARGET, "db.products", "color")).toBe(
      'ALTER TABLE "hive"."raw"."db_products" ADD COLUMN IF NOT EXISTS "color" varchar',
    );
    expect(registerPartitionSql(DEFAULT_RAW_TARGET, "db.products", "2026-12-06", "")).toBe(
      "CALL \"hive\".system.register_partition('raw', 'db_products', ARRAY['event_date'], ARRAY['2026-12-06'])",
    );
  });

  it("registers a CDC table with the columns its markers name (idempotent statements only)", async () => {
    const { statements, trino } = recordingTrino();
    const columnsOf = async () => ["price", "color"];
    await registerRawTables(trino, DEFAULT_RAW_TARGET, ["db.products"], true, columnsOf);
    expect(statements.map((s) => s.split(" (")[0])).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "hive"."raw"',
      'CREATE TABLE IF NOT EXISTS "hive"."raw"."db_products"',
      'ALTER TABLE "hive"."raw"."db_products" ADD COLUMN IF NOT EXISTS "color" varchar',
      "CALL \"hive\".system.sync_partition_metadata('raw', 'db_products', 'ADD')",
    ]);
  });
});
