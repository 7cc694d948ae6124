import type { ManifestNode } from "../artifacts/manifest.js";
import { ConfigError } from "../errors.js";
import { findCycle } from "../graph/cycles.js";

/**
 * Refuses a project whose models depend on each other in a cycle. Kahn's algorithm is cheap; only when it
 * fails do we search for the cycle to print.
 */
export function checkCycles(
  nodes: Readonly<Record<string, ManifestNode>>,
  childMap: Readonly<Record<string, readonly string[]>>,
): void {
  if (isAcyclic(childMap)) return;
  const cycle = findCycle(Object.keys(childMap), (id) => childMap[id] ?? []);
  if (!cycle) return;
  const names = cycle.map((id) => nodes[id]?.name ?? id);
  const first = nodes[cycle[0] ?? ""];
  const files = [...new Set(cycle.map((id) => nodes[id]?.original_file_path).filter(Boolean))];
  throw new ConfigError(
    `models depend on each other in a cycle: ${names.join(" → ")} (each feeds the next; files: ${files.join(", ")}).`,
    {
      location: { file: first?.original_file_path ?? "" },
      hint: "remove one of these refs so the graph has no cycle (an incremental model reads itself with {{this}}, not ref).",
    },
  );
}

function isAcyclic(childMap: Readonly<Record<string, readonly string[]>>): boolean {
  const ids = Object.keys(childMap);
  const indegree = new Map<string, number>();
  for (const id of ids) indegree.set(id, 0);
  for (const id of ids) {
    for (const child of childMap[id] ?? []) indegree.set(child, (indegree.get(child) ?? 0) + 1);
  }
  const ready: string[] = [];
  for (const [id, n] of indegree) if (n === 0) ready.push(id);
  let visited = 0;
  while (ready.length > 0) {
    const id = ready.pop() as string;
    visited++;
    for (const child of childMap[id] ?? []) {
      const left = (indegree.get(child) ?? 0) - 1;
      indegree.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  return visited === indegree.size;
}
