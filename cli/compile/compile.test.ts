import { describe, expect, it } from "vitest";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import { renderInline, renderNode } from "./compile.js";

const sql = (files: Record<string, string>, id: string, options = {}) => {
  const project = loadFixture(files);
  return renderNode(project, id, options);
};

describe("helpers (golden SQL)", () => {
  it("ref renders the quoted relation; schema, alias and catalog follow config", () => {
    const files = {
      "models/a.sql": "select 1 as id",
      "models/b.sql": '{{config schema="marts" alias="bee" catalog="lake"}}select * from {{ref "a"}}',
      "models/c.sql": 'select * from {{ref "b"}} join {{ref "shop" "a"}} using (id)',
    };
    expect(sql(files, "model.shop.c")).toBe(
      'select * from "lake"."analytics_marts"."bee" join "iceberg"."analytics"."a" using (id)',
    );
  });

  it("source renders the declared table; identifier and catalog are honoured", () => {
    const files = {
      "models/sources.yml":
        "version: 2\nsources:\n  - name: raw\n    catalog: hive\n    tables:\n      - name: orders\n        identifier: raw_orders\n",
      "models/a.sql": 'select * from {{source "raw" "orders"}}',
    };
    expect(sql(files, "model.shop.a")).toBe('select * from "hive"."raw"."raw_orders"');
  });

  it("var reads --vars over project vars, with defaults; env reads the environment", () => {
    const files = {
      "floe_project.yml": "name: shop\nprofile: floe\nvars:\n  a: project\n  b: project\n",
      "models/m.sql": '{{var "a"}} {{var "b"}} {{var "c" "fallback"}} {{env "HOME_X" "none"}}',
    };
    const project = loadFixture(files, { vars: { b: "cli" } });
    expect(renderNode(project, "model.shop.m")).toBe("project cli fallback none");
  });

  it("this renders the model's own relation and is_incremental switches branches", () => {
    const files = {
      "models/inc.sql":
        '{{config materialized="incremental" unique_key="id"}}\nselect * from src\n{{#if (is_incremental)}}\nwhere ts > (select max(ts) from {{this}})\n{{/if}}\n',
    };
    const project = loadFixture(files);
    expect(renderNode(project, "model.shop.inc")).toBe("select * from src\n");
    expect(renderNode(project, "model.shop.inc", { isIncremental: true })).toBe(
      'select * from src\nwhere ts > (select max(ts) from "iceberg"."analytics"."inc")\n',
    );
  });

  it("macros are partials with hash arguments, indented when standalone", () => {
    const files = {
      "macros/money.sql": "cast({{column}} as decimal(18, 2)) / 100\n",
      "macros/nested/cols.sql": "a,\nb\n",
      "models/m.sql": 'select {{> money column="cents"}} as amount,\n    {{> cols}}\nfrom t',
    };
    expect(sql(files, "model.shop.m")).toBe(
      "select cast(cents as decimal(18, 2)) / 100 as amount,\n    a,\n    b\nfrom t",
    );
  });

  it("ephemeral models inline as CTEs, nested ones first, merged into an existing with", () => {
    const files = {
      "models/e1.sql": '{{config materialized="ephemeral"}}select 1 as id',
      "models/e2.sql": '{{config materialized="ephemeral"}}select * from {{ref "e1"}}',
      "models/m.sql": 'with x as (select 2 as id)\nselect * from {{ref "e2"}} union all select * from x',
    };
    expect(sql(files, "model.shop.m")).toBe(
      'with "__floe_cte__e1" as (\nselect 1 as id\n),\n"__floe_cte__e2" as (\nselect * from "__floe_cte__e1"\n),\nx as (select 2 as id)\nselect * from "__floe_cte__e2" union all select * from x',
    );
  });
});

describe("renderInline (floe show --inline)", () => {
  const project = () =>
    loadFixture({
      "macros/money.sql": "cast({{column}} as decimal(18, 2)) / 100\n",
      "models/sources.yml":
        "version: 2\nsources:\n  - name: raw\n    catalog: hive\n    tables:\n      - name: orders\n",
      "models/eph.sql": '{{config materialized="ephemeral"}}select 1 as id',
      "models/a.sql": "select 1 as id",
    });

  it("renders refs (ephemeral ones as CTEs), sources and macros without declared dependencies", () => {
    expect(
      renderInline(
        project(),
        'select {{> money column="c"}} from {{ref "a"}} join {{ref "eph"}} using (id) join {{source "raw" "orders"}} using (id)',
      ),
    ).toBe(
      'with "__floe_cte__eph" as (\nselect 1 as id\n)\nselect cast(c as decimal(18, 2)) / 100 from "iceberg"."analytics"."a" join "__floe_cte__eph" using (id) join "hive"."raw"."orders" using (id)',
    );
  });

  it("reports a syntax error at --inline:line:column and an unknown ref with the closest name", () => {
    const syntax = errorOf(() => renderInline(project(), "select {{ref 'a'"));
    expect(syntax.location).toMatchObject({ file: "--inline", line: 1 });
    const missing = errorOf(() => renderInline(project(), 'select * from {{ref "b"}}'));
    expect(missing.message).toContain("no model or seed is named 'b'");
    expect(missing.hint).toContain('{{ref "a"}}');
  });
});
