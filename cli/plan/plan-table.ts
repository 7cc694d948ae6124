import type { ModelPlanInput } from "./model-plan-input.js";
import { prepare } from "./prepare-relation.js";
import { type Plan, plan, type Step } from "./steps.js";
import { tableProperties } from "./table-properties.js";

/** `table`: one atomic CREATE OR REPLACE TABLE ... AS (Iceberg keeps the history; a failure keeps the old table). */
export function planTable(input: ModelPlanInput): Plan {
  return plan([...prepare(input, "table"), createTableAs(input, input.sql)]);
}

export function createTableAs(
  input: Pick<ModelPlanInput, "relation" | "config">,
  sql: string,
): Extract<Step, { kind: "create-table-as" }> {
  return {
    kind: "create-table-as",
    relation: input.relation,
    source: { kind: "query", sql },
    properties: tableProperties(input.config),
    replace: true,
  };
}
