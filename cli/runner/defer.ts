import type { TrinoConnection } from "../../trino/connection.js";
import { NodeQueries } from "../execute/node-queries.js";
import { RelationCache } from "../execute/relation-cache.js";
import type { Manifest, Relation } from "../manifest/manifest.js";
import { upstreamRelations } from "../render/relations-read.js";

/**
 * `--defer --state <dir>` with dbt's semantics: when a node that runs now refs a model or seed that does
 * not run now, and that node's relation does not exist in the current target, the ref renders as the
 * relation the --state manifest recorded for it (typically production). Relations that exist in the
 * target are used as they are (dbt's default, without --favor-state).
 */
export interface DeferCandidate {
  readonly id: string;
  readonly name: string;
  readonly current: Relation;
  readonly state: Relation;
}

/** Pure: the upstream nodes that could be deferred, with their relation here and in the state manifest. */
export function deferCandidates(
  manifest: Manifest,
  executed: ReadonlySet<string>,
  state: Manifest,
): DeferCandidate[] {
  const out = new Map<string, DeferCandidate>();
  for (const id of executed) {
    for (const parentId of upstreamRelations(manifest, id)) {
      if (executed.has(parentId) || out.has(parentId)) continue;
      const parent = manifest.nodes[parentId];
      const before = state.nodes[parentId];
      if (!parent || parent.resource_type === "test" || !before || before.resource_type === "test") continue;
      if (before.resource_type === "model" && before.config.materialized === "ephemeral") continue;
      if (sameRelation(parent.relation, before.relation)) continue;
      out.set(parentId, {
        id: parentId,
        name: parent.name,
        current: parent.relation,
        state: before.relation,
      });
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The candidates whose relation is missing in the current target: unique_id → the state's relation. */
export async function resolveDeferred(
  candidates: readonly DeferCandidate[],
  connection: TrinoConnection,
  signal: AbortSignal,
): Promise<Map<string, DeferCandidate>> {
  const deferred = new Map<string, DeferCandidate>();
  if (candidates.length === 0) return deferred;
  const cache = new RelationCache();
  const q = new NodeQueries(connection, signal);
  await cache.prefetch(
    candidates.map((c) => c.current),
    q,
  );
  for (const candidate of candidates) {
    const state = await cache.state(candidate.current, q, false);
    if (state.kind === "absent") deferred.set(candidate.id, candidate);
  }
  return deferred;
}

function sameRelation(a: Relation, b: Relation): boolean {
  return (
    a.catalog.toLowerCase() === b.catalog.toLowerCase() &&
    a.schema.toLowerCase() === b.schema.toLowerCase() &&
    a.identifier.toLowerCase() === b.identifier.toLowerCase()
  );
}
