import { describe, expect, it } from "vitest";
import { alertKey, alertSchema } from "./alert.js";

describe("alert schema", () => {
  it("accepts a low-stock alert and keys it by product", () => {
    const a = alertSchema.parse({
      kind: "low_stock",
      at: "2026-12-06T12:00:00.000Z",
      severity: "warning",
      summary: "p-7 stock 3 < 10",
      product_id: "p-7",
      quantity: 3,
      threshold: 10,
      state: "below",
    });
    expect(alertKey(a)).toBe("low_stock:p-7");
  });

  it("rejects an alert of an unknown kind", () => {
    expect(alertSchema.safeParse({ kind: "disk_full", at: "2026-12-06T12:00:00.000Z" }).success).toBe(false);
  });
});
