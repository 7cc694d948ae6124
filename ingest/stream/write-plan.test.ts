import { describe, expect, it } from "vitest";
import type { Observation } from "./observations.js";
import { WritePlanBuilder } from "./write-plan.js";

const NOW = Date.parse("2026-12-06T10:01:10Z");
const obs = (over: Partial<Observation>): Observation => ({
  metric: "events",
  atMs: Date.parse("2026-12-06T10:00:30Z"),
  user: "u-1",
  sumCents: undefined,
  country: "US",
  device: "web",
  ...over,
});

describe("a batch's write plan", () => {
  it("sums counters per key over 1m/5m/1h, totals and groups, and collects unique users", () => {
    const plan = new WritePlanBuilder("", NOW, () => false);
    plan.observe(obs({ metric: "purchase_revenue", sumCents: 500 }));
    plan.observe(obs({ metric: "purchase_revenue", sumCents: 250, user: "u-2", device: "ios" }));
    const built = plan.build();
    expect(built.counters.get("metric:purchase_revenue:1m:2026-12-06T10:00:00Z")).toEqual({
      count: 2,
      sumCents: 750,
      expireAtS: Date.parse("2026-12-06T10:02:00Z") / 1000,
    });
    expect(built.counters.get("metric:purchase_revenue:1m:2026-12-06T10:00:00Z:device:ios")).toMatchObject({
      count: 1,
      sumCents: 250,
    });
    expect(built.counters.get("metric:purchase_revenue:1h:2026-12-06T10:00:00Z:country:US")).toMatchObject({
      count: 2,
    });
    // 3 windows × (total + country + device:web + device:ios on the second) = 3 × 4 keys
    expect(built.counters.size).toBe(12);
    expect([
      ...(built.uniques.get("metric:purchase_revenue:5m:2026-12-06T10:00:00Z:hll")?.users ?? []),
    ]).toEqual(["u-1", "u-2"]);
  });

  it("skips windows already expired (late events, a rebuild replaying old history)", () => {
    const plan = new WritePlanBuilder("", NOW, () => false);
    plan.observe(obs({ atMs: Date.parse("2026-12-06T09:58:30Z") })); // 1m window expired at 10:00:00
    const keys = [...plan.build().counters.keys()];
    expect(keys.some((k) => k.includes(":1m:"))).toBe(false);
    expect(keys.some((k) => k.includes(":5m:2026-12-06T09:55:00Z"))).toBe(true);
    expect(plan.skippedExpired).toBe(1);
  });

  it("sets stock, alerts once per crossing within a batch, and stays silent when told", () => {
    const plan = new WritePlanBuilder("", NOW, (id) => id === "p-low");
    const set = (productId: string, quantity: number) =>
      ({ kind: "set", productId, quantity, threshold: 10, commitMs: undefined }) as const;
    plan.inventory(set("p-1", 12), true);
    plan.inventory(set("p-1", 8), true);
    plan.inventory(set("p-1", 4), true);
    plan.inventory(set("p-low", 3), true);
    plan.inventory(set("p-low", 30), false);
    plan.inventory({ kind: "delete", productId: "p-gone", commitMs: undefined }, true);
    const built = plan.build();
    expect(built.stock.get("p-1")).toEqual({ quantity: 4, below: true });
    expect(built.stock.get("p-low")).toEqual({ quantity: 30, below: false });
    expect(built.stock.get("p-gone")).toBeNull();
    expect(built.alerts).toEqual([
      expect.objectContaining({
        kind: "low_stock",
        product_id: "p-1",
        quantity: 8,
        threshold: 10,
        state: "below",
      }),
    ]);
  });
});
