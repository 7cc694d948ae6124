import type { ModelPlanInput } from "./model-plan-input.js";
import { prepare } from "./prepare-relation.js";
import { type Plan, plan } from "./steps.js";

/** `view`: CREATE OR REPLACE VIEW (dropping a table of the same name first). */
export function planView(input: ModelPlanInput): Plan {
  return plan([...prepare(input, "view"), { kind: "create-view", relation: input.relation, sql: input.sql }]);
}
