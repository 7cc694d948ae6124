import type { ModelNode } from "../compile/compile.js";
import { executePlan } from "../execute/executor.js";
import type { NodeQueries } from "../execute/node-queries.js";
import { ContractViolationError, contractDiff, contractOf, isEmptyDiff } from "../plan/contract.js";
import { docsOf, wantsColumnDocs } from "../plan/plan-docs.js";
import { withHooks } from "../plan/plan-hooks.js";
import { isIncrementalRun, planModel } from "../plan/plan-model.js";
import { renderPlanSql } from "../plan/render-step.js";
import { describeColumns, renderHooks, runPathOf } from "./model-sql.js";
import { errorOutcome } from "./node-error.js";
import type { NodeOutcome, RunContext } from "./run-context.js";
import { runMicrobatch } from "./run-microbatch.js";

/**
 * One model: read the relation's state, render the SQL (incremental branches only over an existing table),
 * describe its columns when the planner needs them (an incremental run, an enforced contract, persist_docs'
 * column comments), check the contract before any DDL, plan with its hooks, write target/run/, execute.
 */
export async function runModel(node: ModelNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
  if (node.config.materialized === "incremental" && node.config.incremental_strategy === "microbatch") {
    return runMicrobatch(node, q, ctx);
  }
  let compiledSql: string | undefined;
  let runPath: string | undefined;
  try {
    const materialized = node.config.materialized;
    const fullRefresh = node.config.full_refresh ?? ctx.fullRefresh;
    const state = await ctx.exec.relations.state(
      node.relation,
      q,
      materialized === "incremental" && !fullRefresh,
    );
    const incremental = isIncrementalRun(materialized, state, fullRefresh);
    compiledSql = ctx.renderer.render(node, { isIncremental: incremental });
    ctx.writeArtifact(node.compiled_path, compiledSql.endsWith("\n") ? compiledSql : `${compiledSql}\n`);
    const docs = docsOf(node);
    // persist_docs comments only columns the relation has, so it needs them too (an incremental run has them).
    const contract = contractOf(node);
    const describe = incremental || contract !== undefined || wantsColumnDocs(node.config.persist_docs, docs);
    const modelColumns = describe ? await describeColumns(compiledSql, q) : undefined;
    if (contract && modelColumns) {
      // Before any DDL: a query that breaks its contract leaves the relation exactly as it was.
      const diff = contractDiff(contract, modelColumns);
      if (!isEmptyDiff(diff)) {
        throw new ContractViolationError(node.name, diff, node.patch_path ?? node.original_file_path);
      }
    }
    const built = planModel({
      relation: node.relation,
      config: node.config,
      sql: compiledSql,
      state,
      ...(modelColumns ? { modelColumns } : {}),
      docs,
      fullRefresh,
      locationRoot: ctx.locationRoot,
      ...(contract && materialized === "table" ? { contract } : {}),
    });
    const plan = withHooks(built, renderHooks(node, "pre_hook", ctx), renderHooks(node, "post_hook", ctx));
    runPath = runPathOf(node.compiled_path);
    ctx.writeArtifact(runPath, renderPlanSql(plan));
    const outcome = await executePlan(plan, q, ctx.exec);
    return {
      status: "success",
      message: successMessage(materialized, incremental, outcome.rowsAffected),
      ...(outcome.rowsAffected === undefined ? {} : { rowsAffected: outcome.rowsAffected }),
      runPath,
    };
  } catch (error) {
    return errorOutcome(error, { node, compiledSql, runPath }, ctx);
  }
}

function successMessage(materialized: string, incremental: boolean, rows: number | undefined): string {
  const verb =
    materialized === "view"
      ? "CREATE VIEW"
      : materialized === "materialized_view"
        ? "REFRESH MATERIALIZED VIEW"
        : incremental
          ? "INCREMENTAL"
          : "CREATE TABLE";
  return rows === undefined ? verb : `${verb} (${rows} rows)`;
}
