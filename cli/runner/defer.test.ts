import { describe, expect, it } from "vitest";
import { renderNode } from "../compile/compile.js";
import { NodeRenderer } from "../render/render-node.js";
import { loadFixture } from "../testing/project-fixture.js";
import { deferCandidates } from "./defer.js";

const files = {
  "seeds/countries.csv": "code\nDE\n",
  "models/base.sql": '{{config materialized="table"}}\nselect 1 as id\n',
  "models/eph.sql": '{{config materialized="ephemeral"}}\nselect * from {{ref "base"}}\n',
  "models/child.sql": 'select * from {{ref "eph"}} cross join {{ref "countries"}}\n',
  "models/other.sql": "select 2 as id\n",
};

describe("--defer", () => {
  it("offers unselected upstream models and seeds (through ephemerals) whose state relation differs", () => {
    const dev = loadFixture(files, { target: "dev" });
    const prod = loadFixture(files, { target: "ci" });
    const candidates = deferCandidates(dev.manifest, new Set(["model.shop.child"]), prod.manifest);
    expect(candidates.map((c) => [c.name, c.state])).toEqual([
      ["base", { catalog: "lake", schema: "ci", identifier: "base" }],
      ["countries", { catalog: "lake", schema: "ci", identifier: "countries" }],
    ]);
    // Selected nodes, and nodes the state does not know, are never deferred.
    expect(
      deferCandidates(dev.manifest, new Set(["model.shop.child", "model.shop.base"]), prod.manifest),
    ).toHaveLength(1);
    expect(deferCandidates(dev.manifest, new Set(["model.shop.child"]), dev.manifest)).toEqual([]);
  });

  it("renders a deferred ref as the state relation, inside ephemeral CTEs too", () => {
    const dev = loadFixture(files, { target: "dev" });
    const deferred = new Map([["model.shop.base", { catalog: "lake", schema: "ci", identifier: "base" }]]);
    const sql = new NodeRenderer(dev, deferred).render(dev.manifest.nodes["model.shop.child"]!);
    expect(sql).toContain('from "lake"."ci"."base"');
    expect(sql).toContain('"iceberg"."analytics"."countries"');
    expect(renderNode(dev, "model.shop.child")).toContain('from "iceberg"."analytics"."base"');
  });
});
