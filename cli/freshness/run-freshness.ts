import type { TrinoConnection } from "../../trino/connection.js";
import { quoteRelation } from "../../trino/dialect.js";
import { TrinoQueryError } from "../../trino/errors.js";
import type { Manifest, SourceNode } from "../manifest/manifest.js";
import { type FreshnessCriteria, type FreshnessStatus, freshnessPlan, freshnessStatus } from "./criteria.js";
import { freshnessSql, parseFreshnessRow } from "./freshness-query.js";

/**
 * `floe source freshness` as a programmatic API: plan which selected sources to check (pure), run one
 * query per source with at most `threads` at once, and report each as it starts and ends. A failing
 * query is that source's `runtime error`; an unreachable Trino or Ctrl-C ends the whole command.
 */
export interface SourceFreshnessResult {
  readonly uniqueId: string;
  /** `raw.orders`. */
  readonly name: string;
  readonly status: FreshnessStatus;
  readonly criteria: FreshnessCriteria;
  readonly maxLoadedAt?: string;
  readonly snapshottedAt?: string;
  readonly ageSeconds?: number;
  readonly startedAt: string;
  readonly completedAt: string;
  /** Seconds. */
  readonly executionTime: number;
  readonly queryId?: string;
  readonly error?: { readonly message: string; readonly code: string; readonly file: string };
}

export interface SkippedSource {
  readonly uniqueId: string;
  readonly name: string;
  readonly reason: string;
}

export type FreshnessEvent =
  | {
      readonly code: "FRESHNESS_STARTED";
      readonly total: number;
      readonly threads: number;
      readonly skipped: readonly SkippedSource[];
    }
  | { readonly code: "SOURCE_STARTED"; readonly index: number; readonly total: number; readonly name: string }
  | {
      readonly code: "SOURCE_FINISHED";
      readonly index: number;
      readonly total: number;
      readonly result: SourceFreshnessResult;
    }
  | {
      readonly code: "FRESHNESS_FINISHED";
      readonly elapsedSeconds: number;
      readonly results: readonly SourceFreshnessResult[];
      readonly sourcesPath: string;
    };

export interface FreshnessPlanItem {
  readonly source: SourceNode;
  readonly loadedAtField: string;
  readonly criteria: FreshnessCriteria;
}

/** The selected sources split into those to check (in name order) and those skipped, with why. */
export function planFreshness(
  manifest: Manifest,
  selected: ReadonlySet<string>,
): { readonly checks: FreshnessPlanItem[]; readonly skipped: SkippedSource[] } {
  const checks: FreshnessPlanItem[] = [];
  const skipped: SkippedSource[] = [];
  const sources = Object.values(manifest.sources)
    .filter((s) => selected.has(s.unique_id))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const source of sources) {
    const plan = freshnessPlan(source);
    if (plan.check) checks.push({ source, loadedAtField: plan.loadedAtField, criteria: plan.criteria });
    else skipped.push({ uniqueId: source.unique_id, name: source.name, reason: plan.reason });
  }
  return { checks, skipped };
}

export interface RunFreshnessOptions {
  readonly checks: readonly FreshnessPlanItem[];
  readonly skipped: readonly SkippedSource[];
  /** Its session time zone must be UTC (see freshness-query.ts). */
  readonly connection: TrinoConnection;
  readonly threads: number;
  readonly signal?: AbortSignal;
  readonly onEvent: (event: FreshnessEvent) => void;
  readonly sourcesPath: string;
}

export async function runFreshness(options: RunFreshnessOptions): Promise<SourceFreshnessResult[]> {
  const { checks, connection, onEvent, signal } = options;
  const started = performance.now();
  const total = checks.length;
  onEvent({ code: "FRESHNESS_STARTED", total, threads: options.threads, skipped: options.skipped });
  const results: SourceFreshnessResult[] = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total && !signal?.aborted) {
      const index = next++;
      const item = checks[index]!;
      onEvent({ code: "SOURCE_STARTED", index: index + 1, total, name: item.source.name });
      const result = await checkSource(item, connection, signal);
      results[index] = result;
      onEvent({ code: "SOURCE_FINISHED", index: index + 1, total, result });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.threads, total)) }, worker));
  const done = results.filter((r) => r !== undefined);
  onEvent({
    code: "FRESHNESS_FINISHED",
    elapsedSeconds: (performance.now() - started) / 1000,
    results: done,
    sourcesPath: options.sourcesPath,
  });
  return done;
}

async function checkSource(
  item: FreshnessPlanItem,
  connection: TrinoConnection,
  signal: AbortSignal | undefined,
): Promise<SourceFreshnessResult> {
  const { source, criteria } = item;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const base = { uniqueId: source.unique_id, name: source.name, criteria, startedAt };
  try {
    const result = await connection.query(
      freshnessSql(source, item.loadedAtField, criteria),
      signal ? { signal } : {},
    );
    const row = parseFreshnessRow(result.rows[0]);
    return {
      ...base,
      status: freshnessStatus(criteria, row.ageSeconds),
      ...(row.maxLoadedAt === undefined ? {} : { maxLoadedAt: row.maxLoadedAt }),
      snapshottedAt: row.snapshottedAt,
      ...(row.ageSeconds === undefined ? {} : { ageSeconds: row.ageSeconds }),
      completedAt: new Date().toISOString(),
      executionTime: (performance.now() - t0) / 1000,
      queryId: result.queryId,
    };
  } catch (error) {
    if (!(error instanceof TrinoQueryError)) throw error;
    return {
      ...base,
      status: "runtime error",
      completedAt: new Date().toISOString(),
      executionTime: (performance.now() - t0) / 1000,
      queryId: error.queryId,
      error: {
        // Trino's "line 4:8:" points into the generated freshness query, not into the yml file.
        message: `${error.message.replace(/^line \d+:\d+: /, "")} (querying ${quoteRelation(source.relation)}; Trino query ${error.queryId})`,
        code: error.code,
        file: source.original_file_path,
      },
    };
  }
}

/** dbt's rule: any stale (`error`) or failing (`runtime error`) source fails the command; warnings do not. */
export function freshnessExitCode(results: readonly SourceFreshnessResult[]): 0 | 1 {
  return results.some((r) => r.status === "error" || r.status === "runtime error") ? 1 : 0;
}
