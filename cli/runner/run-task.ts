import { join } from "node:path";
import type { TrinoConnection } from "../../trino/connection.js";
import { quoteRelation } from "../../trino/dialect.js";
import { type RunArgs, runResultsJson, writeRunResults } from "../artifacts/run-results.js";
import type { ManifestNode, ParsedProject, Relation, TestNode } from "../compile/compile.js";
import { planTestBatches } from "../data-tests/combine/plan-batches.js";
import { isDueNode } from "../due/due-candidate.js";
import type { DueGate } from "../due/due-gate.js";
import type { ExecutionContext } from "../execute/executor.js";
import { HEARTBEAT_MILLIS, NodeQueries } from "../execute/node-queries.js";
import type { FinalStatus } from "../execute/node-state.js";
import { RelationCache } from "../execute/relation-cache.js";
import { runScheduler } from "../execute/scheduler.js";
import type { NodeRef, NodeResult, RunLogger } from "../log/events.js";
import type { UnitTestNode } from "../manifest/manifest.js";
import type { Batch } from "../plan/microbatch.js";
import { NodeRenderer } from "../render/render-node.js";
import { checkDue } from "./due-check.js";
import type { NodeOutcome, RunContext } from "./run-context.js";
import { buildRunGraph, type TaskKind } from "./run-graph.js";
import { hookResults, runProjectHooks } from "./run-hooks.js";
import { runModel } from "./run-model.js";
import { runSeed } from "./run-seed.js";
import { runSnapshot } from "./run-snapshot.js";
import { runDataTest } from "./run-test.js";
import { runUnitTest } from "./run-unit-test.js";
import { TestBatches } from "./test-batches.js";

export interface RunTaskOptions {
  readonly project: ParsedProject;
  readonly selected: ReadonlySet<string>;
  readonly kind: TaskKind;
  readonly args: RunArgs;
  readonly connection: TrinoConnection;
  readonly logger: RunLogger;
  readonly signal?: AbortSignal;
  readonly threads: number;
  readonly fullRefresh: boolean;
  readonly storeFailures: boolean;
  readonly locationRoot?: string;
  readonly writeArtifact: (relativePath: string, content: string) => void;
  readonly readProjectFile: (relativePath: string) => string;
  /** `--defer`: unique_id → the --state relation its refs render as (see defer.ts). */
  readonly deferred?: ReadonlyMap<string, Relation>;
  /** `floe retry`: earlier results kept in run_results.json unless re-run now. */
  readonly previousResults?: readonly { readonly unique_id: string }[];
  /** `--fail-fast`: the first error or failure cancels running queries and skips what has not started. */
  readonly failFast?: boolean;
  /** `--warn-error`: a warning (a test of severity warn) is a failure. */
  readonly warnError?: boolean;
  /** `--empty`: every ref and source reads zero rows (a schema-only build). */
  readonly empty?: boolean;
  /** Count the generic tests of one model in one query (default true; `--no-batch-tests` turns it off). */
  readonly batchTests?: boolean;
  /** A query running longer than this logs Trino's progress this often (default 30). */
  readonly heartbeatSeconds?: number;
  /** Microbatch: `--event-time-start/--event-time-end`, and (retry) the batches to rerun per model. */
  readonly eventTimeStart?: Date;
  readonly eventTimeEnd?: Date;
  readonly retryBatches?: ReadonlyMap<string, readonly Batch[]>;
  /** The clock microbatch ranges are planned from (tests pin it). */
  readonly now?: () => Date;
  /**
   * `--due`: each model, seed and snapshot is built only when due and its inputs changed (cli/due/); the
   * others are reported skipped with the reason, and what is downstream of them still runs.
   */
  readonly due?: DueGate;
}

export interface RunTaskResult {
  readonly results: readonly NodeResult[];
  readonly elapsedSeconds: number;
  /** Time spent waiting on Trino across the run (metadata queries included). */
  readonly trinoSeconds: number;
  readonly cancelled: boolean;
  /** 130 after Ctrl-C (queries cancelled, partial results written), as a shell reports a SIGINT. */
  readonly exitCode: 0 | 1 | 130;
  readonly runResultsPath: string;
}

export const DEFAULT_LOCATION_ROOT = "s3://warehouse";

/**
 * The runner's programmatic API (`run`, `test`, `seed`, `build`, `retry` are thin over it): schedules the
 * selected nodes over the DAG with `threads` at once, runs each through its planner and the executor, logs
 * every transition, and writes run_results.json — also after a failure or Ctrl-C.
 */
export async function runTask(options: RunTaskOptions): Promise<RunTaskResult> {
  const started = performance.now();
  const { project, connection, logger } = options;
  const cancel = options.signal ?? new AbortController().signal;
  // --fail-fast stops the run through the same path as Ctrl-C (running queries cancelled, the rest
  // skipped), but the skipped nodes name the failure that stopped it and the run is not "cancelled".
  const failFast = new AbortController();
  let stoppedBy: string | undefined;
  const signal = AbortSignal.any([cancel, failFast.signal]);
  const manifest = project.manifest;
  const graph = buildRunGraph(manifest, options.selected, options.kind);
  const runnable = (id: string): RunnableNode => (manifest.nodes[id] ?? manifest.unit_tests[id])!;
  const nodes = graph.order.map(runnable);
  const total = nodes.length;
  const counts: Record<string, number> = { seed: 0, model: 0, snapshot: 0, test: 0 };
  for (const n of nodes) counts[n.resource_type] = (counts[n.resource_type] ?? 0) + 1;
  logger.event({
    code: "RUN_STARTED",
    command: options.kind,
    total,
    threads: options.threads,
    counts,
    target: project.target.name,
  });

  const exec: ExecutionContext = { relations: new RelationCache(), schemasCreated: new Map() };
  const runQueries = new NodeQueries(connection, signal);
  const relations = nodes.flatMap((n) =>
    n.resource_type === "test" || n.resource_type === "unit_test" ? [] : [n.relation],
  );
  const prefetchStarted = performance.now();
  if (relations.length > 0) await exec.relations.prefetch(relations, runQueries);
  // The prefetch queries run side by side: count their wall time once, not their sum.
  const prefetchMillis = relations.length > 0 ? performance.now() - prefetchStarted : 0;

  const renderer = new NodeRenderer(project, options.deferred, { empty: options.empty === true });
  const ctx: RunContext = {
    project,
    renderer,
    connection,
    signal,
    exec,
    fullRefresh: options.fullRefresh,
    storeFailures: options.storeFailures,
    locationRoot: options.locationRoot ?? DEFAULT_LOCATION_ROOT,
    writeArtifact: options.writeArtifact,
    readProjectFile: options.readProjectFile,
    microbatch: {
      now: options.now ?? (() => new Date()),
      eventTimeStart: options.eventTimeStart,
      eventTimeEnd: options.eventTimeEnd,
      retry: options.retryBatches ?? new Map(),
      onBatch: (id, progress) =>
        logger.event({ code: "BATCH_FINISHED", node: nodeRef(manifest.nodes[id]!), ...progress }),
    },
    ...(options.batchTests === false
      ? {}
      : { testBatches: testBatchesOf(project, nodes, renderer, options) }),
  };
  const results = new Map<string, NodeResult>();
  // --due: nodes skipped as not due or unchanged (their tests are not run either).
  const reused = new Set<string>();
  const slots = threadSlots();
  let index = 0;
  let trinoMillis = prefetchMillis;
  const hooks = project.runHooks ?? { onRunStart: [], onRunEnd: [] };
  const hookContext = { target: ctx.renderer.targetContext(), command: options.kind };
  // A failed on-run-start hook runs no node (each is reported skipped); on-run-end still runs.
  const startedOk = await runProjectHooks(
    "on-run-start",
    hooks.onRunStart,
    hookContext,
    ctx,
    runQueries,
    logger,
  );

  await runScheduler({
    nodes: startedOk ? graph.order.map((id) => ({ id, dependsOn: graph.dependsOn.get(id) ?? [] })) : [],
    threads: options.threads,
    signal,
    // A test whose batch's count is already being fetched waits for it without holding a thread.
    ...(ctx.testBatches ? { holdsNoThread: (id: string) => ctx.testBatches?.follows(id) === true } : {}),
    execute: async (id) => {
      ctx.testBatches?.claim(id);
      const node = runnable(id);
      const ref = nodeRef(node);
      const due = options.due
        ? await checkDue(node, manifest, options.due, reused, async () => {
            if (node.resource_type === "test" || node.resource_type === "unit_test") return false;
            const state = await exec.relations.state(node.relation, runQueries, false);
            return state.kind !== "absent";
          })
        : undefined;
      if (due && !due.run) {
        reused.add(id);
        const result: NodeResult = { ...skippedResult(node, due.reason, undefined), reused: true };
        results.set(id, result);
        logger.event({ code: "NODE_FINISHED", index: ++index, total, result });
        // Not a failure: what is downstream still runs (and decides for itself).
        return node.resource_type === "test" || node.resource_type === "unit_test" ? "pass" : "success";
      }
      const position = ++index;
      logger.event({ code: "NODE_STARTED", index: position, total, node: ref });
      const startedAt = new Date();
      const t0 = performance.now();
      const q = new NodeQueries(connection, signal, {
        nodeId: id,
        heartbeatMillis: (options.heartbeatSeconds ?? HEARTBEAT_MILLIS / 1000) * 1000,
        onHeartbeat: (p) =>
          logger.event({
            code: "NODE_PROGRESS",
            index: position,
            total,
            node: ref,
            progress: {
              queryId: p.queryId,
              state: p.state,
              progressPercentage: p.progressPercentage,
              processedRows: p.processedRows,
              processedBytes: p.processedBytes,
              elapsedSeconds: p.elapsedMillis / 1000,
            },
          }),
      });
      const slot = slots.take();
      let outcome: NodeOutcome;
      try {
        outcome = warnAsError(await runNode(node, q, ctx), options.warnError === true);
      } finally {
        slots.give(slot);
      }
      const result = {
        ...toResult(node, ref, outcome, q, startedAt, (performance.now() - t0) / 1000),
        threadId: `Thread-${slot}`,
      };
      trinoMillis += q.trinoMillis;
      if (due?.run && due.verdict && outcome.status === "success" && isDueNode(node)) {
        options.due?.built(node, due.verdict);
      }
      results.set(id, result);
      logger.event({ code: "NODE_FINISHED", index: position, total, result });
      if (options.failFast && stoppedBy === undefined && blocks(outcome.status) && !cancel.aborted) {
        stoppedBy = id;
        failFast.abort();
      }
      return outcome.status;
    },
    onSkip: (id, upstream) => {
      const cause = upstream ?? (cancel.aborted ? undefined : stoppedBy);
      const message =
        cause === undefined
          ? "skipped: the run was cancelled"
          : upstream === undefined
            ? `skipped: --fail-fast stopped the run after ${cause} failed`
            : `skipped because ${cause} did not succeed`;
      const result = skippedResult(runnable(id), message, cause);
      results.set(id, result);
      logger.event({ code: "NODE_FINISHED", index: ++index, total, result });
    },
  });

  if (!startedOk) {
    for (const id of graph.order) {
      const result = skippedResult(runnable(id), "skipped: an on-run-start hook failed", undefined);
      results.set(id, result);
      logger.event({ code: "NODE_FINISHED", index: ++index, total, result });
    }
  }
  const ordered = graph.order.map((id) => results.get(id)!);
  // on-run-end runs whatever the nodes did (dbt's too), unless the run was cancelled.
  const endedOk =
    signal.aborted ||
    (await runProjectHooks(
      "on-run-end",
      hooks.onRunEnd,
      { ...hookContext, results: hookResults(manifest, ordered) },
      ctx,
      runQueries,
      logger,
    ));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const runResultsPath = join(project.targetPath, "run_results.json");
  const rerun = new Set(graph.order);
  const kept = (options.previousResults ?? []).filter((r) => !rerun.has(r.unique_id));
  const json = runResultsJson(ordered, options.args, elapsedSeconds, new Date().toISOString()) as {
    results: unknown[];
  };
  json.results = [...kept, ...json.results];
  writeRunResults(join(project.root, runResultsPath), json);
  const cancelled = cancel.aborted;
  logger.event({
    code: "RUN_FINISHED",
    command: options.kind,
    elapsedSeconds,
    results: ordered,
    cancelled,
    runResultsPath,
  });
  const failed = !startedOk || !endedOk || ordered.some((r) => r.status === "error" || r.status === "fail");
  return {
    results: ordered,
    elapsedSeconds,
    trinoSeconds: trinoMillis / 1000,
    cancelled,
    exitCode: cancelled ? 130 : failed ? 1 : 0,
    runResultsPath,
  };
}

/**
 * Which of the `--threads` slots a node runs in (run_results.json's `thread_id`, as dbt's `Thread-1`): the
 * lowest free one, so a run with one thread is all `Thread-1`.
 */
function threadSlots(): { take(): number; give(slot: number): void } {
  const busy = new Set<number>();
  return {
    take() {
      let slot = 1;
      while (busy.has(slot)) slot++;
      busy.add(slot);
      return slot;
    },
    give(slot) {
      busy.delete(slot);
    },
  };
}

/** The selected generic tests that share a scan of their model (data-tests/combine/plan-batches.ts). */
function testBatchesOf(
  project: ParsedProject,
  nodes: readonly RunnableNode[],
  renderer: NodeRenderer,
  options: RunTaskOptions,
): TestBatches {
  const tests = nodes.filter((n): n is TestNode => n.resource_type === "test");
  const batches = planTestBatches(tests, {
    storeFailures: options.storeFailures,
    isBuiltin: (test) => project.templates.get(test.unique_id)?.kind === "builtin-test",
  });
  return new TestBatches(batches, renderer);
}

function blocks(status: NodeOutcome["status"]): boolean {
  return status === "error" || status === "fail";
}

/** `--warn-error`: a warning fails, saying why, so exit code and summary treat it as a failure. */
function warnAsError(outcome: NodeOutcome, warnError: boolean): NodeOutcome {
  if (!warnError || outcome.status !== "warn") return outcome;
  return { ...outcome, status: "fail", message: `${outcome.message} (a warning, failed by --warn-error)` };
}

/** What a command runs: a manifest node or a unit test. */
type RunnableNode = ManifestNode | UnitTestNode;

function runNode(node: RunnableNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
  switch (node.resource_type) {
    case "unit_test":
      return runUnitTest(node, q, ctx);
    case "model":
      return runModel(node, q, ctx);
    case "seed":
      return runSeed(node, q, ctx);
    case "snapshot":
      return runSnapshot(node, q, ctx);
    case "test":
      return runDataTest(node, q, ctx);
  }
}

export function nodeRef(node: RunnableNode): NodeRef {
  switch (node.resource_type) {
    case "unit_test":
      return {
        uniqueId: node.unique_id,
        resourceType: "unit_test",
        displayName: `${node.model}::${node.name}`,
        description: "unit test",
      };
    case "model":
      return {
        uniqueId: node.unique_id,
        resourceType: "model",
        displayName: `${node.relation.schema}.${node.relation.identifier}`,
        description: `${node.config.materialized} model`,
      };
    case "seed":
      return {
        uniqueId: node.unique_id,
        resourceType: "seed",
        displayName: `${node.relation.schema}.${node.relation.identifier}`,
        description: "seed file",
      };
    case "snapshot":
      return {
        uniqueId: node.unique_id,
        resourceType: "snapshot",
        displayName: `${node.relation.schema}.${node.relation.identifier}`,
        description: "snapshot",
      };
    case "test":
      return { uniqueId: node.unique_id, resourceType: "test", displayName: node.name, description: "test" };
  }
}

/** A node that did not run: `cause` is the failed node it waited for, if any. */
function skippedResult(node: RunnableNode, message: string, cause: string | undefined): NodeResult {
  return {
    ...nodeRef(node),
    status: "skipped",
    message,
    startedAt: undefined,
    completedAt: undefined,
    executionTime: 0,
    trinoMillis: 0,
    queryIds: [],
    ...relationName(node),
    ...(cause === undefined ? {} : { skippedBecause: cause }),
  };
}

function relationName(node: RunnableNode): { relationName?: string } {
  return node.resource_type === "test" || node.resource_type === "unit_test"
    ? {}
    : { relationName: quoteRelation(node.relation) };
}

function toResult(
  node: RunnableNode,
  ref: NodeRef,
  outcome: NodeOutcome,
  q: NodeQueries,
  startedAt: Date,
  seconds: number,
): NodeResult {
  const { status, ...rest } = outcome;
  return {
    ...ref,
    ...rest,
    status: status satisfies FinalStatus,
    startedAt: startedAt.toISOString(),
    completedAt: new Date().toISOString(),
    executionTime: seconds,
    trinoMillis: q.trinoMillis,
    queryIds: q.recorded.map((r) => r.queryId).filter((id) => id !== ""),
    ...("compiled_path" in node ? { compiledPath: node.compiled_path } : {}),
    ...relationName(node),
  };
}
