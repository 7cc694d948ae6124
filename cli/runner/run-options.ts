import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import type { TrinoConnection } from "../../trino/connection.js";
import type { RunArgs } from "../artifacts/run-results.js";
import type { ParsedProject, Relation } from "../compile/compile.js";
import type { DueGate } from "../due/due-gate.js";
import type { RunLogger } from "../log/events.js";
import type { Batch } from "../plan/microbatch.js";
import { locationRootOf } from "./connect.js";
import type { TaskKind } from "./run-graph.js";
import { DEFAULT_LOCATION_ROOT, type RunTaskOptions } from "./run-task.js";

/**
 * What `floe run/test/seed/build/retry`, `floe demo` and the benches ask of `runTask`, with the defaults
 * each used to restate (and the demo once got wrong: it read every project file as empty, so a Trino error
 * lost its template line). `runTaskOptions` is the one place those defaults are decided.
 */
export interface RunRequest {
  readonly project: ParsedProject;
  readonly kind: TaskKind;
  readonly selected: ReadonlySet<string>;
  readonly connection: TrinoConnection;
  readonly logger: RunLogger;
  readonly signal?: AbortSignal;
  /** Default: the profile target's `threads`. */
  readonly threads?: number;
  readonly fullRefresh?: boolean;
  readonly storeFailures?: boolean;
  /** The rest of the command line, as run_results.json records it (`floe retry` reads it back). */
  readonly commandLine?: RecordedCommandLine;
  /** Default: written atomically under the project root. */
  readonly writeArtifact?: (relativePath: string, content: string) => void;
  /** `--defer`: unique_id → the --state relation its refs render as. */
  readonly deferred?: ReadonlyMap<string, Relation>;
  /** `floe retry`: earlier results kept in run_results.json unless re-run now. */
  readonly previousResults?: readonly { readonly unique_id: string }[];
  readonly failFast?: boolean;
  readonly warnError?: boolean;
  readonly empty?: boolean;
  /** `--no-batch-tests`: false runs one query per test (default true). */
  readonly batchTests?: boolean;
  /** The progress heartbeat's period (default 30 s). */
  readonly heartbeatSeconds?: number;
  /** Microbatch: the backfill range, and (retry) the failed batches per model. */
  readonly eventTimeStart?: Date | undefined;
  readonly eventTimeEnd?: Date | undefined;
  readonly retryBatches?: ReadonlyMap<string, readonly Batch[]>;
  /** `--due`: the gate each model, seed and snapshot passes first (cli/due/). */
  readonly due?: DueGate;
}

export interface RecordedCommandLine {
  readonly select?: readonly string[];
  readonly exclude?: readonly string[];
  readonly vars?: string;
  readonly defer?: boolean;
  /** With `defer`: the state folder, absolute, so a retry defers to the same one from anywhere. */
  readonly state?: string;
  readonly projectDir?: string;
  readonly profilesDir?: string;
  /** Microbatch backfill range, recorded so a retry of a skipped microbatch model backfills the same. */
  readonly eventTimeStart?: Date | undefined;
  readonly eventTimeEnd?: Date | undefined;
}

export function runTaskOptions(request: RunRequest): RunTaskOptions {
  const { project } = request;
  const threads = request.threads ?? project.target.threads;
  const fullRefresh = request.fullRefresh === true;
  const storeFailures = request.storeFailures === true;
  return {
    project,
    selected: request.selected,
    kind: request.kind,
    args: recordedArgs(request, threads),
    connection: request.connection,
    logger: request.logger,
    ...(request.signal ? { signal: request.signal } : {}),
    threads,
    fullRefresh,
    storeFailures,
    locationRoot: locationRootOf(project.target) ?? DEFAULT_LOCATION_ROOT,
    writeArtifact:
      request.writeArtifact ?? ((path, content) => writeFileAtomic(join(project.root, path), content)),
    // Seeds' CSVs, and the templates a Trino error's line is mapped back to.
    readProjectFile: (path) => readFileSync(join(project.root, path), "utf8"),
    ...(request.deferred ? { deferred: request.deferred } : {}),
    ...(request.previousResults ? { previousResults: request.previousResults } : {}),
    failFast: request.failFast === true,
    warnError: request.warnError === true,
    empty: request.empty === true,
    batchTests: request.batchTests !== false,
    ...(request.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: request.heartbeatSeconds }),
    ...(request.eventTimeStart ? { eventTimeStart: request.eventTimeStart } : {}),
    ...(request.eventTimeEnd ? { eventTimeEnd: request.eventTimeEnd } : {}),
    ...(request.retryBatches ? { retryBatches: request.retryBatches } : {}),
    ...(request.due ? { due: request.due } : {}),
  };
}

/** run_results.json's `args`, keys in the order the file has always had them. */
function recordedArgs(request: RunRequest, threads: number): RunArgs {
  const line = request.commandLine ?? {};
  return {
    which: request.kind,
    ...(line.select ? { select: line.select } : {}),
    ...(line.exclude ? { exclude: line.exclude } : {}),
    full_refresh: request.fullRefresh === true,
    store_failures: request.storeFailures === true,
    threads,
    target: request.project.target.name,
    ...(line.vars === undefined ? {} : { vars: line.vars }),
    ...(line.defer ? { defer: true } : {}),
    ...(line.defer && line.state !== undefined ? { state: line.state } : {}),
    ...(request.failFast ? { fail_fast: true } : {}),
    ...(request.warnError ? { warn_error: true } : {}),
    ...(request.empty ? { empty: true } : {}),
    ...(line.projectDir === undefined ? {} : { project_dir: line.projectDir }),
    ...(line.profilesDir === undefined ? {} : { profiles_dir: line.profilesDir }),
    ...(line.eventTimeStart ? { event_time_start: line.eventTimeStart.toISOString() } : {}),
    ...(line.eventTimeEnd ? { event_time_end: line.eventTimeEnd.toISOString() } : {}),
    ...(request.due ? { due: true } : {}),
  };
}
