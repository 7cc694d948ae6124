import { LATENCY_BUCKETS, type LatencyObservation, latencyQuantile } from "./slo-latency.js";

/**
 * The observations of each measured mart over time (pure), and the window math on them: SLO compliance,
 * error budget left, burn rate and latency quantiles over a rolling window. Kept in memory by `floe serve`
 * (a restart starts the windows afresh); records older than the longest window are dropped, and their
 * per-bucket counts once they are older than the quantile window, so memory stays flat.
 */

export interface WindowTotals {
  readonly total: number;
  readonly good: number;
  readonly counts: readonly number[];
  readonly maxSeconds: number;
}

interface LedgerRecord {
  readonly at: number;
  readonly total: number;
  readonly good: number;
  readonly maxSeconds: number;
  counts: readonly number[] | undefined;
}

/** The histogram's running totals since serve started (Prometheus counters never go down). */
export interface CumulativeHistogram {
  readonly counts: readonly number[];
  readonly sum: number;
  readonly total: number;
}

export class SloLedger {
  readonly #records = new Map<string, LedgerRecord[]>();
  readonly #cumulative = new Map<string, { counts: number[]; sum: number; total: number }>();

  constructor(
    /** How far back windows reach: the SLO window or the longest burn window, whichever is longer. */
    private readonly keepMs: number,
    /** Per-bucket counts are kept this long (the dashboard's p50/p99 window). */
    private readonly countsMs: number,
  ) {}

  /** Marts observed at least once, in the order they were first seen. */
  marts(): string[] {
    return [...this.#cumulative.keys()];
  }

  /** Registers a mart with nothing observed yet (its histogram series exist from the first scrape). */
  watch(mart: string): void {
    if (!this.#cumulative.has(mart)) {
      this.#cumulative.set(mart, { counts: new Array(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, total: 0 });
    }
  }

  add(mart: string, observation: LatencyObservation): void {
    this.watch(mart);
    const cumulative = this.#cumulative.get(mart);
    if (cumulative) {
      observation.counts.forEach((c, i) => {
        cumulative.counts[i] = (cumulative.counts[i] ?? 0) + c;
      });
      cumulative.sum += observation.sumSeconds;
      cumulative.total += observation.total;
    }
    if (observation.total === 0) return;
    const records = this.#records.get(mart) ?? [];
    records.push({
      at: observation.at,
      total: observation.total,
      good: observation.good,
      maxSeconds: observation.maxSeconds,
      counts: observation.counts,
    });
    this.#records.set(mart, records);
    this.prune(observation.at);
  }

  cumulative(mart: string): CumulativeHistogram | undefined {
    return this.#cumulative.get(mart);
  }

  /** Drops what no window reaches any more. */
  prune(now: number): void {
    for (const [mart, records] of this.#records) {
      const first = records.findIndex((r) => r.at > now - this.keepMs);
      if (first === -1) this.#records.set(mart, []);
      else if (first > 0) records.splice(0, first);
      for (const r of records) {
        if (r.at > now - this.countsMs) break;
        r.counts = undefined;
      }
    }
  }

  /** Events observed in (now − windowMs, now]; counts only while the window is inside the counts' keep. */
  window(mart: string, now: number, windowMs: number): WindowTotals {
    let total = 0;
    let good = 0;
    let maxSeconds = 0;
    const counts: number[] = new Array(LATENCY_BUCKETS.length + 1).fill(0);
    for (const r of this.#records.get(mart) ?? []) {
      if (r.at <= now - windowMs || r.at > now) continue;
      total += r.total;
      good += r.good;
      maxSeconds = Math.max(maxSeconds, r.maxSeconds);
      r.counts?.forEach((c, i) => {
        counts[i] = (counts[i] ?? 0) + c;
      });
    }
    return { total, good, counts, maxSeconds };
  }
}

/** Share of events within the threshold; undefined with no events (no evidence either way). */
export function compliance(w: WindowTotals): number | undefined {
  return w.total === 0 ? undefined : w.good / w.total;
}

/** How fast the budget burns: the bad share over the budget's share (1 = exactly on budget). */
export function burnRate(w: WindowTotals, target: number): number {
  return w.total === 0 ? 0 : (w.total - w.good) / w.total / (1 - target);
}

/** The share of the window's error budget not spent yet (negative when overspent). */
export function budgetRemaining(w: WindowTotals, target: number): number {
  return 1 - burnRate(w, target);
}

export function windowQuantile(w: WindowTotals, q: number): number | undefined {
  return latencyQuantile(w.counts, q, w.maxSeconds);
}
