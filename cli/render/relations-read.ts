import type { Manifest } from "../manifest/manifest.js";

/**
 * The relations a node's rendered SQL can name: its parents', and through ephemeral parents (inlined as
 * CTEs by the renderer) their parents' too.
 */
export function upstreamRelations(manifest: Manifest, id: string): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [...(manifest.parent_map[id] ?? [])];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    if (seen.has(parent)) continue;
    seen.add(parent);
    const node = manifest.nodes[parent];
    if (node?.resource_type === "model" && node.config.materialized === "ephemeral") {
      stack.push(...(manifest.parent_map[parent] ?? []));
    } else out.add(parent);
  }
  return [...out];
}
