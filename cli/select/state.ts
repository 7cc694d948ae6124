import type { Fingerprint, GraphNode, Manifest, UnitTestNode } from "../manifest/manifest.js";
import { contractOf } from "../plan/contract.js";
import { stableStringify } from "../project/hashing.js";

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
  | "modified.yml"
  | "modified.contract";

const PARTS: Record<string, readonly (keyof Fingerprint)[]> = {
  modified: ["body", "config", "macros", "yml"],
  "modified.body": ["body"],
  "modified.configs": ["config"],
  "modified.macros": ["macros"],
  "modified.yml": ["yml"],
};

/**
 * `modified.contract`: the enforced contract (columns, types, not_null, enforcement) differs; a breaking
 * change (cli/select/contract-changes.ts) is one of these, and every one is also `modified` (yml).
 */
export function stateMatches(node: GraphNode | UnitTestNode, previous: Manifest, state: string): boolean {
  if (state === "modified.contract") return contractChanged(node, previous);
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

function contractChanged(node: GraphNode | UnitTestNode, previous: Manifest): boolean {
  if (node.resource_type !== "model") return false;
  const before = previous.nodes[node.unique_id];
  const was = before?.resource_type === "model" ? contractOf(before) : undefined;
  const now = contractOf(node);
  if (was === undefined && now === undefined) return false;
  return stableStringify(was ?? null) !== stableStringify(now ?? null);
}
