import { criteriaJson } from "./criteria.js";
import type { SourceFreshnessResult } from "./run-freshness.js";

/**
 * `target/sources.json` in dbt's shape: per checked source `unique_id`, `max_loaded_at`,
 * `snapshotted_at`, `max_loaded_at_time_ago_in_s`, `status` (pass|warn|error|runtime error), `criteria`,
 * `timing`, `execution_time`, `adapter_response`; a runtime error carries `error` instead of the times.
 */
export const SOURCES_SCHEMA_VERSION = 1;

export function sourcesJson(
  results: readonly SourceFreshnessResult[],
  elapsedSeconds: number,
  generatedAt: string,
): unknown {
  return {
    schemaVersion: SOURCES_SCHEMA_VERSION,
    metadata: { floe_version: "0.1.0", generated_at: generatedAt, adapter_type: "trino" },
    elapsed_time: round(elapsedSeconds),
    results: results.map((r) => ({
      unique_id: r.uniqueId,
      ...(r.status === "runtime error"
        ? { error: r.error?.message ?? "unknown error", error_code: r.error?.code ?? null }
        : {
            max_loaded_at: r.maxLoadedAt ?? null,
            snapshotted_at: r.snapshottedAt ?? null,
            max_loaded_at_time_ago_in_s: r.ageSeconds === undefined ? null : round(r.ageSeconds),
          }),
      status: r.status,
      criteria: criteriaJson(r.criteria),
      timing: [{ name: "execute", started_at: r.startedAt, completed_at: r.completedAt }],
      execution_time: round(r.executionTime),
      adapter_response: { query_id: r.queryId ?? null },
    })),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
