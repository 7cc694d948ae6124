import { quoteRelation } from "../../trino/dialect.js";
import type { SourceNode } from "../manifest/manifest.js";
import type { FreshnessCriteria } from "./criteria.js";

/**
 * The one query per source: `max(loaded_at_field)` and Trino's current time, both as UTC ISO-8601, and
 * the age in seconds computed by Trino (one clock, no client skew). Run with the session time zone set to
 * UTC, so a `timestamp` without zone is read as UTC (dbt's rule for naive timestamps) and a
 * `timestamp with time zone` keeps its instant. `loaded_at_field` and `filter` are SQL expressions, as in
 * dbt.
 */
export function freshnessSql(source: SourceNode, loadedAtField: string, criteria: FreshnessCriteria): string {
  const where = criteria.filter ? `\n  WHERE ${criteria.filter}` : "";
  return `WITH freshness AS (
  SELECT CAST(max(${loadedAtField}) AS timestamp(6) with time zone) AS max_loaded_at,
         current_timestamp(6) AS snapshotted_at
  FROM ${quoteRelation(source.relation)}${where}
)
SELECT to_iso8601(max_loaded_at AT TIME ZONE 'UTC') AS max_loaded_at,
       to_iso8601(snapshotted_at AT TIME ZONE 'UTC') AS snapshotted_at,
       to_unixtime(snapshotted_at) - to_unixtime(max_loaded_at) AS age_s
FROM freshness`;
}

export interface FreshnessRow {
  readonly maxLoadedAt: string | undefined;
  readonly snapshottedAt: string;
  readonly ageSeconds: number | undefined;
}

/** The query's single row; max_loaded_at and the age are null when the table (after `filter`) is empty. */
export function parseFreshnessRow(row: Record<string, unknown> | undefined): FreshnessRow {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const age = row?.age_s;
  return {
    maxLoadedAt: text(row?.max_loaded_at),
    snapshottedAt: text(row?.snapshotted_at) ?? new Date().toISOString(),
    ageSeconds: typeof age === "number" && Number.isFinite(age) ? age : undefined,
  };
}
