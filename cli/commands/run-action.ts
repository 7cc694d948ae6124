/**
 * What `floe run/test/seed/build/retry` do once their flags are parsed. Loaded only when one of them runs,
 * so `floe --help` and the compile commands do not pay for the engine's modules.
 */
import { join, resolve } from "node:path";
import { FloeError, UsageError } from "../../core/errors.js";
import { cancelOnSigint } from "../../trino/cancel-on-sigint.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { quoteRelation } from "../../trino/dialect.js";
import { readStateManifest } from "../artifacts/read-state.js";
import { lockTarget } from "../artifacts/target-lock.js";
import { writeManifest } from "../artifacts/write-artifacts.js";
import { loadProject, type ParsedProject, type Relation } from "../compile/compile.js";
import { projectDueGate } from "../due/due-gate.js";
import { useColour } from "../log/colour.js";
import type { RunLogger } from "../log/events.js";
import { jsonLogger } from "../log/json-logger.js";
import { quietLogger } from "../log/quiet-logger.js";
import { textLogger } from "../log/text-logger.js";
import type { Batch } from "../plan/microbatch.js";
import { connectTarget } from "../runner/connect.js";
import { deferCandidates, resolveDeferred } from "../runner/defer.js";
import { catalogsOf, preflight } from "../runner/preflight.js";
import { buildRunGraph, type TaskKind } from "../runner/run-graph.js";
import { runTaskOptions } from "../runner/run-options.js";
import { type RunTaskResult, runTask } from "../runner/run-task.js";
import { breakingContractChanges, refuseBreakingChanges } from "../select/contract-changes.js";
import {
  createLog,
  interruptNotice,
  loadOptions,
  type ProjectFlags,
  type RunCommandFlags,
} from "./common-flags.js";
import { flagNeeds } from "./flag-values.js";
import type { CliIO } from "./io.js";

export function loadRunProject(flags: ProjectFlags & { warnError?: boolean }, io: CliIO): ParsedProject {
  const project = loadProject(loadOptions(flags, io));
  const log = createLog(flags.logFormat, io, flags.quiet);
  for (const warning of project.warnings) log.warn("project.warning", warning);
  if (flags.warnError && project.warnings.length > 0) {
    // dbt's --warn-error: a project warning stops the run before anything is built.
    throw new FloeError(
      "WARN_ERROR",
      `--warn-error: the project has ${project.warnings.length} warning${project.warnings.length === 1 ? "" : "s"} (${project.warnings[0]}).`,
      { exitCode: 1, hint: "fix what the warnings say, or run without --warn-error." },
    );
  }
  return project;
}

/** Shared by run/test/seed/build and retry: connect, cancel on Ctrl-C, run, write artifacts. */
export async function executeTask(
  project: ParsedProject,
  kind: TaskKind,
  selected: ReadonlySet<string>,
  flags: RunCommandFlags,
  io: CliIO,
  previousResults?: readonly { readonly unique_id: string }[],
  retryBatches?: ReadonlyMap<string, readonly Batch[]>,
): Promise<RunTaskResult> {
  if (flags.due && flags.fullRefresh) {
    throw new UsageError(
      "--due and --full-refresh contradict each other: --full-refresh rebuilds everything.",
      {
        hint: "drop --due to rebuild everything from scratch, or --full-refresh to build only what is due.",
      },
    );
  }
  if (flags.eventTimeStart && flags.eventTimeEnd && flags.eventTimeStart >= flags.eventTimeEnd) {
    throw new UsageError("--event-time-start must be before --event-time-end.", {
      hint: "pass e.g. --event-time-start 2026-12-01 --event-time-end 2026-12-04 (the end is exclusive).",
    });
  }
  // Before anything runs: a breaking change to an enforced contract needs a new model version (dbt's rule).
  if (flags.state !== undefined && (kind === "build" || kind === "run")) {
    refuseBreakingChanges(
      breakingContractChanges(project.manifest, readStateManifest(flags.state)),
      selected,
    );
  }
  // Held until the artifacts are written: a second run in this target/ stops here (exit 2).
  const lock = lockTarget(join(project.root, project.targetPath), kind, { display: project.targetPath });
  const connection = connectTarget(project.target);
  const controller = new AbortController();
  const release = cancelOnSigint(connection, controller, interruptNotice(flags.logFormat, io));
  try {
    // S3 or the catalog down would hold every query for minutes: find out once, first (exit 2).
    const catalogs = catalogsOf(project.manifest, selected, project.target);
    await preflight(project.target, connection, catalogs, { signal: controller.signal });
    const due = flags.due ? projectDueGate(project, connection, controller.signal) : undefined;
    const deferred = flags.defer
      ? await deferredRelations(project, kind, selected, flags, io, connection, controller.signal)
      : undefined;
    const result = await runTask(
      runTaskOptions({
        project,
        kind,
        selected,
        connection,
        logger: runLogger(flags, io),
        signal: controller.signal,
        threads: flags.threads,
        fullRefresh: flags.fullRefresh,
        storeFailures: flags.storeFailures,
        ...(flags.batchTests === false ? { batchTests: false } : {}),
        failFast: flags.failFast,
        warnError: flags.warnError,
        empty: flags.empty,
        commandLine: {
          ...flags,
          ...(flags.state === undefined ? {} : { state: resolve(flags.state) }),
        },
        deferred,
        previousResults,
        ...heartbeatFrom(io.env),
        eventTimeStart: flags.eventTimeStart,
        eventTimeEnd: flags.eventTimeEnd,
        ...(retryBatches ? { retryBatches } : {}),
        ...(due ? { due } : {}),
      }),
    );
    // As dbt does: a run leaves the manifest it ran with, so its target/ can serve as --state later.
    writeManifest(project.root, project.targetPath, project.manifest);
    return result;
  } finally {
    release();
    lock.release();
  }
}

function runLogger(flags: RunCommandFlags, io: CliIO): RunLogger {
  const logger =
    flags.logFormat === "json" ? jsonLogger(io.stdout) : textLogger(io.stdout, { colour: useColour(io) });
  return flags.quiet ? quietLogger(logger) : logger;
}

/**
 * What a run/test/seed/build would execute, after `--resource-type`; when nothing is left it warns as dbt
 * does and returns the exit code (1 under --warn-error), leaving target/run_results.json as it was.
 */
export function nothingToDo(
  project: ParsedProject,
  kind: TaskKind,
  selected: ReadonlySet<string>,
  flags: RunCommandFlags,
  io: CliIO,
): 0 | 1 | undefined {
  if (buildRunGraph(project.manifest, selected, kind).order.length > 0) return undefined;
  createLog(flags.logFormat, io, flags.quiet).warn("select.nothing", NOTHING_TO_DO);
  return flags.warnError ? 1 : 0;
}

export const NOTHING_TO_DO = "Nothing to do. Try checking your model configs and model specification args";

/**
 * `FLOE_HEARTBEAT_SECONDS` shortens (or lengthens) the 30 s progress heartbeat: a knob for tests and for a
 * CI log that must show signs of life sooner. A value that is not a positive number is ignored.
 */
function heartbeatFrom(env: CliIO["env"]): { heartbeatSeconds?: number } {
  const seconds = Number(env.FLOE_HEARTBEAT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? { heartbeatSeconds: seconds } : {};
}

/**
 * `--defer --state <dir>`: the unselected upstream nodes missing from the target, rendered as the state
 * manifest's relations. Logs each one, so a run never silently reads another environment.
 */
async function deferredRelations(
  project: ParsedProject,
  kind: TaskKind,
  selected: ReadonlySet<string>,
  flags: RunCommandFlags,
  io: CliIO,
  connection: TrinoConnection,
  signal: AbortSignal,
): Promise<Map<string, Relation>> {
  if (!flags.state) {
    throw flagNeeds(
      "--defer",
      "--state <dir>",
      "the manifest.json to defer to",
      "pass --state path/to/prod-target (a folder holding the production manifest.json).",
    );
  }
  const state = readStateManifest(flags.state);
  const executed = new Set(buildRunGraph(project.manifest, selected, kind).order);
  const candidates = deferCandidates(project.manifest, executed, state);
  const deferred = await resolveDeferred(candidates, connection, signal);
  const log = createLog(flags.logFormat, io, flags.quiet);
  for (const d of deferred.values()) {
    log.info(
      "defer",
      `Deferring ${d.name} to --state: ${quoteRelation(d.state)} (${quoteRelation(d.current)} does not exist in target ${project.target.name})`,
      { unique_id: d.id, state_relation: d.state, current_relation: d.current },
    );
  }
  return new Map([...deferred].map(([id, d]) => [id, d.state]));
}
