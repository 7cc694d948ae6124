import { isDueNode } from "../due/due-candidate.js";
import type { DueGate, DueVerdict } from "../due/due-gate.js";
import type { Manifest, ManifestNode, UnitTestNode } from "../manifest/manifest.js";

/** Under `--due`: the node runs (with the verdict to record after it built), or is skipped with a reason. */
export type DueCheck =
  | { readonly run: true; readonly verdict?: DueVerdict }
  | { readonly run: false; readonly reason: string };

/**
 * Models, seeds and snapshots ask the gate (cli/due/); a data test or unit test is not run when every node
 * it tests was skipped by `--due` in this run (their code and data are as when they last passed or failed).
 */
export async function checkDue(
  node: ManifestNode | UnitTestNode,
  manifest: Manifest,
  gate: DueGate,
  reused: ReadonlySet<string>,
  exists: () => Promise<boolean>,
): Promise<DueCheck> {
  if (isDueNode(node)) {
    const verdict = await gate.decide(node, exists);
    return verdict.build ? { run: true, verdict } : { run: false, reason: verdict.reason };
  }
  const tested =
    node.resource_type === "unit_test"
      ? [node.attached_node]
      : node.depends_on.nodes.filter((id) => {
          const parent = manifest.nodes[id];
          return parent !== undefined && isDueNode(parent);
        });
  if (tested.length > 0 && tested.every((id) => reused.has(id))) {
    const names = tested.map((id) => manifest.nodes[id]?.name ?? id).join(", ");
    return { run: false, reason: `not run: ${names} not rebuilt (--due)` };
  }
  return { run: true };
}
