import { isFloeError } from "../../core/errors.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { TrinoQueryError } from "../../trino/errors.js";
import type { ParsedProject } from "../compile/compile.js";
import { NodeQueries } from "../execute/node-queries.js";
import { existingNodes } from "./existing-relations.js";
import { planEngineChecks } from "./plan-checks.js";
import { type RenderFailure, renderProject } from "./render-project.js";
import { runEngineChecks } from "./run-checks.js";
import type { NodeValidation, ValidateEvent } from "./validate-events.js";

export { type EnginePlan, planEngineChecks, type SqlVariant } from "./plan-checks.js";
export { type RenderedProject, type RenderFailure, renderProject } from "./render-project.js";
export type { NodeValidation, ValidateEvent, ValidationStatus } from "./validate-events.js";

/**
 * `floe validate` as a programmatic API. Two phases:
 * 1. project (no engine): the project already parsed (yml, refs, cycles), render every model and test,
 *    collecting each node's template error instead of stopping at the first (render-project.ts);
 * 2. engine (when a connection is given): `EXPLAIN (TYPE VALIDATE)` of each selected model's and test's
 *    SELECT, in DAG order. Unbuilt upstream models are inlined as subqueries (plan-checks.ts,
 *    inline-upstream.ts); a node reading a missing source or seed, or an upstream that failed, is
 *    "not checked" with why (run-checks.ts).
 * Nothing is written and nothing is executed: VALIDATE only analyses the statement.
 */
export interface ValidateOptions {
  readonly project: ParsedProject;
  readonly selected: ReadonlySet<string>;
  /** undefined: `--no-engine`. */
  readonly connection: TrinoConnection | undefined;
  readonly threads: number;
  readonly signal?: AbortSignal;
  readonly onEvent: (event: ValidateEvent) => void;
  /** Reads a project file (for mapping Trino's line back to the template). */
  readonly readProjectFile: (path: string) => string;
}

export interface ValidateResult {
  readonly renderFailures: readonly RenderFailure[];
  readonly results: readonly NodeValidation[];
  /** 2: a project error; 1: a SQL error; 0: valid (nodes not checked do not fail). */
  readonly exitCode: 0 | 1 | 2;
}

export async function validateProject(options: ValidateOptions): Promise<ValidateResult> {
  const { project, connection, onEvent } = options;
  const started = performance.now();
  const manifest = project.manifest;
  const rendered = renderProject(project);
  const selectedNodes = new Set(
    [...options.selected].filter((id) => {
      const t = manifest.nodes[id]?.resource_type;
      return t === "model" || t === "test";
    }),
  );
  let results: NodeValidation[] = [];
  let existing: Set<string> | undefined;
  if (connection) {
    try {
      existing = await existingNodes(manifest, new NodeQueries(connection, options.signal));
    } catch (error) {
      if (!isFloeError(error) || error instanceof TrinoQueryError || error.exitCode !== 2) throw error;
      onEvent({ code: "ENGINE_UNAVAILABLE", message: error.message });
    }
  }
  onEvent({
    code: "VALIDATE_STARTED",
    rendered: rendered.sql.size,
    renderFailures: rendered.failures,
    total: existing ? selectedNodes.size : 0,
    engine: existing && connection ? connection.server : undefined,
  });
  if (connection && existing) {
    const built = existing;
    const plans = planEngineChecks(manifest, rendered, selectedNodes, (node) => built.has(node.unique_id));
    results = await runEngineChecks(plans, { ...options, manifest, connection });
  }
  const exitCode = rendered.failures.length > 0 ? 2 : results.some((r) => r.status === "error") ? 1 : 0;
  onEvent({
    code: "VALIDATE_FINISHED",
    renderFailures: rendered.failures,
    results,
    elapsedSeconds: (performance.now() - started) / 1000,
  });
  return { renderFailures: rendered.failures, results, exitCode };
}
