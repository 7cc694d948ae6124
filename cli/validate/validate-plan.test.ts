import { describe, expect, it } from "vitest";
import { upstreamRelations } from "../render/relations-read.js";
import { loadFixture } from "../testing/project-fixture.js";
import { inlineRelations } from "./inline-upstream.js";
import { planEngineChecks, renderProject } from "./validate-project.js";

describe("inlineRelations", () => {
  it("replaces each relation by its SELECT and maps output lines back to the node's own lines", () => {
    const own = 'select id\nfrom "c"."s"."up" u join "c"."s"."up2" v on true\nwhere x > 1';
    const inlined = inlineRelations(
      own,
      new Map([
        ['"c"."s"."up"', { id: "model.p.up", sql: "select 1 as id,\n  2 as x;" }],
        ['"c"."s"."up2"', { id: "model.p.up2", sql: "select 3 as y" }],
        ['"c"."s"."unused"', { id: "model.p.unused", sql: "select 4" }],
      ]),
    );
    expect(inlined.sql).toBe(
      "select id\nfrom (\nselect 1 as id,\n  2 as x\n) u join (\nselect 3 as y\n) v on true\nwhere x > 1",
    );
    expect([...inlined.inlined].sort()).toEqual(["model.p.up", "model.p.up2"]);
    const lines = inlined.sql.split("\n");
    expect(lines.map((_, i) => inlined.ownLine(i + 1))).toEqual([
      1,
      2,
      undefined,
      undefined,
      2,
      undefined,
      2,
      3,
    ]);
  });

  it("names an unaliased subquery after its table, so qualified columns still resolve", () => {
    const up = new Map([['"c"."s"."up"', { id: "model.p.up", sql: "select 1 as id" }]]);
    const inline = (own: string) => inlineRelations(own, up).sql;
    expect(inline('select "c"."s"."up".id, up.id from "c"."s"."up"')).toBe(
      'select "up".id, up.id from (\nselect 1 as id\n) "up"',
    );
    expect(inline('select * from "c"."s"."up"\nwhere id > 0')).toBe(
      'select * from (\nselect 1 as id\n) "up"\nwhere id > 0',
    );
    expect(inline('select * from "c"."s"."up" join x using (id)')).toContain(') "up" join x');
    expect(inline('select * from "c"."s"."up", "c"."s"."up" -- twice\n')).toBe(
      'select * from (\nselect 1 as id\n) "up", (\nselect 1 as id\n) "up" -- twice\n',
    );
    // An alias of its own, after spaces or a comment, is kept and none is added.
    for (const alias of ["u", "as u", '"u"', "-- the upstream\n  u", "/* up */ AS u"]) {
      expect(inline(`select u.id from "c"."s"."up" ${alias}`)).toBe(
        `select u.id from (\nselect 1 as id\n) ${alias}`,
      );
    }
  });

  it("leaves SQL without those relations alone", () => {
    const inlined = inlineRelations("select 1\nfrom t", new Map());
    expect(inlined.sql).toBe("select 1\nfrom t");
    expect(inlined.ownLine(2)).toBe(2);
  });
});

describe("planEngineChecks", () => {
  const project = () =>
    loadFixture({
      "models/sources.yml": `version: 2
sources:
  - name: raw
    tables: [{name: here}, {name: gone}]
`,
      "models/a.sql": '{{config materialized="table"}}\nselect * from {{source "raw" "here"}}\n',
      "models/eph.sql": '{{config materialized="ephemeral"}}\nselect * from {{ref "a"}}\n',
      "models/b.sql": 'select * from {{ref "eph"}}\n',
      "models/c.sql": 'select * from {{ref "b"}}\n',
      "models/d.sql": 'select * from {{source "raw" "gone"}}\n',
      "models/e.sql": 'select * from {{ref "d"}}\n',
    });

  it("inlines unbuilt models (through ephemerals) and skips what reads a missing source", () => {
    const p = project();
    expect(upstreamRelations(p.manifest, "model.shop.b")).toEqual(["model.shop.a"]);
    const rendered = renderProject(p);
    expect(rendered.failures).toEqual([]);
    const built = new Set(["source.shop.raw.here", "model.shop.b"]);
    const plans = planEngineChecks(p.manifest, rendered, new Set(Object.keys(p.manifest.nodes)), (node) =>
      built.has(node.unique_id),
    );
    const byId = new Map(plans.map((plan) => [plan.id.replace("model.shop.", ""), plan]));
    // a is not built: b (via the ephemeral CTE) gets a's SELECT inlined; c reads b, which exists.
    expect(byId.get("b")).toMatchObject({ check: true, inlined: ["model.shop.a"] });
    const b = byId.get("b")!;
    expect(b.check ? b.sql : "").toContain('from "iceberg"."raw"."here"');
    expect(byId.get("c")).toMatchObject({ check: true, inlined: [] });
    expect(byId.get("d")).toMatchObject({
      check: false,
      reason: "upstream not built: source raw.gone does not exist",
    });
    expect(byId.get("e")).toMatchObject({
      check: false,
      reason: "upstream not built: source raw.gone does not exist",
    });
  });
});
