import { ConfigError } from "../../core/errors.js";
import type { SourceNode } from "../manifest/manifest.js";

/**
 * Source freshness rules, with dbt's semantics: a source table is checked when it has a `loaded_at_field`
 * and a `freshness` block with `warn_after` and/or `error_after` (`{count, period: minute|hour|day}`;
 * Floe also reads the short strings `6h`, `30 minutes`, `2d`). Its status comes from the age of
 * `max(loaded_at_field)`: older than `error_after` → error, else older than `warn_after` → warn, else pass
 * (strictly older, as dbt compares). An empty table has no age: it counts as infinitely old.
 */
export type Period = "minute" | "hour" | "day";

export interface Duration {
  readonly count: number;
  readonly period: Period;
}

export interface FreshnessCriteria {
  readonly warn_after?: Duration;
  readonly error_after?: Duration;
  readonly filter?: string;
}

export type FreshnessStatus = "pass" | "warn" | "error" | "runtime error";

const SECONDS: Record<Period, number> = { minute: 60, hour: 3600, day: 86_400 };

export function durationSeconds(duration: Duration): number {
  return duration.count * SECONDS[duration.period];
}

/** `pass`, `warn` or `error` from an age in seconds (`undefined`: the table has no rows). */
export function freshnessStatus(
  criteria: FreshnessCriteria,
  ageSeconds: number | undefined,
): Exclude<FreshnessStatus, "runtime error"> {
  const age = ageSeconds ?? Number.POSITIVE_INFINITY;
  if (criteria.error_after && age > durationSeconds(criteria.error_after)) return "error";
  if (criteria.warn_after && age > durationSeconds(criteria.warn_after)) return "warn";
  return "pass";
}

/** Why a source is not checked, or its criteria. */
export type FreshnessPlan =
  | { readonly check: true; readonly loadedAtField: string; readonly criteria: FreshnessCriteria }
  | { readonly check: false; readonly reason: string };

/**
 * What to check for one source. A malformed duration is a configuration error naming the yml file; a
 * source with no freshness block, or no `loaded_at_field`, is skipped with the reason (Trino has no table
 * "last modified" metadata that dbt-trino could use instead, so dbt skips those too).
 */
export function freshnessPlan(source: SourceNode): FreshnessPlan {
  const raw = source.freshness as Record<string, unknown> | undefined;
  if (raw === undefined || raw === null) return { check: false, reason: "no freshness config" };
  const where = `sources: ${source.source_name}.${source.table_name}.freshness`;
  const warn = parseDuration(raw.warn_after, source, `${where}.warn_after`);
  const error = parseDuration(raw.error_after, source, `${where}.error_after`);
  if (!warn && !error) return { check: false, reason: "freshness has no warn_after or error_after" };
  if (source.loaded_at_field === undefined || source.loaded_at_field.trim() === "") {
    return { check: false, reason: "no loaded_at_field" };
  }
  const filter = typeof raw.filter === "string" && raw.filter.trim() !== "" ? raw.filter : undefined;
  return {
    check: true,
    loadedAtField: source.loaded_at_field,
    criteria: {
      ...(warn ? { warn_after: warn } : {}),
      ...(error ? { error_after: error } : {}),
      ...(filter ? { filter } : {}),
    },
  };
}

const UNITS: Record<string, Period> = {
  m: "minute",
  min: "minute",
  mins: "minute",
  minute: "minute",
  minutes: "minute",
  h: "hour",
  hr: "hour",
  hrs: "hour",
  hour: "hour",
  hours: "hour",
  d: "day",
  day: "day",
  days: "day",
};

function parseDuration(value: unknown, source: SourceNode, path: string): Duration | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object") {
    const { count, period } = value as { count?: unknown; period?: unknown };
    // dbt allows `{count: null, period: null}` to switch an inherited threshold off.
    if (count === null || count === undefined) return undefined;
    if (typeof count === "number" && typeof period === "string" && period in SECONDS) {
      return { count, period: period as Period };
    }
  }
  if (typeof value === "string") {
    const match = /^\s*(\d+)\s*([a-z]+)\s*$/i.exec(value);
    const period = match ? UNITS[match[2]!.toLowerCase()] : undefined;
    if (match && period && Number(match[1]) > 0) return { count: Number(match[1]), period };
  }
  throw new ConfigError(`freshness threshold ${JSON.stringify(value)} is not a duration.`, {
    location: { file: source.original_file_path, path },
    hint: "write {count: 6, period: hour} (period: minute, hour or day), or a short form like 6h.",
  });
}

/** `criteria` as dbt writes it in sources.json: both thresholds present, null when unset. */
export function criteriaJson(criteria: FreshnessCriteria): Record<string, unknown> {
  const threshold = (d: Duration | undefined) => ({ count: d?.count ?? null, period: d?.period ?? null });
  return {
    warn_after: threshold(criteria.warn_after),
    error_after: threshold(criteria.error_after),
    filter: criteria.filter ?? null,
  };
}

/** `6 hours`, `1 day`: for log lines. */
export function formatDuration(d: Duration): string {
  return `${d.count} ${d.period}${d.count === 1 ? "" : "s"}`;
}

/** A human age: `42s`, `17m`, `5.2h`, `3.1d`. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return "no rows";
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}
