import { isFloeError } from "../../core/errors.js";
import { TrinoQueryError } from "../../trino/errors.js";
import type { Manifest } from "../compile/compile.js";
import type { NodeQueries } from "../execute/node-queries.js";
import type { NodeResult, RunLogger } from "../log/events.js";
import type { RunContext } from "./run-context.js";

export type RunHookKind = "on-run-start" | "on-run-end";

/**
 * What `on-run-end` templates see as `results` (dbt exposes its run results the same way), one entry per
 * node of the run, in run order. `rows_affected` is the literal `null` when the node reports no count, so
 * it can go into SQL as it is.
 */
export interface HookResult {
  readonly unique_id: string;
  readonly name: string;
  readonly resource_type: string;
  readonly status: string;
  readonly rows_affected: number | "null";
  /** Seconds. */
  readonly execution_time: number;
  readonly message: string;
  /** The quoted relation, or "" for a test. */
  readonly relation: string;
}

export function hookResults(manifest: Manifest, results: readonly NodeResult[]): HookResult[] {
  return results.map((r) => ({
    unique_id: r.uniqueId,
    name: (manifest.nodes[r.uniqueId] ?? manifest.unit_tests[r.uniqueId])?.name ?? r.uniqueId,
    resource_type: r.resourceType,
    status: r.status,
    rows_affected: r.rowsAffected ?? "null",
    execution_time: Math.round(r.executionTime * 1000) / 1000,
    message: r.message,
    relation: r.relationName ?? "",
  }));
}

/**
 * Runs floe_project.yml's `on-run-start` or `on-run-end` statements in order, each rendered with
 * `context` (target, and for on-run-end the run's results), logging each; stops at the first failure.
 * Returns whether all succeeded.
 */
export async function runProjectHooks(
  kind: RunHookKind,
  hooks: readonly string[],
  context: object,
  ctx: RunContext,
  q: NodeQueries,
  logger: RunLogger,
): Promise<boolean> {
  for (const [i, hook] of hooks.entries()) {
    const started = performance.now();
    const finish = (status: "success" | "error", message: string) =>
      logger.event({
        code: "HOOK_FINISHED",
        hook: kind,
        index: i + 1,
        total: hooks.length,
        status,
        message,
        executionTime: (performance.now() - started) / 1000,
      });
    try {
      const sql = ctx.renderer.renderHook(hook, `floe_project.yml (${kind}[${i}])`, context);
      if (sql.replace(/[\s;]+/g, "") === "") {
        finish("success", "nothing to run");
        continue;
      }
      const result = await q.query(sql.replace(/[\s;]+$/, ""));
      finish("success", result.updateCount === undefined ? "OK" : `OK (${result.updateCount} rows)`);
    } catch (error) {
      const message =
        error instanceof TrinoQueryError || isFloeError(error) || error instanceof Error
          ? error.message
          : String(error);
      finish("error", message);
      return false;
    }
  }
  return true;
}
