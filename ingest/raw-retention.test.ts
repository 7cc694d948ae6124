import { describe, expect, it } from "vitest";
import {
  applyRawRetention,
  expiredRawPartitions,
  type RawObjectStore,
  rawPartitions,
  unregisterPartitionSql,
} from "./raw-retention.js";
import { DEFAULT_RAW_TARGET } from "./raw-tables.js";

const NOW = new Date("2026-12-06T10:00:00Z");
const DAY = 86_400;
const key = (date: string, type: string, file = "orders+0+0.parquet") =>
  `raw/orders/event_date=${date}/event_type=${type}/${file}`;

describe("raw retention", () => {
  it("groups a topic's objects by partition and ignores keys outside the layout", () => {
    const parts = rawPartitions("orders", "raw/orders/", [
      key("2026-05-01", "order_created"),
      key("2026-05-01", "order_created", "orders+1+9.parquet"),
      key("2026-05-01", "order_shipped"),
      "raw/orders/_tmp/x.parquet",
      "raw/orders/event_date=bad/event_type=x/y.parquet",
    ]);
    expect(parts.map((p) => [p.eventDate, p.eventType, p.keys.length])).toEqual([
      ["2026-05-01", "order_created", 2],
      ["2026-05-01", "order_shipped", 1],
    ]);
  });

  it("deletes a partition one day outside the window and keeps the one a day inside", () => {
    // 180 days before 2026-12-06T10:00Z is 2026-06-09T10:00Z: that day is partly inside, so kept.
    const parts = rawPartitions("orders", "raw/orders/", [
      key("2026-06-07", "a"),
      key("2026-06-08", "a"),
      key("2026-06-09", "a"),
      key("2026-06-10", "a"),
    ]);
    expect(expiredRawPartitions(parts, NOW, 180 * DAY).map((p) => p.eventDate)).toEqual([
      "2026-06-07",
      "2026-06-08",
    ]);
  });

  it("unregisters before deleting objects, and tolerates a partition already gone", async () => {
    const calls: string[] = [];
    const store: RawObjectStore = {
      async *list(prefix) {
        calls.push(`list ${prefix}`);
        yield key("2026-01-01", "order_created");
        yield key("2026-12-01", "order_created");
      },
      async delete(keys) {
        calls.push(`delete ${keys.join(",")}`);
      },
    };
    const trino = {
      async query(sql: string) {
        calls.push(sql);
        throw new Error("Partition '[2026-01-01, order_created]' does not exist");
      },
    } as never;
    const result = await applyRawRetention({
      target: DEFAULT_RAW_TARGET,
      topics: ["orders"],
      retentionSeconds: 180 * DAY,
      now: NOW,
      dryRun: false,
      store,
      trino,
    });
    expect(calls).toEqual([
      "list raw/orders/",
      unregisterPartitionSql(DEFAULT_RAW_TARGET, {
        topic: "orders",
        eventDate: "2026-01-01",
        eventType: "order_created",
        keys: [],
      }),
      `delete ${key("2026-01-01", "order_created")}`,
    ]);
    expect(result).toEqual({ firstDayKept: "2026-06-09", partitions: 1, objects: 1, kept: 1 });
  });

  it("changes nothing in a dry run", async () => {
    const calls: string[] = [];
    const store: RawObjectStore = {
      async *list() {
        yield key("2026-01-01", "order_created");
      },
      async delete() {
        calls.push("delete");
      },
    };
    const trino = {
      async query(sql: string) {
        calls.push(sql);
        return { rows: [] };
      },
    } as never;
    const result = await applyRawRetention({
      target: DEFAULT_RAW_TARGET,
      topics: ["orders"],
      retentionSeconds: 180 * DAY,
      now: NOW,
      dryRun: true,
      store,
      trino,
    });
    expect(calls).toEqual([]);
    expect(result.partitions).toBe(1);
  });
});
