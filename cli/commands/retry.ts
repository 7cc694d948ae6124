import { join } from "node:path";
import type { RunCommandFlags } from "./common-flags.js";
import { addProjectFlags, addRunFlags, createLog } from "./common-flags.js";
import type { FloeCommand } from "./floe-command.js";

const RETRIED = new Set(["error", "fail", "skipped"]);

/** A node `--due` skipped (not due, or nothing upstream changed) is no failure: retry leaves it. */
function reusedByDue(result: Record<string, unknown>): boolean {
  const response = result.adapter_response as { floe?: { reused?: unknown } } | undefined;
  return response?.floe?.reused === true;
}

/**
 * `floe retry`: re-runs, with the same command and flags, the nodes that failed or were skipped in the last
 * run_results.json (of a microbatch model, only the batches that failed). Earlier successes stay in
 * run_results.json, so a second retry sees the whole picture.
 * Flags given to retry override the recorded ones (`--vars`, `--threads`, `--full-refresh`, `--defer
 * --state`).
 */
export function registerRetryCommand(program: FloeCommand): void {
  const { io } = program;
  addRunFlags(
    addProjectFlags(
      program.command("retry").description("re-run what failed or was skipped in the last run"),
    ),
  )
    .option("--state <dir>", "with --defer: the manifest.json to defer to (default: the one recorded)")
    .handle(async (flags: RunCommandFlags) => {
      const { executeTask, loadRunProject } = await import("./run-action.js");
      const { failedBatches, readPreviousRunResults } = await import("../artifacts/run-results.js");
      const first = loadRunProject(flags, io);
      const previous = readPreviousRunResults(join(first.root, first.targetPath));
      const args = previous.args as {
        vars?: unknown;
        full_refresh?: unknown;
        store_failures?: unknown;
        threads?: unknown;
        defer?: unknown;
        state?: unknown;
        fail_fast?: unknown;
        warn_error?: unknown;
        empty?: unknown;
        event_time_start?: unknown;
        event_time_end?: unknown;
      };
      // The previous --vars shape the SQL; keep them unless given anew.
      const project =
        flags.vars === undefined && typeof args.vars === "string"
          ? loadRunProject({ ...flags, vars: args.vars }, io)
          : first;
      const ids = previous.results
        .filter(
          (r) =>
            RETRIED.has(r.status) &&
            !reusedByDue(r) &&
            (project.manifest.nodes[r.unique_id] ?? project.manifest.unit_tests[r.unique_id]) !== undefined,
        )
        .map((r) => r.unique_id);
      if (ids.length === 0) {
        createLog(flags.logFormat, io, flags.quiet).info(
          "retry.nothing",
          `Nothing to retry: the last ${previous.args.which} had no errors, failures or skipped nodes.`,
        );
        return 0;
      }
      const result = await executeTask(
        project,
        previous.args.which,
        new Set(ids),
        {
          ...flags,
          fullRefresh: flags.fullRefresh ?? args.full_refresh === true,
          storeFailures: args.store_failures === true,
          // A deferred run defers again: the upstream nodes it read from --state are still not built here.
          ...(flags.defer === undefined && args.defer === true ? { defer: true } : {}),
          ...(flags.state === undefined && typeof args.state === "string" ? { state: args.state } : {}),
          // A schema-only (--empty) run retries schema-only; --fail-fast and --warn-error hold again.
          ...(flags.empty === undefined && args.empty === true ? { empty: true } : {}),
          ...(flags.failFast === undefined && args.fail_fast === true ? { failFast: true } : {}),
          ...(flags.warnError === undefined && args.warn_error === true ? { warnError: true } : {}),
          ...(flags.threads === undefined && typeof args.threads === "number"
            ? { threads: args.threads }
            : {}),
          // A skipped microbatch model backfills the range the run asked for (failed batches are explicit).
          ...(typeof args.event_time_start === "string"
            ? { eventTimeStart: new Date(args.event_time_start) }
            : {}),
          ...(typeof args.event_time_end === "string" ? { eventTimeEnd: new Date(args.event_time_end) } : {}),
        },
        io,
        previous.raw.results as { unique_id: string }[],
        // A microbatch model reruns only its failed batches.
        failedBatches(previous.raw.results),
      );
      return result.exitCode;
    });
}
