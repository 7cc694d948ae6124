import type { Materialization, ModelPlanInput } from "./model-plan-input.js";
import { planIncremental } from "./plan-incremental.js";
import { planTable } from "./plan-table.js";
import { planView } from "./plan-view.js";
import type { RelationState } from "./relation-state.js";
import { type Plan, plan } from "./steps.js";

/** Pure: a model → its plan. Ephemeral models have an empty plan (the compiler inlines them). */
export function planModel(input: ModelPlanInput): Plan {
  const prepared = { ...input, sql: trimBody(input.sql) };
  switch (input.config.materialized) {
    case "ephemeral":
      return plan([]);
    case "view":
      return planView(prepared);
    case "table":
      return planTable(prepared);
    case "incremental":
      return planIncremental(prepared);
  }
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
