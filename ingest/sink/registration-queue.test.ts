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

  it("runs one flush at a time: one asked for meanwhile runs after it, and its promise covers that run", async () => {
    const { sql, trino } = recordingTrino({ pattern: undefined });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gated = {
      async query(statement: string) {
        if (statement.includes("register_partition")) await gate;
        return trino.query(statement);
      },
    } as TrinoQuery;
    const queue = new RegistrationQueue(gated, DEFAULT_RAW_TARGET, ["orders"], () => {});
    await queue.flush(); // the tables
    expect(queue.add("orders", "2026-03-01", "order_paid")).toBe(true);
    expect(queue.add("orders", "2026-03-01", "order_paid")).toBe(false); // already pending
    const first = queue.flush();
    expect(queue.add("orders", "2026-03-02", "order_paid")).toBe(true);
    const second = queue.flush();
    sql.length = 0;
    release();
    await second;
    // 03-01 by the first run, 03-02 by the run after it: never both runs at once, nothing twice.
    expect(sql.map((q) => q.match(/'2026-03-0\d'/)?.[0])).toEqual(["'2026-03-01'", "'2026-03-02'"]);
    await first;
    expect(queue.add("orders", "2026-03-02", "order_paid")).toBe(false); // registered
  });

  it("registers at most four partitions at a time", async () => {
    const { trino } = recordingTrino({ pattern: undefined });
    let inFlight = 0;
    let most = 0;
    const counting = {
      async query(statement: string) {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return trino.query(statement);
      },
    } as TrinoQuery;
    const events: SinkEvent[] = [];
    const queue = new RegistrationQueue(counting, DEFAULT_RAW_TARGET, ["orders"], (e) => events.push(e));
    await queue.flush();
    most = 0;
    for (let day = 1; day <= 9; day++) queue.add("orders", `2026-03-0${day}`, "order_paid");
    await queue.flush();
    expect(most).toBe(4);
    expect(events.filter((e) => e.kind === "registered" && e.partition)).toHaveLength(9);
  });

  it("registers nothing without a Trino connection", async () => {
    const events: SinkEvent[] = [];
    const queue = new RegistrationQueue(undefined, DEFAULT_RAW_TARGET, ["orders"], (e) => events.push(e));
    queue.add("orders", "2026-03-01", "order_paid");
    await queue.flush();
    expect(events).toEqual([]);
  });

  it("adds a CDC table's new columns before the partitions of the files that brought them, retrying a failed ALTER", async () => {
    const failing = { pattern: /ADD COLUMN IF NOT EXISTS "color"/ as RegExp | undefined };
    const { sql, trino } = recordingTrino(failing);
    const events: SinkEvent[] = [];
    const markers = async () => ["weight"];
    const queue = new RegistrationQueue(
      trino,
      DEFAULT_RAW_TARGET,
      ["db.products"],
      (e) => events.push(e),
      markers,
    );
    queue.addColumns("db.products", ["color"]);
    queue.add("db.products", "2026-12-06", "");
    await queue.flush();
    expect(sql.map((s) => s.split(" (")[0])).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "hive"."raw"',
      'CREATE TABLE IF NOT EXISTS "hive"."raw"."db_products"',
      'ALTER TABLE "hive"."raw"."db_products" ADD COLUMN IF NOT EXISTS "weight" varchar',
      "CALL \"hive\".system.sync_partition_metadata('raw', 'db_products', 'ADD')",
      'ALTER TABLE "hive"."raw"."db_products" ADD COLUMN IF NOT EXISTS "color" varchar',
      // The partition still goes ahead: its rows only lack the column until the ALTER succeeds.
      "CALL \"hive\".system.register_partition('raw', 'db_products', ARRAY['event_date'], ARRAY['2026-12-06'])",
    ]);
    expect(events.filter((e) => e.kind === "warning").map((e) => "message" in e && e.message)).toEqual([
      expect.stringMatching(/^adding column color failed, will retry/),
    ]);

    failing.pattern = undefined;
    sql.length = 0;
    await queue.flush();
    expect(sql).toEqual(['ALTER TABLE "hive"."raw"."db_products" ADD COLUMN IF NOT EXISTS "color" varchar']);
    expect(events.at(-1)).toEqual({ kind: "registered", table: "db.products", column: "color" });
  });
});
