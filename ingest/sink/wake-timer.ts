/**
 * One timer for the sink's next deadline across its partitions (a file reaching its age limit, a pause
 * ending). The 1 s tick alone left a file up to a tick past its interval before it sealed; this wakes the
 * sink at the deadline itself. Only ever earlier: arming a later time than the one pending changes nothing,
 * and whoever the timer wakes re-arms it with the next deadline.
 */
export class WakeTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private at = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly fire: () => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Wakes at `at` (ms since epoch; at once when past) unless an earlier wake is pending. */
  arm(at: number | undefined): void {
    if (at === undefined || this.closed || at >= this.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Number.POSITIVE_INFINITY;
        this.fire();
      },
      Math.max(0, at - this.clock()),
    );
    // The sink's lifetime is its consumer's and its stop's, never a pending deadline's.
    this.timer.unref?.();
  }

  /** The pending wake, if any (ms since epoch). */
  get pendingAt(): number | undefined {
    return this.timer ? this.at : undefined;
  }

  /** No more wakes (the sink is stopping). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
  }
}

/** The earliest of some deadlines; undefined when none is set. */
export function earliest(times: Iterable<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const t of times) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}
