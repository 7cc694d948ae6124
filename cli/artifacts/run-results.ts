import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import type { NodeResult } from "../log/events.js";
import { type Batch, iso, parseUtc } from "../plan/microbatch.js";
import { readJsonArtifact } from "./read-state.js";

/**
 * `target/run_results.json`, in dbt's run-results v6 shape (https://schemas.getdbt.com), so dbt tooling reads
 * it: results[].unique_id/status/timing/thread_id/execution_time/message/failures/adapter_response/
 * relation_name. The adapter's facts (Trino's query ids, rows affected, the time spent waiting on Trino) are
 * in `adapter_response`; what dbt's schema has no place for (`additionalProperties: false`) is under
 * `adapter_response.floe`: the resource type and display name, the compiled and run SQL paths, an error's
 * code/location/fix, what caused a skip. `args` records the command and flags, which `floe retry` replays.
 */
export const DBT_RUN_RESULTS_SCHEMA_URL = "https://schemas.getdbt.com/dbt/run-results/v6.json";

export interface RunArgs {
  readonly which: "run" | "test" | "seed" | "snapshot" | "build";
  readonly select?: readonly string[];
  readonly exclude?: readonly string[];
  readonly full_refresh: boolean;
  readonly store_failures: boolean;
  readonly threads: number;
  readonly target: string;
  readonly vars?: string;
  /** `--defer --state`: the state folder as an absolute path, so `floe retry` can defer again. */
  readonly defer?: boolean;
  readonly state?: string;
  readonly fail_fast?: boolean;
  readonly warn_error?: boolean;
  readonly empty?: boolean;
  readonly project_dir?: string;
  readonly profiles_dir?: string;
  /** `--event-time-start/--event-time-end` (ISO, UTC). */
  readonly event_time_start?: string;
  readonly event_time_end?: string;
  /** `--due`: only the models that were due and whose upstream changed were built. */
  readonly due?: boolean;
}

export function runResultsJson(
  results: readonly NodeResult[],
  args: RunArgs,
  elapsedSeconds: number,
  generatedAt: string,
): unknown {
  return {
    metadata: {
      dbt_schema_version: DBT_RUN_RESULTS_SCHEMA_URL,
      generated_at: generatedAt,
      // dbt's metadata is closed: Floe's version and adapter go where dbt keeps the invocation's env.
      env: { FLOE_VERSION: "0.1.0", FLOE_ADAPTER: "trino" },
    },
    elapsed_time: round(elapsedSeconds),
    args,
    results: results.map((r) => ({
      unique_id: r.uniqueId,
      status: r.status,
      timing:
        r.startedAt && r.completedAt
          ? [{ name: "execute", started_at: r.startedAt, completed_at: r.completedAt }]
          : [],
      // A skipped node never ran on a thread.
      thread_id: r.threadId ?? "",
      execution_time: round(r.executionTime),
      message: r.message,
      failures: r.failures ?? null,
      adapter_response: {
        rows_affected: r.rowsAffected ?? null,
        query_id: r.queryIds.at(-1) ?? null,
        query_ids: r.queryIds,
        trino_wait_time: round(r.trinoMillis / 1000),
        floe: {
          resource_type: r.resourceType,
          name: r.displayName,
          compiled_path: r.compiledPath ?? null,
          run_path: r.runPath ?? null,
          ...(r.errorCode
            ? { error: { code: r.errorCode, location: r.location ?? null, hint: r.hint ?? null } }
            : {}),
          ...(r.skippedBecause ? { skipped_because: r.skippedBecause } : {}),
          // --due: skipped as not due or unchanged (the message says which); `floe retry` leaves it.
          ...(r.reused ? { reused: true } : {}),
        },
      },
      // Floe writes the compiled SQL to compiled_path, not into this file.
      compiled: r.status === "skipped" || r.compiledPath === undefined ? null : true,
      compiled_code: null,
      relation_name: r.relationName ?? null,
      // dbt 1.9's own field for a microbatch model: [start, end] per batch, successful and failed.
      ...(r.batchResults ? { batch_results: r.batchResults } : {}),
    })),
  };
}

export function writeRunResults(path: string, json: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(json, null, 2)}\n`);
}

const previousSchema = z.object({
  args: z.looseObject({ which: z.enum(["run", "test", "seed", "snapshot", "build"]) }),
  results: z.array(z.looseObject({ unique_id: z.string(), status: z.string() })),
});

export type PreviousRunResults = z.output<typeof previousSchema> & { readonly raw: { results: unknown[] } };

/** Reads a previous run_results.json for `floe retry`. */
export function readPreviousRunResults(targetDir: string): PreviousRunResults {
  const path = join(targetDir, "run_results.json");
  if (!existsSync(path)) {
    throw new UsageError(`There is no ${path} to retry.`, {
      hint: "run floe run, test, seed or build first; retry re-runs what failed or was skipped there.",
    });
  }
  const parsed = readJsonArtifact(path, "rerun the command that writes it.");
  const result = previousSchema.safeParse(parsed);
  if (!result.success) {
    throw new UsageError(`${path} was not written by floe run/test/seed/build (no args.which or results).`, {
      hint: "rerun the command that writes it.",
    });
  }
  return { ...result.data, raw: parsed as { results: unknown[] } };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

const batchResultsSchema = z.object({
  unique_id: z.string(),
  batch_results: z.object({ failed: z.array(z.tuple([z.string(), z.string()])) }),
});

/**
 * `floe retry`: per microbatch model, the batches that failed in the previous run (its `batch_results`),
 * so only those run again. Entries without batch results (a model that failed before its batches) are
 * left out and rerun whole.
 */
export function failedBatches(results: readonly unknown[]): Map<string, Batch[]> {
  const out = new Map<string, Batch[]>();
  for (const result of results) {
    const parsed = batchResultsSchema.safeParse(result);
    if (!parsed.success || parsed.data.batch_results.failed.length === 0) continue;
    const batches = parsed.data.batch_results.failed.flatMap(([start, end]) => {
      const s = parseUtc(start);
      const e = parseUtc(end);
      return s && e ? [{ start: iso(s), end: iso(e) }] : [];
    });
    if (batches.length > 0) out.set(parsed.data.unique_id, batches);
  }
  return out;
}
