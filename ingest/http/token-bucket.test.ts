import { describe, expect, it } from "vitest";
import { RateLimiter, TokenBucket } from "./token-bucket.js";

describe("TokenBucket", () => {
  it("allows a second's worth of events, then refuses with the time until enough have refilled", () => {
    const bucket = new TokenBucket(100, 0);
    expect(bucket.take(60, 0)).toEqual({ ok: true });
    expect(bucket.take(40, 0)).toEqual({ ok: true });
    expect(bucket.take(10, 0)).toEqual({ ok: false, retryAfterMs: 100 });
    expect(bucket.take(10, 100)).toEqual({ ok: true });
  });

  it("lets a batch larger than the rate through when full, leaving the bucket in debt", () => {
    const bucket = new TokenBucket(100, 0);
    expect(bucket.take(250, 0)).toEqual({ ok: true });
    // 150 events of debt plus 1 to take: 1.51 s at 100 events/s.
    expect(bucket.take(1, 0)).toEqual({ ok: false, retryAfterMs: 1_510 });
    expect(bucket.take(1, 1_510).ok).toBe(true);
  });

  it("never holds more than one second of tokens", () => {
    const bucket = new TokenBucket(10, 0);
    expect(bucket.take(10, 60_000).ok).toBe(true);
    expect(bucket.take(1, 60_000).ok).toBe(false);
  });
});

describe("RateLimiter", () => {
  it("keeps one bucket per key", () => {
    const limiter = new RateLimiter();
    expect(limiter.take("a", 5, 5, 0).ok).toBe(true);
    expect(limiter.take("a", 5, 1, 0).ok).toBe(false);
    expect(limiter.take("b", 5, 5, 0).ok).toBe(true);
  });
});
