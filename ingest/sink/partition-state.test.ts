import { describe, expect, it } from "vitest";
import { PartitionState, type RollLimits } from "./partition-state.js";

const limits: RollLimits = { maxRecords: 3, maxBytes: 1e9, maxAgeMs: 60_000 };
const row = (offset: number) => `{"o":${offset}}`;

function feed(state: PartitionState, offsets: readonly [number, string][], now = 0) {
  for (const [offset, type] of offsets)
    state.append(BigInt(offset), "2026-01-05", type, row(offset), 10, 0, now);
}

describe("PartitionState", () => {
  it("commits only up to the lowest first offset still buffered", () => {
    const s = new PartitionState("t-orders", 0, "orders");
    feed(s, [
      [10, "a"],
      [11, "b"],
      [12, "a"],
      [13, "a"],
    ]);
    expect(s.safeOffset()).toBe(10n);
    expect(s.due(0, limits)).toEqual(["2026-01-05/a"]);
    const a = s.seal("2026-01-05/a");
    expect(a?.startOffset).toBe(10n);
    expect(s.durableFile(a!, a!.endOffset)).toBeUndefined();
    // b still holds offset 11: commit 11, and remember a's watermark (13 ≥ 11) for a restart.
    expect(s.safeOffset()).toBe(11n);
    expect(JSON.parse(s.commitMetadata(11n))).toEqual({ w: { "2026-01-05/a": "13" } });
  });

  it("after a restart, skips rows already in a durable file", () => {
    const s = new PartitionState("t-orders", 0, "orders");
    s.restore(JSON.stringify({ w: { "2026-01-05/a": "13" } }));
    feed(s, [
      [11, "b"],
      [12, "a"],
      [13, "a"],
      [14, "a"],
    ]);
    expect(s.open.get("2026-01-05/a")?.startOffset).toBe(14n);
    expect(s.open.get("2026-01-05/b")?.startOffset).toBe(11n);
  });

  it("adopts a longer object found under the same key (412) and re-keys nothing twice", () => {
    const s = new PartitionState("t-orders", 0, "orders");
    feed(s, [
      [20, "a"],
      [21, "a"],
    ]);
    const file = s.seal("2026-01-05/a")!;
    feed(s, [[22, "a"]]);
    // A previous attempt wrote 20..22 under key +20.
    expect(s.durableFile(file, 22n)).toBeUndefined();
    expect(s.open.size).toBe(0);
    feed(s, [
      [22, "a"],
      [23, "a"],
    ]);
    expect(s.open.get("2026-01-05/a")?.startOffset).toBe(23n);
  });

  it("re-keys the remainder when the existing object is shorter", () => {
    const s = new PartitionState("t-orders", 0, "orders");
    feed(s, [
      [30, "a"],
      [31, "b"],
      [32, "a"],
      [33, "a"],
    ]);
    const file = s.seal("2026-01-05/a")!;
    const rest = s.durableFile(file, 30n);
    expect(rest?.startOffset).toBe(32n);
    expect([rest?.rows.offset(0), rest?.rows.offset(1)]).toEqual([32n, 33n]);
    expect(rest?.rows.lines()).toEqual([row(32), row(33)]);
    expect(s.sealed).toEqual([rest]);
  });

  it("holds the commit below dead letters not yet acknowledged", () => {
    const s = new PartitionState("t-orders", 0, "orders");
    s.handled(5n);
    s.deadLetters.push(5n);
    expect(s.safeOffset()).toBe(5n);
    s.deadLetters.pop();
    expect(s.safeOffset()).toBe(6n);
  });

  it("puts the roll deadline at the oldest open file's age limit, and moves it once that file is sealed", () => {
    const s = new PartitionState("t-orders", 0, "orders");
    expect(s.rollDeadline(limits.maxAgeMs)).toBeUndefined();
    feed(s, [[1, "b"]], 5_000);
    feed(s, [[2, "a"]], 2_000); // opened earlier by the clock than b (batches routed out of order)
    feed(s, [[3, "a"]], 9_000); // a row into an open file does not move its deadline
    expect(s.rollDeadline(limits.maxAgeMs)).toBe(62_000);
    expect(s.due(61_999, limits)).toEqual([]);
    expect(s.due(62_000, limits)).toEqual(["2026-01-05/a"]);
    s.seal("2026-01-05/a");
    expect(s.rollDeadline(limits.maxAgeMs)).toBe(65_000);
    s.seal("2026-01-05/b");
    expect(s.rollDeadline(limits.maxAgeMs)).toBeUndefined();
  });

  it("remembers dead letters acknowledged after the committed offset", () => {
    const s = new PartitionState("t-orders", 0, "orders");
    feed(s, [[40, "a"]]);
    s.handled(41n);
    s.deadLetters.push(41n);
    s.deadLettered([41n]);
    expect(s.safeOffset()).toBe(40n);
    const restarted = new PartitionState("t-orders", 0, "orders");
    restarted.restore(s.commitMetadata(40n));
    expect(restarted.alreadyDeadLettered(41n)).toBe(true);
    expect(restarted.alreadyDeadLettered(42n)).toBe(false);
  });
});
