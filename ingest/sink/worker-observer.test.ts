import { describe, expect, it } from "vitest";
import { DEFAULT_RAW_TARGET, type TrinoQuery } from "../raw-tables.js";
import { SinkMetrics } from "./metrics.js";
import { RegistrationQueue } from "./registration-queue.js";
import type { DurableFile, SinkEvent } from "./types.js";
import { workerObserver } from "./worker-observer.js";

const file = (eventDate: string, start: number): DurableFile => ({
  key: `raw/orders/event_date=${eventDate}/event_type=order_paid/orders+0+${start}.parquet`,
  topic: "orders",
  partition: 0,
  eventDate,
  eventType: "order_paid",
  records: 2,
  outcome: "written",
  kafkaTimestamps: [1, 2],
  durableAt: 10,
});

describe("workerObserver", () => {
  it("registers a durable file's new partition at once, without waiting for a flush, and only once", async () => {
    const sql: string[] = [];
    const trino = {
      async query(statement: string) {
        sql.push(statement);
        return { queryId: "q", columns: [], rows: [], elapsedMillis: 0 };
      },
    } as unknown as TrinoQuery;
    const events: SinkEvent[] = [];
    const registration = new RegistrationQueue(trino, DEFAULT_RAW_TARGET, ["orders"], (e) => events.push(e));
    await registration.flush(); // the tables, as the sink does before consuming
    const summary = { records: 0, files: 0, existingFiles: 0, dlq: 0, skipped: 0 };
    const observer = workerObserver(
      { summary, metrics: new SinkMetrics(), registration, emit: (e) => events.push(e) },
      "orders",
      0,
    );
    sql.length = 0;
    observer.durable(file("2026-03-01", 0), 100, 0.1);
    observer.durable(file("2026-03-01", 2), 100, 0.1); // same partition: nothing more to register
    await new Promise((resolve) => setImmediate(resolve)); // the fake answers at once; no flush called here
    expect(sql).toEqual([
      "CALL \"hive\".system.register_partition('raw', 'orders', ARRAY['event_date', 'event_type'], ARRAY['2026-03-01', 'order_paid'])",
    ]);
    expect(events.filter((e) => e.kind === "registered" && e.partition)).toHaveLength(1);
    expect(summary).toMatchObject({ records: 4, files: 2 });
  });
});
