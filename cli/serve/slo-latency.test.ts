import { describe, expect, it } from "vitest";
import { LATENCY_BUCKETS, latencyBucket, latencyQuantile, observeMart } from "./slo-latency.js";

const T = 1_800_000_000; // epoch seconds

describe("event→mart latency observation", () => {
  it("takes the first observation as the baseline and times nothing", () => {
    const { seen, observation } = observeMart(
      undefined,
      [{ bucketStart: T, events: 10 }],
      (T + 30) * 1000,
      300,
    );
    expect(observation).toBeUndefined();
    expect([...seen]).toEqual([[T, 10]]);
  });

  it("times each bucket's growth from the bucket's start to when the mart became visible", () => {
    const seen = new Map([[T, 10]]);
    const rows = [
      { bucketStart: T, events: 14 }, // 4 more arrived late in an older bucket
      { bucketStart: T + 50, events: 6 }, // a new bucket
    ];
    const { observation } = observeMart(seen, rows, (T + 100) * 1000, 60);
    expect(observation?.total).toBe(10);
    // 4 events at 100 s (above the 60 s threshold), 6 at 50 s.
    expect(observation?.good).toBe(6);
    expect(observation?.maxSeconds).toBe(100);
    expect(observation?.sumSeconds).toBe(4 * 100 + 6 * 50);
    expect(observation?.counts[latencyBucket(100)]).toBe(4);
    expect(observation?.counts[latencyBucket(50)]).toBe(6);
    expect(observation?.counts).toHaveLength(LATENCY_BUCKETS.length + 1);
  });

  it("counts nothing for a bucket that shrank, and counts from the lower baseline afterwards", () => {
    const first = observeMart(new Map([[T, 10]]), [{ bucketStart: T, events: 8 }], (T + 20) * 1000, 300);
    expect(first.observation?.total).toBe(0);
    const second = observeMart(first.seen, [{ bucketStart: T, events: 9 }], (T + 40) * 1000, 300);
    expect(second.observation?.total).toBe(1);
  });

  it("never times an event negative (a clock ahead of the build's)", () => {
    const { observation } = observeMart(new Map(), [{ bucketStart: T + 10, events: 1 }], T * 1000, 300);
    expect(observation?.maxSeconds).toBe(0);
    expect(observation?.good).toBe(1);
  });

  it("puts a latency in the first bucket whose bound is at or above it", () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(5)).toBe(0);
    expect(latencyBucket(5.1)).toBe(1);
    expect(latencyBucket(300)).toBe(LATENCY_BUCKETS.indexOf(300));
    expect(latencyBucket(901)).toBe(LATENCY_BUCKETS.length);
  });
});

describe("latency quantiles from buckets", () => {
  const counts = (entries: [number, number][]) => {
    const c = new Array(LATENCY_BUCKETS.length + 1).fill(0);
    for (const [seconds, n] of entries) c[latencyBucket(seconds)] += n;
    return c;
  };

  it("interpolates inside the bucket as histogram_quantile does", () => {
    // 100 events in (30, 45]: the median is half-way.
    expect(latencyQuantile(counts([[40, 100]]), 0.5, 45)).toBeCloseTo(37.5);
  });

  it("never reports more than the largest latency seen", () => {
    expect(latencyQuantile(counts([[40, 100]]), 0.99, 41)).toBeLessThanOrEqual(41);
  });

  it("reports the largest latency seen for a quantile in the open top bucket", () => {
    expect(
      latencyQuantile(
        counts([
          [10, 1],
          [2_000, 99],
        ]),
        0.99,
        2_000,
      ),
    ).toBe(2_000);
  });

  it("has no quantile without events", () => {
    expect(latencyQuantile(counts([]), 0.5, 0)).toBeUndefined();
  });
});
