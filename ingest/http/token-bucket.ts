/**
 * Per-key rate limits in events per second, pure (the clock is passed in). A bucket holds up to one
 * second of events and refills continuously. A request larger than the bucket is let through when the
 * bucket is full and leaves it in debt, so a batch bigger than a key's rate is slow, never impossible;
 * a refused request learns when enough tokens will be there (the 429's Retry-After).
 */

export type Take = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.at = now;
  }

  take(events: number, now: number): Take {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) * this.rate) / 1000);
    this.at = now;
    const needed = Math.min(events, this.rate);
    if (this.tokens >= needed) {
      this.tokens -= events;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((needed - this.tokens) * 1000) / this.rate) };
  }
}

/** One bucket per key id, created on first use with the key's rate. */
export class RateLimiter {
  private readonly buckets = new Map<string, { rate: number; bucket: TokenBucket }>();

  take(keyId: string, rate: number, events: number, now: number): Take {
    let entry = this.buckets.get(keyId);
    if (!entry || entry.rate !== rate) {
      entry = { rate, bucket: new TokenBucket(rate, now) };
      this.buckets.set(keyId, entry);
    }
    return entry.bucket.take(events, now);
  }
}
