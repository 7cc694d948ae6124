import { describe, expect, it } from "vitest";
import { queryableAt } from "./floe-peer.js";
import { committedRows, failureOf } from "./iceberg-peer.js";

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

describe("failureOf", () => {
  it("keeps Connect's message and the root cause of a task's trace", () => {
    const trace = [
      "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.",
      "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:659)",
      "Caused by: org.apache.kafka.connect.errors.DataException: An error occurred converting record",
      "\tat org.apache.iceberg.connect.data.IcebergWriter.write(IcebergWriter.java:73)",
      'Caused by: java.lang.NumberFormatException: For input string: "cheap"',
    ].join("\n");
    expect(failureOf(trace)).toBe(
      'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception. … Caused by: java.lang.NumberFormatException: For input string: "cheap"',
    );
  });
});
