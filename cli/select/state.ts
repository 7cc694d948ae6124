import type { Fingerprint, GraphNode, Manifest, UnitTestNode } from "../manifest/manifest.js";

/**
 * `state:` comparison against a previous manifest (`--state <dir>`). A node is modified when it is new or
 * when its SQL (whitespace-insensitive), resolved config, macros or yml entry changed.
 */
export type StateValue =
  | "modified"
  | "new"
  | "modified.body"
  | "modified.configs"
  | "modified.macros"
  | "modified.yml";

const PARTS: Record<string, readonly (keyof Fingerprint)[]> = {
  modified: ["body", "config", "macros", "yml"],
  "modified.body": ["body"],
  "modified.configs": ["config"],
  "modified.macros": ["macros"],
  "modified.yml": ["yml"],
};

export function stateMatches(node: GraphNode | UnitTestNode, previous: Manifest, state: string): boolean {
  const before =
    previous.nodes[node.unique_id] ??
    previous.sources[node.unique_id] ??
    previous.unit_tests?.[node.unique_id];
  if (!before) return state === "new" || state === "modified";
  if (state === "new") return false;
  const now = node.fingerprint;
  const then = (before as { fingerprint?: Fingerprint }).fingerprint;
  if (!then) return true;
  return (PARTS[state] ?? []).some((part) => now[part] !== then[part]);
}
