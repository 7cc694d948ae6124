import type { ModelNode } from "../compile/compile.js";
import { executePlan, StepFailedError } from "../execute/executor.js";
import type { NodeQueries } from "../execute/node-queries.js";
import { ContractViolationError, contractDiff, contractOf, isEmptyDiff } from "../plan/contract.js";
import { docsOf, wantsColumnDocs } from "../plan/plan-docs.js";
import { isIncrementalRun, planModel } from "../plan/plan-model.js";
import { renderPlanSql } from "../plan/render-step.js";
import type { ColumnDef } from "../plan/steps.js";
import { errorOutcome } from "./node-error.js";
import type { NodeOutcome, RunContext } from "./run-context.js";

/** `target/run/...` beside `target/compiled/...`. */
export function runPathOf(compiledPath: string): string {
  return compiledPath.replace("/compiled/", "/run/");
}

/**
 * One model: read the relation's state, render the SQL (incremental branches only over an existing table),
 * describe its columns when the planner needs them (an incremental run, persist_docs' column comments),
 * plan, write target/run/, execute.
 */
export async function runModel(node: ModelNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
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
    const plan = planModel({
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

/** The model query's output columns, without running it (LIMIT 0 is planned, not executed). */
async function describeColumns(sql: string, q: NodeQueries): Promise<ColumnDef[]> {
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

function successMessage(materialized: string, incremental: boolean, rows: number | undefined): string {
  const verb = materialized === "view" ? "CREATE VIEW" : incremental ? "INCREMENTAL" : "CREATE TABLE";
  return rows === undefined ? verb : `${verb} (${rows} rows)`;
}
