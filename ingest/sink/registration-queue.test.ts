import { describe, expect, it } from "vitest";
import { DEFAULT_RAW_TARGET, type TrinoQuery } from "../raw-tables.js";
import { RegistrationQueue } from "./registration-queue.js";
import type { SinkEvent } from "./types.js";

/** Records the SQL it is sent; statements matching `failing` throw. */
function recordingTrino(failing: { pattern: RegExp | undefined }) {
  const sql: string[] = [];
  const trino = {
    async query(statement: string) {
      sql.push(statement);
      if (failing.pattern?.test(statement)) throw new Error("Trino is restarting");
      return {
        queryId: "q",
        columns: [],
        rows: [],
        updateType: undefined,
        updateCount: undefined,
        elapsedMillis: 0,
        stats: undefined,
      };
    },
  } as TrinoQuery;
  return { sql, trino };
}

describe("RegistrationQueue", () => {
  it("creates the tables once, registers each new partition once and retries failures on the next flush", async () => {
    const failing = { pattern: /register_partition.*'2026-03-02'/ as RegExp | undefined };
    const { sql, trino } = recordingTrino(failing);
    const events: SinkEvent[] = [];
    const queue = new RegistrationQueue(trino, DEFAULT_RAW_TARGET, ["user-events"], (e) => events.push(e));
    queue.add("user-events", "2026-03-01", "purchase");
    queue.add("user-events", "2026-03-02", "purchase");
    await queue.flush();
    expect(sql.filter((s) => s.startsWith("CREATE TABLE"))).toHaveLength(1);
    expect(events.filter((e) => e.kind === "warning")).toHaveLength(1);

    failing.pattern = undefined;
    queue.add("user-events", "2026-03-01", "purchase"); // already registered: not again
    sql.length = 0;
    await queue.flush();
    expect(sql).toEqual([
      "CALL \"hive\".system.register_partition('raw', 'user_events', ARRAY['event_date', 'event_type'], ARRAY['2026-03-02', 'purchase'])",
    ]);
    await queue.flush();
    expect(sql).toHaveLength(1);
  });

  it("registers nothing without a Trino connection", async () => {
    const events: SinkEvent[] = [];
    const queue = new RegistrationQueue(undefined, DEFAULT_RAW_TARGET, ["orders"], (e) => events.push(e));
    queue.add("orders", "2026-03-01", "order_paid");
    await queue.flush();
    expect(events).toEqual([]);
  });
});
