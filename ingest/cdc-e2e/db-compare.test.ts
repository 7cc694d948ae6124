import { describe, expect, it } from "vitest";
import {
  type CommittedTransaction,
  canonicalInstant,
  epochMicros,
  expectedHistory,
  normaliseRow,
} from "./db-compare.js";

describe("canonicalInstant", () => {
  it("spells PostgreSQL's, Debezium's and Trino's text of one instant the same", () => {
    const canonical = "2026-12-06T15:34:39.123400Z";
    expect(canonicalInstant("2026-12-06 15:34:39.1234+00")).toBe(canonical);
    expect(canonicalInstant("2026-12-06T15:34:39.1234Z")).toBe(canonical);
    expect(canonicalInstant("2026-12-06 15:34:39.123400")).toBe(canonical);
    expect(canonicalInstant("2026-12-06 17:34:39.1234+02:00")).toBe(canonical);
    expect(canonicalInstant("2026-12-06 10:04:39.1234-0530")).toBe(canonical);
  });

  it("keeps whole seconds, microseconds and dates before 1970", () => {
    expect(canonicalInstant("2026-12-06 15:34:39+00")).toBe("2026-12-06T15:34:39.000000Z");
    expect(canonicalInstant("2026-12-06T15:34:39.000001Z")).toBe("2026-12-06T15:34:39.000001Z");
    expect(canonicalInstant("1969-12-31 23:59:59.5")).toBe("1969-12-31T23:59:59.500000Z");
    expect(canonicalInstant("2026-12-06 15:34:39.123456000")).toBe("2026-12-06T15:34:39.123456Z");
  });

  it("refuses what is no timestamp or is finer than microseconds", () => {
    expect(() => canonicalInstant("yesterday")).toThrow(/not a timestamp/);
    expect(() => canonicalInstant("2026-12-06 15:34:39.1234567")).toThrow(/finer than microseconds/);
  });

  it("orders instants by their microseconds", () => {
    expect(epochMicros("2026-12-06 15:34:39.000001Z") - epochMicros("2026-12-06 15:34:39Z")).toBe(1);
    expect(epochMicros("1970-01-01T00:00:00Z")).toBe(0);
  });
});

describe("normaliseRow", () => {
  it("turns every column into text, instants canonical, missing and null as null", () => {
    const row = { id: "u-1", price: "12.50", active: true, at: "2026-12-06 15:34:39+00", gone: null };
    expect(normaliseRow(row, ["id", "price", "active", "at", "gone", "absent"], new Set(["at"]))).toEqual({
      id: "u-1",
      price: "12.50",
      active: "true",
      at: "2026-12-06T15:34:39.000000Z",
      gone: null,
      absent: null,
    });
  });
});

describe("expectedHistory", () => {
  const tx = (xid: string, touched: string[], after: Record<string, string>): CommittedTransaction => ({
    xid,
    touched: new Set(touched),
    after: new Map(Object.entries(after).map(([key, email]) => [key, { email }])),
  });
  const commitTime = (xid: string) => `t${xid}`;

  it("one version per transaction that left the key existing, closed by the key's next transaction", () => {
    const history = expectedHistory(
      [
        tx("1", ["a", "b", "c"], { a: "a1", b: "b1", c: "c1" }),
        tx("2", ["a"], { a: "a2" }),
        // b erased; c deleted and re-inserted in one transaction; d inserted and deleted in one.
        tx("3", ["b", "c", "d"], { c: "c2" }),
        tx("4", ["b"], { b: "b2" }),
      ],
      commitTime,
    );
    const v = (email: string, xid: string, validTo: string | null) => ({
      row: { email },
      xid,
      valid_from: `t${xid}`,
      valid_to: validTo,
      is_current: validTo === null,
    });
    expect(Object.fromEntries(history)).toEqual({
      a: [v("a1", "1", "t2"), v("a2", "2", null)],
      b: [v("b1", "1", "t3"), v("b2", "4", null)],
      c: [v("c1", "1", "t3"), v("c2", "3", null)],
    });
  });

  it("a key deleted for good ends closed at the delete's commit", () => {
    const history = expectedHistory([tx("1", ["a"], { a: "a1" }), tx("2", ["a"], {})], commitTime);
    expect(history.get("a")).toEqual([
      { row: { email: "a1" }, xid: "1", valid_from: "t1", valid_to: "t2", is_current: false },
    ]);
  });
});
