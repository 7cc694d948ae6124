import { quoteRelation } from "../../trino/dialect.js";
import { topologicalOrder } from "../compile/compile.js";
import { type GraphNode, graphNode, type Manifest } from "../manifest/manifest.js";
import { upstreamRelations } from "../render/relations-read.js";
import { inlineRelations, MAX_INLINED_CHARS } from "./inline-upstream.js";
import type { RenderedProject } from "./render-project.js";

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
