/**
 * A circuit breaker around the forwarder's Kafka sends, pure (the clock is passed in). Closed: sends go
 * through. After `failures` consecutive failures it opens: no send until `openMs` has passed (doubling on
 * each failed probe, up to `maxOpenMs`), so a broker that is down is not hammered and the spool simply
 * grows. Then half-open: one probe; its success closes the breaker, its failure opens it again.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  readonly failures: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failures: 3, openMs: 1_000, maxOpenMs: 10_000 };

export class CircuitBreaker {
  private consecutive = 0;
  private openedAt = 0;
  private openFor: number;
  private current: BreakerState = "closed";

  constructor(private readonly options: BreakerOptions = DEFAULT_BREAKER) {
    this.openFor = options.openMs;
  }

  state(now: number): BreakerState {
    if (this.current === "open" && now - this.openedAt >= this.openFor) this.current = "half-open";
    return this.current;
  }

  /** Milliseconds until a send may be tried (0: now). */
  waitMs(now: number): number {
    return this.state(now) === "open" ? this.openedAt + this.openFor - now : 0;
  }

  success(): void {
    this.consecutive = 0;
    this.current = "closed";
    this.openFor = this.options.openMs;
  }

  failure(now: number): void {
    this.consecutive++;
    if (this.current === "half-open") {
      this.openFor = Math.min(this.options.maxOpenMs, this.openFor * 2);
      this.open(now);
    } else if (this.current === "closed" && this.consecutive >= this.options.failures) this.open(now);
  }

  private open(now: number): void {
    this.current = "open";
    this.openedAt = now;
  }
}
