import { join } from "node:path";
import { compactRawPartitions, type RawCompactionOptions } from "../../ingest/raw-compaction.js";
import { applyRawRetention, type RawRetentionOptions } from "../../ingest/raw-retention.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { lockTarget } from "../artifacts/target-lock.js";
import type { ParsedProject } from "../compile/compile.js";
import { projectDueGate } from "../due/due-gate.js";
import type { NodeResult, RunLogger } from "../log/events.js";
import { planMaintenance } from "../maintain/plan-maintenance.js";
import { runMaintenance } from "../maintain/run-maintenance.js";
import { catalogsOf, preflight } from "../runner/preflight.js";
import { runTaskOptions } from "../runner/run-options.js";
import { runTask } from "../runner/run-task.js";
import type { JobOutcome } from "./periodic-child.js";
import type { ServeMetrics } from "./serve-metrics.js";
import type { ProbeResult, ServeRecorder } from "./serve-status.js";
import type { SloMonitor } from "./slo-monitor.js";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface JobContext {
  readonly project: ParsedProject;
  /** What each build builds (the command's selection; everything by default). */
  readonly selected: ReadonlySet<string>;
  readonly connection: TrinoConnection;
  readonly logger: RunLogger;
  readonly recorder: ServeRecorder;
  readonly metrics: ServeMetrics;
  /** Raw retention after the tables' maintenance, as `floe maintain` does it; absent: `--no-raw`. */
  readonly rawRetention?: Omit<RawRetentionOptions, "now" | "dryRun" | "onPartition">;
  /** Build as `floe build --due` does (serve's default); false (`--no-due`) builds everything every time. */
  readonly due?: boolean;
  /** Times the measured marts' new events after each build; absent when none is measured. */
  readonly slo?: SloMonitor;
  /** Raw compaction of closed partitions after retention, as `floe maintain` does it; absent: `--no-raw`. */
  readonly rawCompaction?: Omit<RawCompactionOptions, "now" | "dryRun" | "onMerge">;
  readonly now?: () => number;
}

/** `SELECT 1` on the target's Trino; remembered for `/readyz` and the dashboard. */
export async function probeTrino(
  context: Pick<JobContext, "connection" | "recorder" | "now">,
): Promise<ProbeResult> {
  const now = context.now ?? Date.now;
  let probe: ProbeResult;
  try {
    await context.connection.query("SELECT 1");
    probe = { ok: true, at: now() };
  } catch (error) {
    probe = { ok: false, at: now(), error: message(error) };
  }
  context.recorder.probe = probe;
  return probe;
}

/**
 * One `floe build --due` of the project through `runTask`, as the CLI's build runs it (target lock,
 * preflight, run_results.json written, the due state in the target folder), recorded per model; a model
 * skipped as not due or unchanged is neither rebuilt nor timed by the SLO monitor. A run that cannot start
 * (the lock is held by a manual `floe build`, S3 is down) is a failed build, retried by the scheduler.
 */
export async function scheduledBuild(context: JobContext, signal: AbortSignal): Promise<JobOutcome> {
  const { project, selected, connection, recorder, metrics } = context;
  const now = context.now ?? Date.now;
  const startedAt = now();
  // Shown as "building" on the dashboard until recordBuild below: a long build is not a stalled serve.
  recorder.buildingSince = startedAt;
  let outcome: JobOutcome;
  let built: readonly NodeResult[] = [];
  // What the measured marts hold before this build, so the rows it adds are timed.
  await context.slo?.beforeBuild();
  try {
    const lock = lockTarget(join(project.root, project.targetPath), "build", { display: project.targetPath });
    try {
      await preflight(project.target, connection, catalogsOf(project.manifest, selected, project.target), {
        signal,
      });
      const result = await runTask(
        runTaskOptions({
          project,
          kind: "build",
          selected,
          connection,
          logger: context.logger,
          signal,
          ...(context.due === false ? {} : { due: projectDueGate(project, connection, signal) }),
        }),
      );
      const reused = result.results.filter((r) => r.reused).length;
      if (reused > 0) metrics.dueSkipped.inc(reused);
      const errors = result.results.filter((r) => r.status === "error" || r.status === "fail").length;
      const status = result.cancelled ? "cancelled" : result.exitCode === 0 ? "success" : "error";
      const firstError = result.results.find((r) => r.status === "error" || r.status === "fail");
      recorder.recordBuild(
        {
          startedAt,
          finishedAt: now(),
          status,
          models: result.results.length,
          errors,
          ...(firstError ? { error: `${firstError.displayName}: ${firstError.message}` } : {}),
        },
        result.results,
      );
      outcome = status === "error" ? { ok: false, error: `${errors} node(s) failed` } : { ok: true };
      built = result.results;
    } finally {
      lock.release();
    }
  } catch (error) {
    recorder.recordBuild(
      { startedAt, finishedAt: now(), status: "error", models: 0, errors: 1, error: message(error) },
      [],
    );
    outcome = { ok: false, error: message(error) };
  }
  const last = recorder.builds.at(-1);
  if (last) {
    metrics.builds.inc({ status: last.status });
    metrics.buildDuration.observe((last.finishedAt - last.startedAt) / 1000);
  }
  // After the lock is released: timing the marts only reads them.
  if (context.slo && built.length > 0 && !signal.aborted) await context.slo.afterBuild(built, now());
  return outcome;
}

/** One `floe maintain` pass (Iceberg optimize, expire_snapshots, remove_orphan_files, retention) over the selection. */
export async function scheduledMaintenance(context: JobContext, signal: AbortSignal): Promise<JobOutcome> {
  const { project, selected, connection, recorder, metrics } = context;
  const now = context.now ?? Date.now;
  const startedAt = now();
  const nodes = [...selected]
    .map((id) => project.manifest.nodes[id])
    .filter((n) => n !== undefined && (n.resource_type === "model" || n.resource_type === "seed"));
  try {
    const plan = planMaintenance(nodes as Parameters<typeof planMaintenance>[0], new Date(startedAt));
    const outcomes = await runMaintenance({ plan, trino: connection, dryRun: false, signal });
    const raw =
      context.rawRetention && !signal.aborted
        ? await applyRawRetention({ ...context.rawRetention, now: new Date(startedAt), dryRun: false })
        : undefined;
    if (context.rawCompaction && !signal.aborted) {
      await compactRawPartitions({ ...context.rawCompaction, now: new Date(startedAt), dryRun: false });
    }
    const failed = outcomes.filter((o) => o.status === "error");
    const status = failed.length > 0 ? "error" : "success";
    recorder.recordMaintenance({
      startedAt,
      finishedAt: now(),
      status,
      tables: outcomes.length,
      failed: failed.length,
      filesBefore: outcomes.reduce((n, o) => n + (o.before?.files ?? 0), 0),
      filesAfter: outcomes.reduce((n, o) => n + (o.after?.files ?? 0), 0),
      rawPartitionsDeleted: raw?.partitions ?? 0,
      ...(failed[0]?.error ? { error: `${failed[0].relation}: ${failed[0].error}` } : {}),
    });
    metrics.maintenanceRuns.inc({ status });
    return failed.length > 0 ? { ok: false, error: failed[0]?.error ?? "a table failed" } : { ok: true };
  } catch (error) {
    recorder.recordMaintenance({
      startedAt,
      finishedAt: now(),
      status: "error",
      tables: 0,
      failed: 0,
      filesBefore: 0,
      filesAfter: 0,
      rawPartitionsDeleted: 0,
      error: message(error),
    });
    metrics.maintenanceRuns.inc({ status: "error" });
    return { ok: false, error: message(error) };
  }
}
