import { describe, expect, it } from "vitest";
import { parseSeed } from "./parse-seed.js";
import { planSeed } from "./plan-seed.js";
import { ABSENT, type RelationState } from "./relation-state.js";
import { renderPlanSql } from "./render-step.js";

const relation = { catalog: "iceberg", schema: "raw", identifier: "countries" };
const csv =
  "code,name,joined,rank\nDE,Germany,2024-01-02 10:00:00,1\nFR,,2024-01-03T11:00:00,2\nIT,Italy,,3\n";

function sql(batchSize: number, state: RelationState = ABSENT, fullRefresh = false): string {
  const data = parseSeed(csv, "seeds/countries.csv", { rank: "integer" });
  return renderPlanSql(
    planSeed({
      relation,
      config: { format: "orc" },
      data,
      state,
      fullRefresh,
      locationRoot: "s3://warehouse",
      batchSize,
    }),
  );
}

describe("planSeed", () => {
  it("one batch: one atomic CREATE OR REPLACE TABLE AS over VALUES, cast to column_types/inferred types", () => {
    expect(sql(1000)).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."raw"."countries"
      WITH (
        format = 'ORC'
      ) AS
      SELECT CAST("code" AS varchar) AS "code", CAST("name" AS varchar) AS "name", CAST("joined" AS timestamp(6)) AS "joined", CAST("rank" AS integer) AS "rank"
      FROM (VALUES
        ('DE', 'Germany', '2024-01-02 10:00:00', '1'),
        ('FR', CAST(NULL AS varchar), '2024-01-03 11:00:00', '2'),
        ('IT', 'Italy', CAST(NULL AS varchar), '3')
      ) AS floe_values ("code", "name", "joined", "rank");
      "
    `);
  });
  it("several batches: staged in __floe_tmp, published with one CREATE OR REPLACE; --full-refresh drops first", () => {
    expect(sql(2, { kind: "table", columns: [] }, true)).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."raw"."countries__floe_tmp" AS
      SELECT CAST("code" AS varchar) AS "code", CAST("name" AS varchar) AS "name", CAST("joined" AS timestamp(6)) AS "joined", CAST("rank" AS integer) AS "rank"
      FROM (VALUES
        ('DE', 'Germany', '2024-01-02 10:00:00', '1'),
        ('FR', CAST(NULL AS varchar), '2024-01-03 11:00:00', '2')
      ) AS floe_values ("code", "name", "joined", "rank");

      INSERT INTO "iceberg"."raw"."countries__floe_tmp" ("code", "name", "joined", "rank")
      SELECT "code", "name", "joined", "rank"
      FROM (
      SELECT CAST("code" AS varchar) AS "code", CAST("name" AS varchar) AS "name", CAST("joined" AS timestamp(6)) AS "joined", CAST("rank" AS integer) AS "rank"
      FROM (VALUES
        ('IT', 'Italy', CAST(NULL AS varchar), '3')
      ) AS floe_values ("code", "name", "joined", "rank")
      ) AS DBT_INTERNAL_SOURCE;

      DROP TABLE IF EXISTS "iceberg"."raw"."countries";

      CREATE OR REPLACE TABLE "iceberg"."raw"."countries"
      WITH (
        format = 'ORC'
      ) AS
      SELECT * FROM "iceberg"."raw"."countries__floe_tmp";

      -- cleanup (always runs)

      DROP TABLE IF EXISTS "iceberg"."raw"."countries__floe_tmp";
      "
    `);
  });
});

describe("parseSeed", () => {
  it("infers types and turns empty cells into NULL", () => {
    const data = parseSeed("a,b,c,d,e\n1,1.5,true,2024-01-01,x\n,2,false,,y\n", "s.csv", {});
    expect(data.columns.map((c) => c.type)).toEqual(["bigint", "double", "boolean", "date", "varchar"]);
    expect(data.rows[1]).toEqual([null, "2", "false", null, "y"]);
  });
  it("reports a ragged row with the file and line", () => {
    expect(() => parseSeed("a,b\n1,2\n3\n", "seeds/x.csv", {})).toThrow(/does not parse/);
  });
  it("rejects column_types for a column the CSV lacks", () => {
    expect(() => parseSeed("a\n1\n", "seeds/x.csv", { b: "integer" })).toThrow(/'b', which is not a column/);
  });
});
