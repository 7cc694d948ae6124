/**
 * Seed 003's tumbling windows as pure arithmetic: which window an instant falls in, the Redis key of a
 * window (and of its group), and when the key expires. A key expires `ttl` after its window STARTS (the
 * seed's TTLs: 1m → 2 min, 5m → 10 min, 1h → 2 h), so the expiry is a fixed instant: replaying old
 * changes after Redis lost its data recreates exactly the windows still alive and skips the rest.
 */

export const WINDOWS = ["1m", "5m", "1h"] as const;
export type WindowName = (typeof WINDOWS)[number];

export const WINDOW_SECONDS: Readonly<Record<WindowName, number>> = { "1m": 60, "5m": 300, "1h": 3600 };
export const WINDOW_TTL_SECONDS: Readonly<Record<WindowName, number>> = {
  "1m": 120,
  "5m": 600,
  "1h": 7200,
};

export const GROUP_DIMENSIONS = ["country", "device"] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** A group value Redis keys can hold: no separator, bounded (event fields are validated, but keep keys sane). */
export function groupValue(value: unknown): string {
  if (typeof value !== "string" || value === "") return "unknown";
  return value.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
}

/** Epoch seconds of the start of the window `at` (epoch ms) falls in. */
export function windowStart(window: WindowName, atMs: number): number {
  const size = WINDOW_SECONDS[window];
  return Math.floor(atMs / 1000 / size) * size;
}

/** Epoch seconds at which the window starting at `startS` expires from Redis. */
export function windowExpiresAt(window: WindowName, startS: number): number {
  return startS + WINDOW_TTL_SECONDS[window];
}

/** `2024-01-15T10:30:00Z`, the seed's spelling of a window start. */
export function isoSeconds(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace(".000Z", "Z");
}

export interface WindowKeyParts {
  readonly metric: string;
  readonly window: WindowName;
  readonly startS: number;
  /** Absent: the total over all groups. */
  readonly group?: { readonly dimension: GroupDimension; readonly value: string };
}

/** `metric:<name>:<window>:<start ISO>[:<dimension>:<value>]`, a hash with `count` and `sum_cents`. */
export function windowKey(prefix: string, parts: WindowKeyParts): string {
  const base = `${prefix}metric:${parts.metric}:${parts.window}:${isoSeconds(parts.startS)}`;
  return parts.group ? `${base}:${parts.group.dimension}:${parts.group.value}` : base;
}

/** The HyperLogLog of the window's unique users: the window key + `:hll`. */
export const uniqueUsersKey = (prefix: string, parts: WindowKeyParts) => `${windowKey(prefix, parts)}:hll`;

/** The set of a window's group values for one dimension (the query API lists groups from it, no SCAN). */
export const groupIndexKey = (
  prefix: string,
  parts: Omit<WindowKeyParts, "group">,
  dimension: GroupDimension,
) => `${windowKey(prefix, parts)}:groups:${dimension}`;

/** Window starts (epoch s) covering [fromS, toS), oldest first; bounded so one request cannot ask for millions. */
export function windowStartsBetween(window: WindowName, fromS: number, toS: number, max: number): number[] {
  const size = WINDOW_SECONDS[window];
  const starts: number[] = [];
  for (let s = Math.floor(fromS / size) * size; s < toS && starts.length < max; s += size) starts.push(s);
  return starts;
}
