import type { Materialization, ModelPlanInput } from "./model-plan-input.js";
import { appendSteps, planDocs } from "./plan-docs.js";
import { planIncremental } from "./plan-incremental.js";
import { planMaterializedView } from "./plan-materialized-view.js";
import { planTable } from "./plan-table.js";
import { planView } from "./plan-view.js";
import type { RelationState } from "./relation-state.js";
import { type Plan, plan } from "./steps.js";

/**
 * Pure: a model → its plan: the materialization's steps, then persist_docs' COMMENTs. Ephemeral models have
 * an empty plan (the compiler inlines them).
 */
export function planModel(input: ModelPlanInput): Plan {
  const prepared = { ...input, sql: trimBody(input.sql) };
  const { materialized } = input.config;
  if (materialized === "ephemeral") return plan([]);
  // persist_docs is not applied: Trino's COMMENT has no MATERIALIZED VIEW form.
  if (materialized === "materialized_view") return planMaterializedView(prepared);
  const built =
    materialized === "view"
      ? planView(prepared)
      : materialized === "table"
        ? planTable(prepared)
        : planIncremental(prepared);
  const keepsTable = isIncrementalRun(materialized, input.state, input.fullRefresh);
  return appendSteps(
    built,
    planDocs({
      relation: input.relation,
      relationType: materialized === "view" ? "view" : "table",
      persistDocs: input.config.persist_docs,
      docs: input.docs,
      columns: keepsTable ? columnsAfter(input, built) : input.modelColumns?.map((c) => c.name),
      existed: input.state.kind !== "absent",
      keepsTable,
    }),
  );
}

/** An incremental run's table columns once its plan ran: the existing ones, plus added, minus dropped. */
function columnsAfter(input: ModelPlanInput, built: Plan): string[] {
  const columns = new Map(
    (input.state.kind === "table" ? (input.state.columns ?? []) : []).map((c) => [
      c.name.toLowerCase(),
      c.name,
    ]),
  );
  for (const step of built.steps) {
    if (step.kind === "add-column") columns.set(step.column.name.toLowerCase(), step.column.name);
    if (step.kind === "drop-column") columns.delete(step.column.toLowerCase());
  }
  return [...columns.values()];
}

/** True when the model should be rendered with is_incremental() true: an incremental run on a table. */
export function isIncrementalRun(
  materialized: Materialization,
  state: RelationState,
  fullRefresh: boolean,
): boolean {
  return materialized === "incremental" && state.kind === "table" && !fullRefresh;
}

/** The model body as a subquery: no trailing semicolon or whitespace. */
export function trimBody(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}
