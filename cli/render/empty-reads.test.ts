import { describe, expect, it } from "vitest";
import { loadFixture } from "../testing/project-fixture.js";
import { NodeRenderer } from "./render-node.js";

/** `--empty`: every ref and source reads zero rows; ephemerals are inlined with their own reads emptied. */
describe("--empty reads", () => {
  const project = loadFixture({
    "models/sources.yml":
      "version: 2\nsources:\n  - name: raw\n    catalog: hive\n    tables:\n      - name: orders\n",
    "models/eph.sql": '{{config materialized="ephemeral"}}select * from {{source "raw" "orders"}}',
    "models/base.sql": "select 1 as id",
    "models/a.sql": 'select b.id from {{ref "base"}} b join {{ref "eph"}} e using (id)',
    "models/schema.yml":
      "version: 2\nmodels:\n  - name: base\n    columns:\n      - name: id\n        tests: [not_null]\n",
  });

  it("wraps refs and sources in a subquery with no rows, as dbt does; the ephemeral CTE name stays", () => {
    const empty = new NodeRenderer(project, new Map(), { empty: true });
    const sql = empty.render(project.manifest.nodes["model.shop.a"]!);
    expect(sql).toContain(
      'select b.id from (select * from "iceberg"."analytics"."base" where false limit 0) b join "__floe_cte__eph" e',
    );
    expect(sql).toContain('select * from (select * from "hive"."raw"."orders" where false limit 0)');
  });

  it("a generic test reads its model empty too; without the option nothing changes", () => {
    const test = Object.values(project.manifest.nodes).find((n) => n.resource_type === "test")!;
    expect(new NodeRenderer(project, new Map(), { empty: true }).render(test)).toContain(
      '(select * from "iceberg"."analytics"."base" where false limit 0)',
    );
    const plain = new NodeRenderer(project).render(project.manifest.nodes["model.shop.a"]!);
    expect(plain).not.toContain("where false");
  });
});
