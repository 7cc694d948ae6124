import { describe, expect, it } from "vitest";
import { buildChildMap, levelOrder } from "./graph.js";

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
