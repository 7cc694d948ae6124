import { ConfigError } from "../../core/errors.js";
import { findCycle } from "../graph/cycles.js";
import { levelOrder } from "../graph/graph.js";
import type { ManifestNode } from "../manifest/manifest.js";

/**
 * Refuses a project whose models depend on each other in a cycle, else returns every id in dependency
 * order (what `topologicalOrder` would compute). Kahn's algorithm is cheap; only when it leaves nodes out
 * do we search for the cycle to print.
 */
export function checkCycles(
  nodes: Readonly<Record<string, ManifestNode>>,
  parentMap: Readonly<Record<string, readonly string[]>>,
  childMap: Readonly<Record<string, readonly string[]>>,
): string[] {
  const ids = Object.keys(parentMap);
  const order = levelOrder(
    ids,
    (id) => parentMap[id],
    (id) => childMap[id],
  );
  if (order.length === ids.length) return order;
  const cycle = findCycle(Object.keys(childMap), (id) => childMap[id] ?? []);
  if (!cycle) return order;
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
