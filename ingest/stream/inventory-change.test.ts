import { describe, expect, it } from "vitest";
import { parseInventoryChange } from "./inventory-change.js";

const change = (value: unknown) => parseInventoryChange(JSON.stringify(value));
const source = { lsn: 123, txId: 7, ts_ms: 1_700_000_000_000, snapshot: "false", table: "inventory" };

describe("Debezium inventory changes", () => {
  it("reads the after image of an insert, update or snapshot read", () => {
    for (const op of ["c", "u", "r"]) {
      const after = {
        product_id: "p-1",
        quantity: 7,
        low_stock_threshold: 5,
        updated_at: "2026-12-06T10:00:00Z",
      };
      expect(change({ before: null, after, source, op, ts_ms: 1 })).toEqual({
        ok: true,
        change: { kind: "set", productId: "p-1", quantity: 7, threshold: 5, commitMs: 1_700_000_000_000 },
      });
    }
  });

  it("defaults the threshold to 10 and ignores columns it does not know (a color added later)", () => {
    const after = { product_id: "p-2", quantity: 3, color: "red" };
    const parsed = change({ before: null, after, source, op: "c", ts_ms: 1 });
    expect(parsed).toMatchObject({ ok: true, change: { threshold: 10, quantity: 3 } });
  });

  it("reads a delete from the before image", () => {
    const before = { product_id: "p-3", quantity: 1 };
    expect(change({ before, after: null, source, op: "d", ts_ms: 1 })).toEqual({
      ok: true,
      change: { kind: "delete", productId: "p-3", commitMs: source.ts_ms },
    });
  });

  it("accepts the envelope under payload when schemas are enabled", () => {
    const payload = { before: null, after: { product_id: "p-4", quantity: 9 }, source, op: "c", ts_ms: 1 };
    expect(change({ schema: {}, payload })).toMatchObject({ ok: true, change: { productId: "p-4" } });
  });

  it("says why a message is not a change", () => {
    expect(parseInventoryChange(null)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("tombstone"),
    });
    expect(parseInventoryChange("{")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("invalid JSON"),
    });
    expect(change({ op: "t", source })).toMatchObject({ ok: false, reason: expect.stringContaining('"t"') });
    expect(change({ op: "c", after: { product_id: "p" }, source })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("quantity"),
    });
    expect(change({ op: "u", after: { quantity: 1 } })).toMatchObject({ ok: false });
  });
});
