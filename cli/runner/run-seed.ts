import type { SeedNode } from "../compile/compile.js";
import { executePlan } from "../execute/executor.js";
import type { NodeQueries } from "../execute/node-queries.js";
import { parseSeed } from "../plan/parse-seed.js";
import { docsOf } from "../plan/plan-docs.js";
import { planSeed } from "../plan/plan-seed.js";
import { renderPlanSql } from "../plan/render-step.js";
import { errorOutcome } from "./node-error.js";
import type { NodeOutcome, RunContext } from "./run-context.js";

export const SEED_BATCH_ROWS = 1000;

/** One seed: read and type the CSV, plan the load (staged when it takes several batches), execute. */
export async function runSeed(node: SeedNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
  const runPath = `${ctx.project.targetPath}/run/${ctx.project.manifest.metadata.project_name}/${node.original_file_path.replace(/\.csv$/i, "")}.sql`;
  try {
    const data = parseSeed(
      ctx.readProjectFile(node.original_file_path),
      node.original_file_path,
      node.config.column_types,
    );
    const fullRefresh = node.config.full_refresh ?? ctx.fullRefresh;
    const state = await ctx.exec.relations.state(node.relation, q, false);
    const plan = planSeed({
      relation: node.relation,
      config: node.config,
      data,
      state,
      fullRefresh,
      locationRoot: ctx.locationRoot,
      batchSize: SEED_BATCH_ROWS,
      docs: docsOf(node),
    });
    ctx.writeArtifact(runPath, renderPlanSql(plan));
    await executePlan(plan, q, ctx.exec);
    return {
      status: "success",
      message: `INSERT ${data.rows.length}`,
      rowsAffected: data.rows.length,
      runPath,
    };
  } catch (error) {
    return errorOutcome(error, { node, compiledSql: undefined, runPath }, ctx);
  }
}
