import type { Manifest } from "../artifacts/manifest.js";

/**
 * Graph queries over a manifest's parent/child maps. Pure: the maps are data in the manifest.
 */

/** Every node and source in dependency order (parents first); ties broken by unique_id for stable output. */
export function topologicalOrder(manifest: Manifest): string[] {
  const ids = [...Object.keys(manifest.sources), ...Object.keys(manifest.nodes)];
  const remaining = new Map<string, number>();
  for (const id of ids) remaining.set(id, (manifest.parent_map[id] ?? []).length);
  const ready = ids.filter((id) => remaining.get(id) === 0).sort();
  const order: string[] = [];
  // A sorted ready list would be O(n² log n); a simple queue per level keeps 10k nodes fast and stable.
  let level = ready;
  while (level.length > 0) {
    const next: string[] = [];
    for (const id of level) {
      order.push(id);
      for (const child of manifest.child_map[id] ?? []) {
        const left = (remaining.get(child) ?? 0) - 1;
        remaining.set(child, left);
        if (left === 0) next.push(child);
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

export function buildChildMap(
  parentMap: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  const childMap: Record<string, string[]> = {};
  for (const id of Object.keys(parentMap)) childMap[id] ??= [];
  for (const [id, parents] of Object.entries(parentMap)) {
    for (const parent of parents) {
      const children = childMap[parent] ?? [];
      children.push(id);
      childMap[parent] = children;
    }
  }
  for (const list of Object.values(childMap)) list.sort();
  return childMap;
}
