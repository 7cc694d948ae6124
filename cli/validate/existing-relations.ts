import type { Relation } from "../../trino/dialect.js";
import { TrinoQueryError } from "../../trino/errors.js";
import type { NodeQueries } from "../execute/node-queries.js";
import { RelationCache } from "../execute/relation-cache.js";
import { type Manifest, relationOf } from "../manifest/manifest.js";

/**
 * The models, seeds and sources whose relation exists in the warehouse, by unique_id: read through the
 * executor's RelationCache, as a run reads it (information_schema, one round per catalog). A catalog
 * Trino cannot list (it does not exist, or the user may not read it) holds nothing, so what reads from it
 * is "not checked" with its reason instead of failing the whole validate.
 */
export async function existingNodes(manifest: Manifest, q: NodeQueries): Promise<Set<string>> {
  const relations = new Map<string, Relation>();
  for (const node of [...Object.values(manifest.nodes), ...Object.values(manifest.sources)]) {
    const relation = relationOf(node);
    if (relation) relations.set(node.unique_id, relation);
  }
  const byCatalog = new Map<string, Relation[]>();
  for (const relation of relations.values()) {
    const inCatalog = byCatalog.get(relation.catalog);
    if (inCatalog) inCatalog.push(relation);
    else byCatalog.set(relation.catalog, [relation]);
  }
  const cache = new RelationCache();
  const unreadable = new Set<string>();
  for (const [catalog, inCatalog] of byCatalog) {
    try {
      await cache.prefetch(inCatalog, q);
    } catch (error) {
      if (!(error instanceof TrinoQueryError)) throw error;
      unreadable.add(catalog);
    }
  }
  const existing = new Set<string>();
  for (const [id, relation] of relations) {
    if (unreadable.has(relation.catalog)) continue;
    // Prefetched above: answered from the cache, no query.
    if ((await cache.state(relation, q, false)).kind !== "absent") existing.add(id);
  }
  return existing;
}
