import { formatLocation, isFloeError } from "../../core/errors.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { quoteRelation } from "../../trino/dialect.js";
import { TrinoQueryError } from "../../trino/errors.js";
import { type ParsedProject, topologicalOrder } from "../compile/compile.js";
import { relationKey } from "../docs/catalog.js";
import { listRelations } from "../docs/fetch-catalog.js";
import { mapCompiledLine } from "../execute/map-error-location.js";
import { type GraphNode, graphNode, type Manifest } from "../manifest/manifest.js";
import { upstreamRelations } from "../render/relations-read.js";
import { NodeRenderer } from "../render/render-node.js";
import { inlineRelations, MAX_INLINED_CHARS } from "./inline-upstream.js";

/**
 * `floe validate` as a programmatic API. Two phases:
 * 1. project (no engine): the project already parsed (yml, refs, cycles), render every model and test,
 *    collecting each node's template error instead of stopping at the first;
 * 2. engine (when a connection is given): `EXPLAIN (TYPE VALIDATE)` of each selected model's and test's
 *    SELECT, in DAG order. Unbuilt upstream models are inlined as subqueries (see inline-upstream.ts);
 *    a node reading a missing source or seed, or an upstream that failed, is "not checked" with why.
 * Nothing is written and nothing is executed: VALIDATE only analyses the statement.
 */
export type ValidationStatus = "ok" | "error" | "not checked";

export interface NodeValidation {
  readonly uniqueId: string;
  readonly name: string;
  readonly resourceType: "model" | "test";
  readonly status: ValidationStatus;
  /** For "not checked": why. For errors: Trino's message. */
  readonly message?: string;
  readonly errorCode?: string;
  /** `models/x.sql:12:5` (and the compiled line) where the error is. */
  readonly location?: string;
  readonly queryId?: string;
  readonly inlined: readonly string[];
  /** Seconds. */
  readonly executionTime: number;
}

export interface RenderFailure {
  readonly uniqueId: string;
  readonly code: string;
  readonly message: string;
  readonly location: string;
  readonly hint?: string;
}

export type ValidateEvent =
  | {
      readonly code: "VALIDATE_STARTED";
      readonly rendered: number;
      readonly renderFailures: readonly RenderFailure[];
      readonly total: number;
      readonly engine: string | undefined;
    }
  | {
      readonly code: "NODE_VALIDATED";
      readonly index: number;
      readonly total: number;
      readonly result: NodeValidation;
    }
  | { readonly code: "ENGINE_UNAVAILABLE"; readonly message: string }
  | {
      readonly code: "VALIDATE_FINISHED";
      readonly renderFailures: readonly RenderFailure[];
      readonly results: readonly NodeValidation[];
      readonly elapsedSeconds: number;
    };

export interface RenderedProject {
  readonly sql: ReadonlyMap<string, string>;
  /** Incremental models: the SQL of an incremental run (`{{#if (is_incremental)}}` branches on). */
  readonly incremental: ReadonlyMap<string, string>;
  readonly failures: readonly RenderFailure[];
}

/** Phase 1: every model and test rendered, or its error (file, line, fix) — all of them, not the first. */
export function renderProject(project: ParsedProject): RenderedProject {
  const renderer = new NodeRenderer(project);
  const sql = new Map<string, string>();
  const incremental = new Map<string, string>();
  const failures: RenderFailure[] = [];
  for (const id of topologicalOrder(project.manifest)) {
    const node = project.manifest.nodes[id];
    if (!node || node.resource_type === "seed") continue;
    try {
      sql.set(id, renderer.render(node));
      if (node.resource_type === "model" && node.config.materialized === "incremental") {
        incremental.set(id, renderer.render(node, { isIncremental: true }));
      }
    } catch (error) {
      if (!isFloeError(error)) throw error;
      failures.push({
        uniqueId: id,
        code: error.code,
        message: error.message,
        location: error.location ? formatLocation(error.location) : node.original_file_path,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
  }
  return { sql, incremental, failures };
}

/** One statement to EXPLAIN and how to map its lines back. */
export interface SqlVariant {
  /** What is sent: the node's SQL with unbuilt upstream models inlined. */
  readonly sql: string;
  /** The node's own rendered SQL (what `floe compile` writes), for mapping lines back. */
  readonly rendered: string;
  readonly ownLine: (line: number) => number | undefined;
}

/** What to send for one node, or why not. */
export type EnginePlan =
  | (SqlVariant & {
      readonly id: string;
      readonly check: true;
      readonly inlined: readonly string[];
      /**
       * An incremental model whose table exists: its next run takes the `is_incremental` branches, so
       * that SQL is validated too.
       */
      readonly incremental?: SqlVariant;
    })
  | {
      readonly id: string;
      readonly check: false;
      readonly reason: string;
      readonly inlined: readonly string[];
    };

/**
 * Phase 2's plan (pure): per selected model/test in DAG order, its SQL with unbuilt upstream models
 * inlined, or the reason it cannot be checked. `exists` says whether a relation is in the warehouse.
 */
export function planEngineChecks(
  manifest: Manifest,
  rendered: RenderedProject,
  selected: ReadonlySet<string>,
  exists: (node: GraphNode) => boolean,
): EnginePlan[] {
  const failed = new Map(rendered.failures.map((f) => [f.uniqueId, f]));
  /** An unbuilt model's SELECT, ready to inline, or why its dependents cannot be checked. */
  const inlineable = new Map<string, { sql: string } | { reason: string }>();
  const plans: EnginePlan[] = [];
  for (const id of topologicalOrder(manifest)) {
    const node = manifest.nodes[id];
    if (!node || node.resource_type === "seed") continue;
    let blocked: string | undefined;
    const replacements = new Map<string, { id: string; sql: string }>();
    for (const parentId of upstreamRelations(manifest, id)) {
      const parent = graphNode(manifest, parentId);
      if (!parent || exists(parent) || parent.resource_type === "test") continue;
      if (parent.resource_type === "source")
        blocked ??= `upstream not built: source ${parent.name} does not exist`;
      else if (parent.resource_type === "seed")
        blocked ??= `upstream not built: seed ${parent.name} is not loaded`;
      else {
        const upstream = inlineable.get(parentId);
        if (!upstream || "reason" in upstream)
          blocked ??= upstream?.reason ?? `upstream ${parent.name} did not render`;
        else replacements.set(quoteRelation(parent.relation), { id: parentId, sql: upstream.sql });
      }
    }
    const own = rendered.sql.get(id);
    let plan: EnginePlan;
    if (own === undefined) {
      plan = {
        id,
        check: false,
        reason: `does not render: ${failed.get(id)?.message ?? "unknown"}`,
        inlined: [],
      };
    } else if (blocked) {
      plan = { id, check: false, reason: blocked, inlined: [] };
    } else {
      const inlined = inlineRelations(own, replacements);
      const incrementalSql = rendered.incremental.get(id);
      const incremental =
        incrementalSql !== undefined && incrementalSql !== own && exists(node)
          ? { ...inlineRelations(incrementalSql, replacements), rendered: incrementalSql }
          : undefined;
      plan =
        inlined.sql.length > MAX_INLINED_CHARS
          ? {
              id,
              check: false,
              reason: "upstream not built, and inlining it exceeds the size limit",
              inlined: [],
            }
          : {
              id,
              check: true,
              sql: inlined.sql,
              rendered: own,
              ownLine: inlined.ownLine,
              inlined: inlined.inlined,
              ...(incremental
                ? {
                    incremental: {
                      sql: incremental.sql,
                      rendered: incremental.rendered,
                      ownLine: incremental.ownLine,
                    },
                  }
                : {}),
            };
    }
    if (node.resource_type === "model") {
      inlineable.set(
        id,
        plan.check
          ? { sql: plan.sql }
          : { reason: own === undefined ? `upstream ${node.name} did not render` : plan.reason },
      );
    }
    if (selected.has(id)) plans.push(plan);
  }
  return plans;
}

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
      const ids = Object.keys(manifest.nodes).concat(Object.keys(manifest.sources));
      const { tables } = await listRelations(
        manifest,
        ids,
        connection,
        options.signal ? { signal: options.signal } : {},
        false,
      );
      existing = new Set(
        tables.map((t) =>
          relationKey({ catalog: t.table_catalog, schema: t.table_schema, identifier: t.table_name }),
        ),
      );
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
    const known = existing;
    const plans = planEngineChecks(manifest, rendered, selectedNodes, (node) =>
      "relation" in node ? known.has(relationKey(node.relation)) : false,
    );
    results = await runEngineChecks(plans, connection, options);
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

/** EXPLAIN each plan; a node waits for the upstream nodes inlined into it, and is skipped if one failed. */
async function runEngineChecks(
  plans: readonly EnginePlan[],
  connection: TrinoConnection,
  options: ValidateOptions,
): Promise<NodeValidation[]> {
  const { manifest } = options.project;
  const total = plans.length;
  const results: NodeValidation[] = [];
  const done = new Map<string, Promise<NodeValidation>>();
  let index = 0;
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    if (running >= Math.max(1, options.threads)) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  const check = async (plan: EnginePlan): Promise<NodeValidation> => {
    const node = manifest.nodes[plan.id]!;
    const base = {
      uniqueId: plan.id,
      name: node.name,
      resourceType: node.resource_type as "model" | "test",
      inlined: plan.inlined,
    };
    const upstream = await Promise.all(plan.inlined.map((id) => done.get(id)).filter((p) => p !== undefined));
    const broken = upstream.find((r) => r.status !== "ok");
    let result: NodeValidation;
    if (!plan.check) {
      result = { ...base, status: "not checked", message: plan.reason, executionTime: 0 };
    } else if (broken) {
      result = {
        ...base,
        status: "not checked",
        message: `upstream ${broken.name} ${broken.status === "error" ? "has errors" : "was not checked"}`,
        executionTime: 0,
      };
    } else {
      await slot();
      const t0 = performance.now();
      try {
        result = await explain(plan, base, connection, options);
      } finally {
        release();
      }
      result = { ...result, executionTime: (performance.now() - t0) / 1000 };
    }
    results.push(result);
    options.onEvent({ code: "NODE_VALIDATED", index: ++index, total, result });
    return result;
  };
  // Plans come in DAG order, so every inlined upstream's promise exists before its dependents start.
  for (const plan of plans) done.set(plan.id, check(plan));
  await Promise.all(done.values());
  return results;
}

async function explain(
  plan: Extract<EnginePlan, { check: true }>,
  base: Pick<NodeValidation, "uniqueId" | "name" | "resourceType" | "inlined">,
  connection: TrinoConnection,
  options: ValidateOptions,
): Promise<NodeValidation> {
  const variants: [string, SqlVariant][] = [["", plan]];
  if (plan.incremental) variants.push(["incremental run: ", plan.incremental]);
  let queryId: string | undefined;
  for (const [label, variant] of variants) {
    try {
      const result = await connection.query(
        `EXPLAIN (TYPE VALIDATE)\n${variant.sql.replace(/[\s;]+$/, "")}`,
        options.signal ? { signal: options.signal } : {},
      );
      queryId = result.queryId;
    } catch (error) {
      if (!(error instanceof TrinoQueryError)) throw error;
      const node = options.project.manifest.nodes[plan.id]!;
      return {
        ...base,
        status: "error",
        message: `${label}${error.message.replace(/^line \d+:\d+: /, "")} (Trino query ${error.queryId})`,
        errorCode: error.code,
        // target/compiled/ holds the full-refresh SQL: point there only for that variant.
        location: errorLocation(error, variant, plan.inlined, node, options, label === ""),
        queryId: error.queryId,
        executionTime: 0,
      };
    }
  }
  return { ...base, status: "ok", ...(queryId ? { queryId } : {}), executionTime: 0 };
}

/** Trino's line in `EXPLAIN …\n<sql>` → the template file's line (or "inside inlined upstream"). */
function errorLocation(
  error: TrinoQueryError,
  variant: SqlVariant,
  inlined: readonly string[],
  node: GraphNode,
  options: ValidateOptions,
  showCompiled: boolean,
): string {
  const file = node.original_file_path;
  const position = error.position;
  if (!position || position.line < 2) return file;
  const sqlLine = position.line - 1;
  const ownLine = variant.ownLine(sqlLine);
  if (ownLine === undefined) {
    const names = inlined.map((id) => options.project.manifest.nodes[id]?.name ?? id).join(", ");
    return `${file} (in the SQL inlined from unbuilt upstream ${names})`;
  }
  const compiled =
    showCompiled && "compiled_path" in node ? `; compiled SQL ${node.compiled_path}:${ownLine}` : "";
  if (!file.endsWith(".sql")) return `${file}${compiled}`;
  let templateLine: number | undefined;
  try {
    templateLine = mapCompiledLine(options.readProjectFile(file), variant.rendered, ownLine);
  } catch {
    templateLine = undefined;
  }
  return templateLine === undefined
    ? `${file}${compiled}`
    : `${file}:${templateLine}:${position.column}${compiled}`;
}
