import type { Manifest } from "../manifest/manifest.js";

/**
 * Graph queries over a manifest's parent/child maps. Pure: the maps are data in the manifest.
 */

/** Orders computed while building a manifest (its cycle check), so commands do not compute them again. */
const knownOrders = new WeakMap<Manifest, readonly string[]>();

/** Records `manifest`'s topological order; manifests are not changed after they are built. */
export function rememberOrder(manifest: Manifest, order: readonly string[]): void {
  knownOrders.set(manifest, order);
}

/** Every node and source in dependency order (parents first); ties broken by unique_id for stable output. */
export function topologicalOrder(manifest: Manifest): string[] {
  const known = knownOrders.get(manifest);
  if (known) return [...known];
  return levelOrder(
    [...Object.keys(manifest.sources), ...Object.keys(manifest.nodes)],
    (id) => manifest.parent_map[id],
    (id) => manifest.child_map[id],
  );
}

/**
 * Kahn's algorithm a level at a time, each level sorted (a sorted ready list would be O(n² log n)). Nodes
 * on or below a cycle never become ready, so a result shorter than `ids` means the graph has a cycle.
 * Counters live in an Int32Array by node index: a compile runs this once per process, before V8 has
 * optimised anything, and string-keyed Map updates then cost about a microsecond each at 30,000 nodes.
 */
export function levelOrder(
  ids: readonly string[],
  parentsOf: (id: string) => readonly string[] | undefined,
  childrenOf: (id: string) => readonly string[] | undefined,
): string[] {
  const index = new Map<string, number>();
  const remaining = new Int32Array(ids.length);
  let level: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    index.set(id, i);
    remaining[i] = parentsOf(id)?.length ?? 0;
    if (remaining[i] === 0) level.push(id);
  }
  level.sort();
  const order: string[] = [];
  while (level.length > 0) {
    const next: string[] = [];
    for (const id of level) {
      order.push(id);
      const children = childrenOf(id);
      if (!children) continue;
      for (const child of children) {
        const c = index.get(child);
        if (c !== undefined && --(remaining[c] as number) === 0) next.push(child);
      }
    }
    level = next.sort();
  }
  return order;
}

/** Ancestors of `ids` up to `depth` generations (all when undefined), not including `ids` themselves. */
export function ancestors(manifest: Manifest, ids: Iterable<string>, depth?: number): Set<string> {
  return walk(ids, (id) => manifest.parent_map[id] ?? [], depth);
}

export function descendants(manifest: Manifest, ids: Iterable<string>, depth?: number): Set<string> {
  return walk(ids, (id) => manifest.child_map[id] ?? [], depth);
}

function walk(
  ids: Iterable<string>,
  next: (id: string) => readonly string[],
  depth: number | undefined,
): Set<string> {
  const seen = new Set<string>();
  let frontier = [...ids];
  for (let level = 0; frontier.length > 0 && (depth === undefined || level < depth); level++) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const n of next(id)) {
        if (!seen.has(n)) {
          seen.add(n);
          following.push(n);
        }
      }
    }
    frontier = following;
  }
  return seen;
}

/** The child map of a parent map: every id of `parentMap` (and every parent it names) gets a sorted list. */
export function buildChildMap(
  parentMap: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  const ids = Object.keys(parentMap);
  // Lists by index first, then one object: growing a 30,000-key object entry by entry is the slow part.
  const index = new Map<string, number>();
  const lists: string[][] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    index.set(ids[i] as string, i);
    lists[i] = [];
  }
  // Parents outside the map (not in a built manifest, where every ref resolves) still get their children.
  const strays = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    for (const parent of parentMap[id] as readonly string[]) {
      const p = index.get(parent);
      if (p !== undefined) (lists[p] as string[]).push(id);
      else strays.set(parent, [...(strays.get(parent) ?? []), id]);
    }
  }
  const childMap: Record<string, string[]> = {};
  for (let i = 0; i < ids.length; i++) {
    const list = lists[i] as string[];
    if (list.length > 1) list.sort();
    childMap[ids[i] as string] = list;
  }
  for (const [parent, list] of strays) childMap[parent] = list.sort();
  return childMap;
}
