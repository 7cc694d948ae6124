import { describe, expect, it } from "vitest";
import type { ModelPlanInput } from "./model-plan-input.js";
import { definitionComment } from "./plan-materialized-view.js";
import { planModel } from "./plan-model.js";
import { ABSENT, ABSENT_NO_SCHEMA, type RelationState } from "./relation-state.js";
import { renderPlanSql } from "./render-step.js";

const relation = { catalog: "iceberg_mv", schema: "marts", identifier: "daily_revenue" };
const SQL = "select day, sum(amount) as revenue from src group by day;\n";

function sqlFor(state: RelationState, extra: Partial<ModelPlanInput> = {}): string {
  return renderPlanSql(
    planModel({
      relation,
      config: { materialized: "materialized_view", grace_period: "INTERVAL '1' HOUR" },
      sql: SQL,
      state,
      fullRefresh: false,
      locationRoot: "s3://warehouse",
      ...extra,
    }),
  );
}

const current = definitionComment(SQL, "INTERVAL '1' HOUR");

describe("materialized_view", () => {
  it("first build: the schema, CREATE with the grace period and the definition's digest, then REFRESH", () => {
    expect(sqlFor(ABSENT_NO_SCHEMA)).toMatchInlineSnapshot(`
      "CREATE SCHEMA IF NOT EXISTS "iceberg_mv"."marts" WITH (location = 's3://warehouse/marts');

      CREATE MATERIALIZED VIEW "iceberg_mv"."marts"."daily_revenue"
      GRACE PERIOD INTERVAL '1' HOUR
      COMMENT 'floe definition 1b7c366fb1a781ad' AS
      select day, sum(amount) as revenue from src group by day;

      REFRESH MATERIALIZED VIEW "iceberg_mv"."marts"."daily_revenue";
      "
    `);
  });

  it("a later run with the same definition only refreshes", () => {
    expect(sqlFor({ kind: "materialized_view", comment: current })).toMatchInlineSnapshot(`
      "REFRESH MATERIALIZED VIEW "iceberg_mv"."marts"."daily_revenue";
      "
    `);
  });

  it("a changed definition, or --full-refresh, replaces the view and refreshes it", () => {
    const changed = sqlFor({ kind: "materialized_view", comment: "floe definition 0000000000000000" });
    expect(changed).toMatchInlineSnapshot(`
      "CREATE OR REPLACE MATERIALIZED VIEW "iceberg_mv"."marts"."daily_revenue"
      GRACE PERIOD INTERVAL '1' HOUR
      COMMENT 'floe definition 1b7c366fb1a781ad' AS
      select day, sum(amount) as revenue from src group by day;

      REFRESH MATERIALIZED VIEW "iceberg_mv"."marts"."daily_revenue";
      "
    `);
    expect(sqlFor({ kind: "materialized_view", comment: current }, { fullRefresh: true })).toBe(changed);
    // A view Floe did not create (no digest) is replaced too.
    expect(sqlFor({ kind: "materialized_view", comment: undefined })).toBe(changed);
  });

  it("drops a table or a view of the same name first", () => {
    expect(sqlFor({ kind: "table", columns: undefined })).toMatch(
      /^DROP TABLE IF EXISTS "iceberg_mv"\."marts"\."daily_revenue";\n\nCREATE MATERIALIZED VIEW/,
    );
    expect(sqlFor({ kind: "view" })).toMatch(/^DROP VIEW IF EXISTS .*;\n\nCREATE MATERIALIZED VIEW/);
    expect(sqlFor(ABSENT)).toMatch(/^CREATE MATERIALIZED VIEW/);
  });

  it("the digest ignores whitespace and a trailing semicolon, not the query or the grace period", () => {
    expect(definitionComment("select 1 ;\n", undefined)).toBe(definitionComment("select   1", undefined));
    expect(definitionComment("select 2", undefined)).not.toBe(definitionComment("select 1", undefined));
    expect(definitionComment("select 1", "INTERVAL '2' HOUR")).not.toBe(
      definitionComment("select 1", undefined),
    );
  });
});
