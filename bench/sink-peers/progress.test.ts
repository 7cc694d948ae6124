import { describe, expect, it } from "vitest";
import { queryableAt } from "./floe-peer.js";
import { committedRows } from "./iceberg-peer.js";

describe("committedRows", () => {
  it("adds each table's latest snapshot and says when the last of them was committed", () => {
    const commits = [
      { table: "orders", snapshotId: "1", committedAt: 1_000, totalRecords: 10 },
      { table: "user_events", snapshotId: "2", committedAt: 2_000, totalRecords: 100 },
      { table: "orders", snapshotId: "3", committedAt: 3_000, totalRecords: 25 },
    ];
    expect(committedRows(commits)).toEqual({ rows: 125, at: 3_000 });
    expect(committedRows([])).toEqual({ rows: 0, at: 0 });
  });
});

describe("queryableAt", () => {
  const file = (key: string, durableAt: number) => ({
    key,
    topic: "t-orders",
    eventDate: "2026-12-06",
    eventType: "order_paid",
    records: 1,
    durableAt,
  });

  it("waits for the partition's registration, not for files written into a partition registered earlier", () => {
    const registeredAt = new Map([["t-orders/2026-12-06/order_paid", 1_500]]);
    const q = queryableAt({ files: [file("a", 1_000), file("b", 2_000)], registeredAt });
    expect(q.get("a")).toBe(1_500);
    expect(q.get("b")).toBe(2_000);
  });

  it("takes the durable time when no registration was seen", () => {
    expect(queryableAt({ files: [file("a", 1_000)], registeredAt: new Map() }).get("a")).toBe(1_000);
  });
});
