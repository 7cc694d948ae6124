import { describe, expect, it } from "vitest";
import type { ModelNode } from "../manifest/manifest.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import { withHooks } from "./plan-hooks.js";
import { planModel } from "./plan-model.js";
import { ABSENT } from "./relation-state.js";
import { renderPlanSql } from "./render-step.js";

const relation = { catalog: "iceberg", schema: "marts", identifier: "orders" };

describe("hooks in a plan", () => {
  it("pre hooks before the build, post hooks after persist_docs' COMMENTs, in order; blank ones dropped", () => {
    const built = planModel({
      relation,
      config: { materialized: "table", persist_docs: { relation: true } },
      sql: "select 1 as id",
      state: ABSENT,
      docs: { description: "Orders.", columns: [] },
      fullRefresh: false,
      locationRoot: undefined,
    });
    const sql = renderPlanSql(
      withHooks(
        built,
        ["set session query_max_run_time = '1h'", "  \n"],
        ["insert into audit select 1;", "analyze iceberg.marts.orders"],
      ),
    );
    expect(sql).toMatchInlineSnapshot(`
      "set session query_max_run_time = '1h';

      CREATE OR REPLACE TABLE "iceberg"."marts"."orders" AS
      select 1 as id;

      COMMENT ON TABLE "iceberg"."marts"."orders" IS 'Orders.';

      insert into audit select 1;

      analyze iceberg.marts.orders;
      "
    `);
  });

  it("no hooks: the plan as it was", () => {
    const built = planModel({
      relation,
      config: { materialized: "view" },
      sql: "select 1",
      state: ABSENT,
      fullRefresh: false,
      locationRoot: undefined,
    });
    expect(withHooks(built, [], [])).toBe(built);
  });
});

describe("hook config", () => {
  it("adds up across the project tree, the yml and {{config}}, in that order; pre-hook is pre_hook", () => {
    const project = loadFixture({
      "floe_project.yml":
        "name: shop\nprofile: floe\nmodels:\n  +pre-hook: project pre\n  shop:\n    +post-hook: [project post]\n",
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: orders\n    config:\n      pre_hook: yml pre\n      post-hook: [yml post 1, yml post 2]\n",
      "models/orders.sql": '{{config post_hook="template post" pre_hook="template pre"}}\nselect 1 as id\n',
    });
    const { config } = project.manifest.nodes["model.shop.orders"] as ModelNode;
    expect(config.pre_hook).toEqual(["project pre", "yml pre", "template pre"]);
    expect(config.post_hook).toEqual(["project post", "yml post 1", "yml post 2", "template post"]);
  });

  it("a hook that is not a statement or a list of them is an error naming the file and key", () => {
    const model = errorOf(() =>
      loadFixture({
        "models/schema.yml":
          "version: 2\nmodels:\n  - name: orders\n    config:\n      post_hook: {sql: x}\n",
        "models/orders.sql": "select 1 as id\n",
      }),
    );
    expect(model.message).toContain("expected a SQL statement or a list of them");
    expect(model.location).toMatchObject({ file: "models/schema.yml", line: 5 });
    const project = errorOf(() =>
      loadFixture({
        "floe_project.yml": "name: shop\nprofile: floe\non-run-end: 5\n",
        "models/a.sql": "select 1",
      }),
    );
    expect(project.message).toContain("expected a SQL statement or a list of them");
    expect(project.location).toMatchObject({ file: "floe_project.yml", line: 3 });
    const typo = errorOf(() =>
      loadFixture({
        "floe_project.yml": "name: shop\nprofile: floe\non-run-ends: x\n",
        "models/a.sql": "select 1",
      }),
    );
    expect(typo.hint).toBe("did you mean 'on-run-end'?");
  });
});
