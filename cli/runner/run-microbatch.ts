import type { ModelNode } from "../compile/compile.js";
import { executePlan } from "../execute/executor.js";
import type { NodeQueries } from "../execute/node-queries.js";
import type { BatchResults } from "../log/events.js";
import { ContractViolationError, contractDiff, contractOf, isEmptyDiff } from "../plan/contract.js";
import { type Batch, planBatches, resolveMicrobatch } from "../plan/microbatch.js";
import { docsOf, wantsColumnDocs } from "../plan/plan-docs.js";
import { withHooks } from "../plan/plan-hooks.js";
import { isIncrementalRun, planModel } from "../plan/plan-model.js";
import type { RelationState } from "../plan/relation-state.js";
import { renderPlanSql } from "../plan/render-step.js";
import type { ColumnDef } from "../plan/steps.js";
import { describeColumns, renderHooks, runPathOf } from "./model-sql.js";
import { errorOutcome } from "./node-error.js";
import type { BatchProgress, NodeOutcome, RunContext } from "./run-context.js";

/**
 * A microbatch model: its batches, oldest first, one plan each (the model rendered with its inputs filtered
 * to the batch, then the batch's slice replaced). A failed batch does not stop the later ones: slices are
 * independent, and `floe retry` reruns exactly the failed ones (`batch_results` in run_results.json). The
 * node is an error when any batch failed, so its children wait for the retry. persist_docs' COMMENTs go with
 * the last batch, and so do its post_hooks; its pre_hooks go before the first batch's statements (as in dbt
 * 1.9: once per model, not per batch). target/run/ holds every batch's statements, target/compiled/ the last
 * batch's SQL.
 */
export async function runMicrobatch(node: ModelNode, q: NodeQueries, ctx: RunContext): Promise<NodeOutcome> {
  let compiledSql: string | undefined;
  const runPath = runPathOf(node.compiled_path);
  const successful: Batch[] = [];
  const failed: { batch: Batch; outcome: NodeOutcome }[] = [];
  let rows = 0;
  try {
    const mb = resolveMicrobatch(node.config, node.name);
    const fullRefresh = node.config.full_refresh ?? ctx.fullRefresh;
    let state: RelationState = await ctx.exec.relations.state(node.relation, q, !fullRefresh);
    const incremental = isIncrementalRun("incremental", state, fullRefresh);
    const batches =
      ctx.microbatch.retry.get(node.unique_id) ??
      planBatches(mb, {
        now: ctx.microbatch.now(),
        eventTimeStart: ctx.microbatch.eventTimeStart,
        eventTimeEnd: ctx.microbatch.eventTimeEnd,
        incremental,
      });
    const docs = docsOf(node);
    const scripts: string[] = [];
    // A full refresh replaces the table with its first successful batch; later batches swap their slice in.
    let replacePending = fullRefresh;
    let modelColumns: ColumnDef[] | undefined;
    const contract = contractOf(node);
    const firstBatch = batches[0];
    if (contract && firstBatch) {
      // Before any batch's DDL, as for any model: every batch has the same columns, so the first one's
      // query is described and compared once; a violation fails the model with no batch run.
      compiledSql = ctx.renderer.render(node, { isIncremental: incremental, batch: firstBatch });
      modelColumns = await describeColumns(compiledSql, q);
      const diff = contractDiff(contract, modelColumns);
      if (!isEmptyDiff(diff)) {
        throw new ContractViolationError(node.name, diff, node.patch_path ?? node.original_file_path);
      }
    }
    for (const [i, batch] of batches.entries()) {
      const started = performance.now();
      const last = i === batches.length - 1;
      const report = (result: Pick<BatchProgress, "status" | "rowsAffected" | "message">) =>
        ctx.microbatch.onBatch(node.unique_id, {
          batchIndex: i + 1,
          batchTotal: batches.length,
          ...batch,
          seconds: (performance.now() - started) / 1000,
          ...result,
        });
      try {
        compiledSql = ctx.renderer.render(node, { isIncremental: incremental, batch });
        const creates = state.kind !== "table" || replacePending;
        if (
          modelColumns === undefined &&
          (!creates || (last && wantsColumnDocs(node.config.persist_docs, docs)))
        ) {
          modelColumns = await describeColumns(compiledSql, q);
        }
        const built = planModel({
          relation: node.relation,
          config: node.config,
          sql: compiledSql,
          state,
          ...(modelColumns ? { modelColumns } : {}),
          ...(last ? { docs } : {}),
          fullRefresh: replacePending,
          locationRoot: ctx.locationRoot,
          batch,
        });
        const plan = withHooks(
          built,
          i === 0 ? renderHooks(node, "pre_hook", ctx) : [],
          last ? renderHooks(node, "post_hook", ctx) : [],
        );
        scripts.push(
          `-- batch ${i + 1} of ${batches.length}: [${batch.start}, ${batch.end})\n${renderPlanSql(plan)}`,
        );
        const outcome = await executePlan(plan, q, ctx.exec);
        rows += outcome.rowsAffected ?? 0;
        successful.push(batch);
        replacePending = false;
        if (creates) state = await ctx.exec.relations.state(node.relation, q, true);
        report({
          status: "success",
          ...(outcome.rowsAffected === undefined ? {} : { rowsAffected: outcome.rowsAffected }),
        });
      } catch (error) {
        const outcome = errorOutcome(error, { node, compiledSql, runPath }, ctx);
        if (outcome.errorCode === "CANCELLED") throw error;
        failed.push({ batch, outcome });
        report({ status: "error", message: outcome.message });
      }
    }
    ctx.writeArtifact(runPath, scripts.join("\n"));
    if (compiledSql !== undefined) {
      ctx.writeArtifact(node.compiled_path, compiledSql.endsWith("\n") ? compiledSql : `${compiledSql}\n`);
    }
  } catch (error) {
    return errorOutcome(error, { node, compiledSql, runPath }, ctx);
  }
  const batchResults: BatchResults = {
    successful: successful.map(recorded),
    failed: failed.map((f) => recorded(f.batch)),
  };
  const total = successful.length + failed.length;
  const first = failed[0];
  if (first === undefined) {
    return {
      status: "success",
      message: `MICROBATCH (${total} batch${total === 1 ? "" : "es"}, ${rows} rows)`,
      rowsAffected: rows,
      runPath,
      batchResults,
    };
  }
  return {
    ...first.outcome,
    message: `${failed.length} of ${total} batches failed (first: [${first.batch.start}, ${first.batch.end})): ${first.outcome.message}`,
    runPath,
    batchResults,
  };
}

/** A batch as run_results.json records it: UTC ISO times (`floe retry` reads them back). */
function recorded(batch: Batch): readonly [string, string] {
  return [`${batch.start}Z`, `${batch.end}Z`];
}
