import { createHash } from "node:crypto";
import type { Manifest, ModelNode, SeedNode, SnapshotNode } from "../manifest/manifest.js";
import type { DueCandidate } from "./decide-due.js";

/** The nodes `--due` decides on; tests follow the nodes they test, unit tests their model. */
export type DueNode = ModelNode | SeedNode | SnapshotNode;

export function isDueNode(node: { readonly resource_type: string }): node is DueNode {
  return node.resource_type === "model" || node.resource_type === "seed" || node.resource_type === "snapshot";
}

/**
 * A node as `decideDue` sees it. The code digest covers the template (whitespace-insensitive), the resolved
 * config and the macros it calls (`state:modified`'s fingerprint), and a seed's CSV: any of them changing is
 * a rebuild. (A `--vars` value that changes the SQL without changing these is not seen: pass --full-refresh
 * or drop the state file.)
 */
export function dueCandidate(node: DueNode): DueCandidate {
  const { body, config, macros } = node.fingerprint;
  const parts = node.resource_type === "seed" ? [node.checksum.checksum, config] : [body, config, macros];
  const code = createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
  if (node.resource_type === "seed") return { id: node.unique_id, kind: "seed", code };
  if (node.resource_type === "snapshot") return { id: node.unique_id, kind: "table", code };
  const buildAfter = node.config.freshness?.build_after;
  return {
    id: node.unique_id,
    kind: node.config.materialized === "view" ? "view" : "table",
    code,
    ...(buildAfter ? { buildAfter } : {}),
  };
}

/**
 * Models whose data is their inputs' data: views and ephemeral models hold none of their own, and a
 * materialized view is refreshed from its inputs in the same run, before the nodes that read it.
 */
const PASS_THROUGH: ReadonlySet<string> = new Set(["view", "ephemeral", "materialized_view"]);

/**
 * The tables and sources a node reads, looking through views, ephemeral and materialized views (a change
 * reaches the node through them): these are the inputs whose versions `--due` compares, and what
 * `updates_on: any|all` counts.
 */
export function dataInputs(manifest: Manifest, node: DueNode): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (ids: readonly string[]) => {
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const parent = manifest.nodes[id];
      if (manifest.sources[id]) out.add(id);
      else if (parent?.resource_type === "model" && PASS_THROUGH.has(parent.config.materialized)) {
        visit(parent.depends_on.nodes);
      } else if (parent && parent.resource_type !== "test") out.add(id);
    }
  };
  visit(node.depends_on.nodes);
  return [...out].sort();
}
