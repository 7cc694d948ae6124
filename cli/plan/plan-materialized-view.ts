import { hash } from "node:crypto";
import type { ModelPlanInput } from "./model-plan-input.js";
import { prepare } from "./prepare-relation.js";
import { type Plan, plan, type Step } from "./steps.js";

/**
 * `materialized_view` (dbt-trino's): Trino keeps the query and an Iceberg storage table it fills on
 * REFRESH. First build: CREATE, then REFRESH (a new view is stale until refreshed, and Trino would run the
 * query on every read). Later runs: REFRESH only. A changed definition (the model's SQL or grace_period)
 * or --full-refresh: CREATE OR REPLACE, then REFRESH.
 *
 * Trino stores the query reformatted (`SELECT\n  id\n, (id * 2) d ...`), so the stored text cannot be
 * compared with the model's; the view's COMMENT carries a digest of what Floe created instead.
 */
export function planMaterializedView(input: ModelPlanInput): Plan {
  const { relation, state } = input;
  const refresh: Step = { kind: "refresh-materialized-view", relation };
  const comment = definitionComment(input.sql, input.config.grace_period);
  const create = (replace: boolean): Step => ({
    kind: "create-materialized-view",
    relation,
    sql: input.sql,
    gracePeriod: input.config.grace_period,
    replace,
    comment,
  });
  if (state.kind !== "materialized_view") {
    return plan([...prepare(input, "materialized_view"), create(false), refresh]);
  }
  if (state.comment === comment && !input.fullRefresh) return plan([refresh]);
  return plan([create(true), refresh]);
}

/** `floe definition <digest>`: whitespace and a trailing semicolon do not change the digest. */
export function definitionComment(sql: string, gracePeriod: string | undefined): string {
  const normal = (text: string) =>
    text
      .replace(/[\s;]+$/, "")
      .replace(/\s+/g, " ")
      .trim();
  const digest = hash("sha256", `${normal(sql)}\n${normal(gracePeriod ?? "")}`, "hex").slice(0, 16);
  return `floe definition ${digest}`;
}
