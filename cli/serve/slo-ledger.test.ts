import { describe, expect, it } from "vitest";
import { type LatencyObservation, latencyBucket } from "./slo-latency.js";
import { budgetRemaining, burnRate, compliance, SloLedger, windowQuantile } from "./slo-ledger.js";

const MIN = 60_000;

function obs(at: number, good: number, bad: number, badSeconds = 600): LatencyObservation {
  const counts = new Array(15).fill(0);
  counts[latencyBucket(20)] += good;
  counts[latencyBucket(badSeconds)] += bad;
  return {
    at,
    counts,
    total: good + bad,
    good,
    sumSeconds: good * 20 + bad * badSeconds,
    maxSeconds: bad > 0 ? badSeconds : 20,
  };
}

describe("the SLO ledger's windows", () => {
  it("sums only the observations inside the window", () => {
    const ledger = new SloLedger(60 * MIN, 15 * MIN);
    ledger.add("m", obs(0, 100, 0));
    ledger.add("m", obs(10 * MIN, 90, 10));
    expect(ledger.window("m", 10 * MIN, 5 * MIN).total).toBe(100);
    expect(ledger.window("m", 10 * MIN, 60 * MIN)).toMatchObject({ total: 200, good: 190, maxSeconds: 600 });
  });

  it("turns a window into compliance, burn rate and the budget left", () => {
    const w = { total: 1_000, good: 995, counts: [], maxSeconds: 0 };
    expect(compliance(w)).toBe(0.995);
    // 0.5 % bad against a 1 % budget: burning at half speed, half the budget left.
    expect(burnRate(w, 0.99)).toBeCloseTo(0.5);
    expect(budgetRemaining(w, 0.99)).toBeCloseTo(0.5);
    expect(budgetRemaining({ ...w, good: 900 }, 0.99)).toBeCloseTo(-9);
  });

  it("has no compliance and an untouched budget without events", () => {
    const w = { total: 0, good: 0, counts: [], maxSeconds: 0 };
    expect(compliance(w)).toBeUndefined();
    expect(burnRate(w, 0.99)).toBe(0);
    expect(budgetRemaining(w, 0.99)).toBe(1);
  });

  it("drops records past the longest window and bucket counts past the quantile window", () => {
    const ledger = new SloLedger(60 * MIN, 15 * MIN);
    ledger.add("m", obs(0, 10, 0));
    ledger.add("m", obs(30 * MIN, 10, 0));
    ledger.add("m", obs(70 * MIN, 10, 0));
    expect(ledger.window("m", 70 * MIN, 1_000 * MIN).total).toBe(20);
    // The 30-minute record still counts events but no longer has latencies for quantiles.
    expect(ledger.window("m", 70 * MIN, 60 * MIN).counts.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it("keeps the cumulative histogram of every observation, as a Prometheus histogram never goes down", () => {
    const ledger = new SloLedger(MIN, MIN);
    ledger.watch("m");
    expect(ledger.cumulative("m")?.total).toBe(0);
    ledger.add("m", obs(0, 3, 1));
    ledger.add("m", obs(10 * MIN, 2, 0));
    expect(ledger.cumulative("m")).toMatchObject({ total: 6, sum: 5 * 20 + 600 });
  });

  it("gives quantiles over the window", () => {
    const ledger = new SloLedger(60 * MIN, 15 * MIN);
    ledger.add("m", obs(MIN, 98, 2));
    const w = ledger.window("m", MIN, 15 * MIN);
    expect(windowQuantile(w, 0.5)).toBeLessThanOrEqual(30);
    expect(windowQuantile(w, 0.99)).toBeGreaterThan(450);
  });
});
