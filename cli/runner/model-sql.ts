import type { ModelNode, SnapshotNode } from "../compile/compile.js";
import { StepFailedError } from "../execute/executor.js";
import type { NodeQueries } from "../execute/node-queries.js";
import type { ColumnDef } from "../plan/steps.js";
import type { RunContext } from "./run-context.js";

/** `target/run/...` beside `target/compiled/...`. */
export function runPathOf(compiledPath: string): string {
  return compiledPath.replace("/compiled/", "/run/");
}

/** The model query's output columns, without running it (LIMIT 0 is planned, not executed). */
export async function describeColumns(sql: string, q: NodeQueries): Promise<ColumnDef[]> {
  const describe = `SELECT * FROM (\n${sql.replace(/[\s;]+$/, "")}\n) AS floe_describe LIMIT 0`;
  try {
    // Exact types: a contract or an added column needs `timestamp(6)`, not the legacy `timestamp`.
    const result = await q.query(describe, { exactTypes: true });
    return result.columns.map((c) => ({ name: c.name, type: c.type }));
  } catch (error) {
    // Same shape as a failed plan step, so the error maps to the model's line.
    throw new StepFailedError({ sql: describe, bodyLine: 2 }, error);
  }
}

/** A model's or snapshot's pre_hook or post_hook statements, rendered with its `{{this}}`. */
export function renderHooks(
  node: ModelNode | SnapshotNode,
  key: "pre_hook" | "post_hook",
  ctx: RunContext,
): string[] {
  const context = ctx.renderer.hookContext(node);
  return (node.config[key] ?? []).map((hook) =>
    ctx.renderer.renderHook(hook, node.original_file_path, context),
  );
}
