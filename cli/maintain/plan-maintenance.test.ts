import { describe, expect, it } from "vitest";
import { configSchemaFor, mergeLayers, toModelConfig } from "../manifest/config.js";
import type { ModelNode } from "../manifest/manifest.js";
import { loadFixture } from "../testing/project-fixture.js";
import { planMaintenance } from "./plan-maintenance.js";

const NOW = new Date("2026-12-06T10:00:00Z");

function model(name: string, config: Record<string, unknown>): ModelNode {
  const layer = configSchemaFor("model").parse(config);
  return {
    unique_id: `model.shop.${name}`,
    resource_type: "model",
    config: toModelConfig(mergeLayers([layer])),
    relation: { catalog: "iceberg", schema: "shop_marts", identifier: name },
  } as unknown as ModelNode;
}

describe("planMaintenance", () => {
  it("gives a day-partitioned table retention by whole days, then optimize, expire and orphan cleanup", () => {
    const plan = planMaintenance(
      [model("fct_orders", { materialized: "incremental", partitioned_by: ["day(order_date)"] })],
      NOW,
    );
    expect(plan.tables[0]?.steps.map((s) => s.sql)).toEqual([
      `DELETE FROM "iceberg"."shop_marts"."fct_orders" WHERE "order_date" < DATE '2024-12-06'`,
      `ALTER TABLE "iceberg"."shop_marts"."fct_orders" EXECUTE optimize(file_size_threshold => '128MB')`,
      `ALTER TABLE "iceberg"."shop_marts"."fct_orders" EXECUTE expire_snapshots(retention_threshold => '86400s')`,
      `ALTER TABLE "iceberg"."shop_marts"."fct_orders" EXECUTE remove_orphan_files(retention_threshold => '86400s')`,
    ]);
  });

  it("takes per-table overrides and turns procedures off", () => {
    const plan = planMaintenance(
      [
        model("dim_customers", {
          materialized: "table",
          maintenance: {
            optimize: { file_size_threshold: "256MB" },
            expire_snapshots: { retention_threshold: "6h" },
            remove_orphan_files: false,
          },
          retention: { period: "90d", column: "first_order_at" },
        }),
      ],
      NOW,
    );
    const table = plan.tables[0];
    expect(table?.steps.map((s) => s.sql)).toEqual([
      `DELETE FROM "iceberg"."shop_marts"."dim_customers" WHERE "first_order_at" < DATE '2026-09-07'`,
      `ALTER TABLE "iceberg"."shop_marts"."dim_customers" EXECUTE optimize(file_size_threshold => '256MB')`,
      `ALTER TABLE "iceberg"."shop_marts"."dim_customers" EXECUTE expire_snapshots(retention_threshold => '21600s')`,
    ]);
    expect(table?.notes).toEqual(["remove_orphan_files: false"]);
  });

  it("has no retention without a time column, and says how to give one", () => {
    const plan = planMaintenance([model("agg", { materialized: "table", partitioned_by: ["country"] })], NOW);
    expect(plan.tables[0]?.steps.map((s) => s.kind)).toEqual([
      "optimize",
      "expire_snapshots",
      "remove_orphan_files",
    ]);
    expect(plan.tables[0]?.notes[0]).toMatch(/no retention column: set retention: \{column:/);
  });

  it("skips views, ephemerals and tables with both turned off", () => {
    const plan = planMaintenance(
      [
        model("v", { materialized: "view" }),
        model("e", { materialized: "ephemeral" }),
        model("off", { materialized: "table", maintenance: false, retention: false }),
      ],
      NOW,
    );
    expect(plan.tables).toEqual([]);
    expect(plan.skipped.map((s) => s.reason)).toEqual([
      "materialized as view, not a table",
      "materialized as ephemeral, not a table",
      "maintenance: false and retention: false",
    ]);
  });

  it("rejects bad maintenance config with the key and the shape", () => {
    const bad = (config: Record<string, unknown>) =>
      configSchemaFor("model").safeParse(config).error?.issues[0];
    expect(bad({ maintenance: { optimise: {} } })).toMatchObject({
      path: ["maintenance", "optimise"],
      params: { hint: "did you mean 'optimize'?" },
    });
    expect(bad({ retention: { period: "2 years" } })).toMatchObject({
      path: ["retention", "period"],
      message: "period must be a duration like 24h, 7d or 2y",
    });
    expect(bad({ maintenance: { expire_snapshots: { retention_threshold: "7" } } })).toBeDefined();
  });
});

describe("maintenance config in a project", () => {
  it("reads the README's project-tree example and gives each layer's value whole", () => {
    const project = loadFixture({
      "floe_project.yml": `name: shop
profile: floe
models:
  shop:
    marts:
      +maintenance:
        optimize: {file_size_threshold: 256MB}
        expire_snapshots: {retention_threshold: 6h}
        remove_orphan_files: false
      +retention: {period: 2y, column: order_date}
`,
      "models/marts/fct.sql": '{{config materialized="table"}}\nselect 1 as x\n',
      "models/staging/stg.sql": '{{config materialized="table"}}\nselect 1 as x\n',
    });
    const nodes = Object.values(project.manifest.nodes).filter(
      (n) => n.resource_type === "model",
    ) as ModelNode[];
    const plan = planMaintenance(nodes, NOW);
    const fct = plan.tables.find((t) => t.uniqueId === "model.shop.fct");
    const stg = plan.tables.find((t) => t.uniqueId === "model.shop.stg");
    expect(fct?.steps.map((s) => s.kind)).toEqual(["retention", "optimize", "expire_snapshots"]);
    expect(fct?.notes).toEqual(["remove_orphan_files: false"]);
    expect(stg?.steps.map((s) => s.kind)).toEqual(["optimize", "expire_snapshots", "remove_orphan_files"]);
  });
});
