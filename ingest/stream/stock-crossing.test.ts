import { describe, expect, it } from "vitest";
import { crossingOf } from "./stock-crossing.js";

describe("low-stock crossings", () => {
  it("fires once going below, once recovering, never while staying on one side", () => {
    const quantities = [20, 12, 9, 5, 0, 8, 10, 15, 3];
    let below = false;
    const crossings = quantities.map((quantity) => {
      const crossing = crossingOf(below, { quantity, threshold: 10 });
      if (crossing) below = crossing === "below";
      return crossing;
    });
    expect(crossings).toEqual([
      undefined,
      undefined,
      "below",
      undefined,
      undefined,
      undefined,
      "recovered",
      undefined,
      "below",
    ]);
  });

  it("treats a threshold change like a quantity change", () => {
    expect(crossingOf(false, { quantity: 12, threshold: 15 })).toBe("below");
    expect(crossingOf(true, { quantity: 12, threshold: 10 })).toBe("recovered");
  });
});
