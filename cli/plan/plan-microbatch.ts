import { ConfigError } from "../../core/errors.js";
import { slicePredicate } from "./microbatch.js";
import type { ModelPlanInput } from "./model-plan-input.js";
import { createTableAs } from "./plan-table.js";
import { prepare } from "./prepare-relation.js";
import { type Plan, plan } from "./steps.js";

/**
 * One batch of a microbatch model: its time slice of the target replaced by the model's rows for that slice
 * (the model SQL already rendered with its inputs filtered to the batch). Where there is no table yet (or a
 * full refresh), the batch creates it, keeping only its slice's rows; otherwise one MERGE swaps the slice
 * (`replace-slice`, see render-step.ts for why MERGE and not DELETE + INSERT). Columns the model and table
 * do not share are left out, as on_schema_change: ignore does (a schema change needs --full-refresh).
 */
export function planMicrobatch(input: ModelPlanInput): Plan {
  const { relation, state, config, batch } = input;
  const where = `${relation.schema}.${relation.identifier}`;
  if (batch === undefined || config.event_time === undefined) {
    throw new Error(`planMicrobatch: ${where} was planned without a batch or event_time`);
  }
  if (state.kind !== "table" || input.fullRefresh) {
    return plan([
      ...prepare(input, "table"),
      { ...createTableAs(input, input.sql), where: slicePredicate(config.event_time, batch) },
    ]);
  }
  const tableColumns = state.columns ?? [];
  const modelColumns = input.modelColumns;
  if (modelColumns === undefined) {
    throw new Error(`planMicrobatch: the columns of ${relation.identifier}'s query were not described`);
  }
  const inModel = new Set(modelColumns.map((c) => c.name.toLowerCase()));
  const columns = tableColumns.filter((c) => inModel.has(c.name.toLowerCase())).map((c) => c.name);
  if (!columns.some((c) => c.toLowerCase() === config.event_time!.toLowerCase())) {
    throw new ConfigError(
      `Microbatch model ${where}: its event_time column '${config.event_time}' is not in both the table and the query.`,
      { hint: "select the event_time column in the model, or run with --full-refresh after renaming it." },
    );
  }
  return plan([
    {
      kind: "replace-slice",
      target: relation,
      source: { kind: "query", sql: input.sql },
      columns,
      eventTime: config.event_time,
      batch: { start: batch.start, end: batch.end },
    },
  ]);
}
