import { FloeError } from "../../core/errors.js";
import type { Manifest, ModelNode } from "../manifest/manifest.js";
import { contractOf, normalizeType } from "../plan/contract.js";

/**
 * Breaking changes to enforced contracts, against a previous manifest (`--state`), as dbt defines them: a
 * column removed or retyped, a `not_null` dropped, the contract no longer enforced, or the contracted
 * model gone. Adding a column is not breaking. The way to make one is a new model version: the old version
 * keeps its contract (and its node), the new one is new. Pure.
 */
export interface BreakingChange {
  readonly uniqueId: string;
  readonly name: string;
  readonly version: number | undefined;
  readonly file: string;
  readonly reasons: readonly string[];
}

const REMOVED = "the contracted model was removed or disabled";

export function breakingContractChanges(current: Manifest, previous: Manifest): BreakingChange[] {
  const out: BreakingChange[] = [];
  const currentNames = new Set(
    Object.values(current.nodes)
      .filter((n) => n.resource_type === "model")
      .map((n) => n.name),
  );
  for (const before of Object.values(previous.nodes)) {
    if (before.resource_type !== "model") continue;
    const was = contractOf(before);
    if (!was) continue;
    const now = current.nodes[before.unique_id];
    const reasons: string[] = [];
    if (now?.resource_type !== "model") {
      // Versioned since: the old relation lives on as a declared version, or was replaced on purpose.
      if (currentNames.has(before.name)) continue;
      reasons.push(REMOVED);
    } else {
      const contract = contractOf(now);
      if (!contract) reasons.push("the contract is no longer enforced");
      else {
        const byName = new Map(contract.map((c) => [c.name.toLowerCase(), c]));
        for (const column of was) {
          const found = byName.get(column.name.toLowerCase());
          if (!found) reasons.push(`column '${column.name}' removed`);
          else if (normalizeType(found.type) !== normalizeType(column.type))
            reasons.push(`column '${column.name}' retyped from ${column.type} to ${found.type}`);
          else if (column.notNull && !found.notNull) reasons.push(`not_null dropped from '${column.name}'`);
        }
      }
    }
    if (reasons.length > 0) {
      const node = (now ?? before) as ModelNode;
      out.push({
        uniqueId: before.unique_id,
        name: before.name,
        version: before.version,
        file: node.patch_path ?? node.original_file_path,
        reasons,
      });
    }
  }
  return out;
}

/** `build`/`run` with `--state`: a breaking contract change among the selected nodes stops the command. */
export function refuseBreakingChanges(
  changes: readonly BreakingChange[],
  selected: ReadonlySet<string>,
): void {
  // A removed model cannot be selected; its readers break all the same.
  const relevant = changes.filter((c) => selected.has(c.uniqueId) || c.reasons.includes(REMOVED));
  if (relevant.length === 0) return;
  const lines = relevant.map(
    (c) => `  ${c.name}${c.version === undefined ? "" : ` v${c.version}`}: ${c.reasons.join("; ")}`,
  );
  const first = relevant[0] as BreakingChange;
  const next = (first.version ?? 1) + 1;
  throw new FloeError(
    "CONTRACT_BREAKING_CHANGE",
    `breaking change to an enforced contract, compared with --state:\n${lines.join("\n")}`,
    {
      exitCode: 2,
      location: { file: first.file },
      hint: `declare a new version for the change (versions: [{v: ${first.version ?? 1}}, {v: ${next}}], latest_version: ${next}) and keep the old version's contract, so readers of the old relation keep working; or restore the columns.`,
    },
  );
}
