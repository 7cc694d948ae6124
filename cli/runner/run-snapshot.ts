import type { SnapshotNode } from "../compile/compile.js";
import { executePlan } from "../execute/executor.js";
import type { NodeQueries } from "../execute/node-queries.js";
import { withHooks } from "../plan/plan-hooks.js";
import { planSnapshot } from "../plan/plan-snapshot.js";
import { renderPlanSql } from "../plan/render-step.js";
import { describeColumns, renderHooks, runPathOf } from "./model-sql.js";
import { errorOutcome } from "./node-error.js";
import type { NodeOutcome, RunContext } from "./run-context.js";

/**
 * One snapshot: read the table's state (with its columns), render the query, describe its columns (the
 * MERGE names every one, `check_cols: all` compares them), plan with its hooks, write target/run/, execute.
 */
export async function runSnapshot(node: SnapshotNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
  let compiledSql: string | undefined;
  let runPath: string | undefined;
  try {
    const state = await ctx.exec.relations.state(node.relation, q, true);
    compiledSql = ctx.renderer.render(node).replace(/[\s;]+$/, "");
    ctx.writeArtifact(node.compiled_path, `${compiledSql}\n`);
    const columns = await describeColumns(compiledSql, q);
    const built = planSnapshot({
      relation: node.relation,
      config: node.config,
      sql: compiledSql,
      columns,
      state,
      locationRoot: ctx.locationRoot,
      file: node.original_file_path,
    });
    const plan = withHooks(built, renderHooks(node, "pre_hook", ctx), renderHooks(node, "post_hook", ctx));
    runPath = runPathOf(node.compiled_path);
    ctx.writeArtifact(runPath, renderPlanSql(plan));
    const outcome = await executePlan(plan, q, ctx.exec);
    const verb = state.kind === "table" ? "MERGE" : "CREATE TABLE";
    return {
      status: "success",
      message: outcome.rowsAffected === undefined ? verb : `${verb} (${outcome.rowsAffected} rows)`,
      ...(outcome.rowsAffected === undefined ? {} : { rowsAffected: outcome.rowsAffected }),
      runPath,
    };
  } catch (error) {
    return errorOutcome(error, { node, compiledSql, runPath }, ctx);
  }
}
