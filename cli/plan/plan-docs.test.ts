import { describe, expect, it } from "vitest";
import { parseSeed } from "./parse-seed.js";
import { type NodeDocs, planDocs, wantsColumnDocs } from "./plan-docs.js";
import { planSeed } from "./plan-seed.js";
import { ABSENT } from "./relation-state.js";
import { renderPlanSql, renderStep } from "./render-step.js";

/** persist_docs' planning; the golden SQL per materialization is in plan-model.test.ts. */
const relation = { catalog: "iceberg", schema: "marts", identifier: "fct_orders" };
const BOTH = { relation: true, columns: true };
const docs: NodeDocs = {
  description: "One row per order.",
  columns: [
    { name: "order_id", description: "The order's id." },
    { name: "Status", description: "Latest status." },
    { name: "gone", description: "A column the model no longer has." },
    { name: "amount_note", description: "" },
  ],
};

describe("persist_docs on a seed", () => {
  it("a seed: comments after the publish, before the staging table's cleanup", () => {
    const data = parseSeed("code,name\nfr,France\nde,Germany\nit,Italy\n", "seeds/countries.csv", {});
    const seedRelation = { catalog: "iceberg", schema: "raw", identifier: "countries" };
    const sql = renderPlanSql(
      planSeed({
        relation: seedRelation,
        config: { persist_docs: BOTH },
        data,
        state: ABSENT,
        fullRefresh: false,
        locationRoot: undefined,
        batchSize: 2,
        docs: {
          description: "Countries.",
          columns: [
            { name: "code", description: "ISO code." },
            { name: "population", description: "Not in the CSV." },
          ],
        },
      }),
    );
    expect(sql.split(";\n\n").map((s) => s.split("\n")[0])).toMatchInlineSnapshot(`
      [
        "CREATE OR REPLACE TABLE "iceberg"."raw"."countries__floe_tmp" AS",
        "INSERT INTO "iceberg"."raw"."countries__floe_tmp" ("code", "name")",
        "CREATE OR REPLACE TABLE "iceberg"."raw"."countries" AS",
        "COMMENT ON TABLE "iceberg"."raw"."countries" IS 'Countries.'",
        "COMMENT ON COLUMN "iceberg"."raw"."countries"."code" IS 'ISO code.'",
        "-- cleanup (always runs)",
      ]
    `);
  });
});

describe("planDocs", () => {
  it("without the relation's columns, comments every described column", () => {
    const steps = planDocs({
      relation,
      relationType: "table",
      persistDocs: { columns: true },
      docs,
      columns: undefined,
      existed: false,
      keepsTable: false,
    });
    expect(steps.map((s) => s.kind === "comment-column" && s.column)).toEqual(["order_id", "Status", "gone"]);
  });

  it("needs the columns only for column comments on a node with listed columns", () => {
    expect(wantsColumnDocs(BOTH, docs)).toBe(true);
    expect(wantsColumnDocs({ relation: true }, docs)).toBe(false);
    expect(wantsColumnDocs(BOTH, { description: "x", columns: [] })).toBe(false);
    expect(wantsColumnDocs(undefined, docs)).toBe(false);
  });

  it("renders NULL to clear and escapes quotes in identifiers and text", () => {
    const weird = { ...relation, identifier: 'we"ird' };
    expect(renderStep({ kind: "comment-column", relation: weird, column: 'a"b', comment: null }).sql).toBe(
      'COMMENT ON COLUMN "iceberg"."marts"."we""ird"."a""b" IS NULL',
    );
    expect(
      renderStep({ kind: "comment-relation", relation: weird, relationType: "table", comment: "it's" }).sql,
    ).toBe(`COMMENT ON TABLE "iceberg"."marts"."we""ird" IS 'it''s'`);
  });
});
