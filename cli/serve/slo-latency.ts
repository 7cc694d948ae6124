/**
 * Event→mart latency, observed after each build of a measured mart (pure). Trino returns, per event-time
 * bucket of the mart's last hour, how many events the mart holds; the rows that appeared since the last
 * observation are the bucket's growth, and each became visible when the build committed the mart. So every
 * event is counted once, whatever order it arrived in — a watermark on event time would drop the events
 * that arrive behind newer ones (the sink's partitions flush independently), exactly the slow ones an SLO
 * must count.
 */

/** Histogram bounds in seconds, dense around a 5-minute SLO (`floe_event_to_mart_seconds`). */
export const LATENCY_BUCKETS: readonly number[] = [
  5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900,
];

/** One row of a mart's event-time query: the bucket's start (epoch seconds) and the events in it. */
export interface EventTimeCount {
  readonly bucketStart: number;
  readonly events: number;
}

/** What one observation of one mart adds: the new events by latency bucket. */
export interface LatencyObservation {
  /** Epoch ms the new rows became visible (the mart's build finished). */
  readonly at: number;
  /** New events per `LATENCY_BUCKETS` bucket (non-cumulative), the last slot above the highest bound. */
  readonly counts: readonly number[];
  readonly total: number;
  /** Events within the SLO's latency threshold. */
  readonly good: number;
  readonly sumSeconds: number;
  readonly maxSeconds: number;
}

/** The events per event-time bucket last seen in a mart; undefined before its first observation. */
export type SeenCounts = ReadonlyMap<number, number> | undefined;

/** Where in `LATENCY_BUCKETS` a latency falls (`LATENCY_BUCKETS.length`: above the highest bound). */
export function latencyBucket(seconds: number, bounds: readonly number[] = LATENCY_BUCKETS): number {
  const index = bounds.findIndex((bound) => seconds <= bound);
  return index === -1 ? bounds.length : index;
}

/**
 * The next seen counts and the observation. The first observation is the baseline (the rows there before
 * serve watched were not timed by it) and yields none. A bucket that shrank (a rebuild deduplicated it,
 * the lookback edge cut it) adds nothing; its lower count is the new baseline. Latency runs from the
 * bucket's start: an upper bound by at most the bucket's width, so the figure never flatters.
 */
export function observeMart(
  seen: SeenCounts,
  rows: readonly EventTimeCount[],
  visibleAtMs: number,
  thresholdSeconds: number,
): { readonly seen: Map<number, number>; readonly observation: LatencyObservation | undefined } {
  const next = new Map<number, number>();
  for (const row of rows) next.set(row.bucketStart, (next.get(row.bucketStart) ?? 0) + row.events);
  if (seen === undefined) return { seen: next, observation: undefined };
  const counts: number[] = new Array(LATENCY_BUCKETS.length + 1).fill(0);
  let total = 0;
  let good = 0;
  let sumSeconds = 0;
  let maxSeconds = 0;
  for (const [bucketStart, events] of next) {
    const added = events - (seen.get(bucketStart) ?? 0);
    if (added <= 0) continue;
    const latency = Math.max(visibleAtMs / 1000 - bucketStart, 0);
    const bucket = latencyBucket(latency);
    counts[bucket] = (counts[bucket] ?? 0) + added;
    total += added;
    if (latency <= thresholdSeconds) good += added;
    sumSeconds += latency * added;
    maxSeconds = Math.max(maxSeconds, latency);
  }
  return { seen: next, observation: { at: visibleAtMs, counts, total, good, sumSeconds, maxSeconds } };
}

/**
 * The q-quantile of bucketed latencies, interpolated linearly inside its bucket as Prometheus'
 * `histogram_quantile` does; in the open top bucket it is the largest latency seen (`max`).
 */
export function latencyQuantile(
  counts: readonly number[],
  q: number,
  max: number,
  bounds: readonly number[] = LATENCY_BUCKETS,
): number | undefined {
  const total = counts.reduce((n, c) => n + c, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      if (i >= bounds.length) return max;
      const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
      const upper = Math.min(bounds[i] ?? max, Math.max(max, lower));
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return max;
}
