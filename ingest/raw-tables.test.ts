import { describe, expect, it } from "vitest";
import { createTableSql, DEFAULT_RAW_TARGET, registerPartitionSql, tableNameOf } from "./raw-tables.js";

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
