import { describe, expect, it } from "vitest";
import { loadFixture } from "../testing/project-fixture.js";
import { buildChildMap, levelOrder, topologicalOrder } from "./graph.js";

describe("buildChildMap", () => {
  it("gives every id a sorted child list, parents outside the map included", () => {
    const childMap = buildChildMap({ c: ["a", "b"], b: ["a"], a: [], d: ["z", "a"] });
    expect(childMap).toEqual({ c: [], b: ["c"], a: ["b", "c", "d"], d: [], z: ["d"] });
  });
});

describe("levelOrder", () => {
  const order = (parentMap: Record<string, string[]>) => {
    const childMap = buildChildMap(parentMap);
    return levelOrder(
      Object.keys(parentMap),
      (id) => parentMap[id],
      (id) => childMap[id],
    );
  };

  it("puts parents first and sorts each level", () => {
    expect(order({ m3: ["m1", "m2"], m2: ["s"], m1: ["s"], s: [], t: ["m3"], a: [] })).toEqual([
      "a",
      "s",
      "m1",
      "m2",
      "m3",
      "t",
    ]);
  });

  it("leaves out nodes on or below a cycle", () => {
    expect(order({ a: [], b: ["a", "c"], c: ["b"], d: ["c"] })).toEqual(["a"]);
  });
});

describe("topologicalOrder", () => {
  it("returns the order the build computed, equal to a fresh computation, as a copy", () => {
    const { manifest } = loadFixture({
      "models/c.sql": 'select * from {{ref "a"}} join {{ref "b"}} using (id)',
      "models/b.sql": 'select * from {{ref "a"}}',
      "models/a.sql": "select 1 as id",
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique]\n",
    });
    const fresh = levelOrder(
      [...Object.keys(manifest.sources), ...Object.keys(manifest.nodes)],
      (id) => manifest.parent_map[id],
      (id) => manifest.child_map[id],
    );
    const order = topologicalOrder(manifest);
    expect(order).toEqual(fresh);
    expect(order.slice(0, 1)).toEqual(["model.shop.a"]);
    order.reverse();
    expect(topologicalOrder(manifest)).toEqual(fresh);
  });
});
