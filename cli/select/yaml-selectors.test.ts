import { describe, expect, it } from "vitest";
import { parseSelectorsFile } from "../project/selectors-file.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import { methodSelector, selectDefinition } from "./yaml-selectors.js";

/** selectors.yml definitions: the same semantics as --select, combined as dbt combines them. */
describe("selectors.yml definitions", () => {
  // a → b → c → d, and x alone; b and x are tagged.
  const manifest = loadFixture({
    "models/a.sql": "select 1 as id",
    "models/b.sql": '{{config tags="daily"}}select * from {{ref "a"}}',
    "models/c.sql": 'select * from {{ref "b"}}',
    "models/d.sql": 'select * from {{ref "c"}}',
    "models/x.sql": '{{config tags="daily"}}select 2 as id',
  }).manifest;
  const names = (definition: unknown) =>
    [...selectDefinition({ manifest }, definition as never)].map((id) => id.split(".").at(-1)).sort();

  it("graph operators become + and @ around method:value", () => {
    expect(methodSelector({ method: "tag", value: "daily", parents: true, children_depth: 1 })).toBe(
      "+tag:daily+1",
    );
    expect(methodSelector({ method: "fqn", value: "b", childrens_parents: true })).toBe("@b");
    expect(names({ method: "fqn", value: "b", children: true })).toEqual(["b", "c", "d"]);
    expect(names({ method: "fqn", value: "c", parents_depth: 1 })).toEqual(["b", "c"]);
  });

  it("union, intersection and exclude (inside a method and as a list item)", () => {
    expect(names({ union: ["tag:daily", { method: "fqn", value: "d" }] })).toEqual(["b", "d", "x"]);
    expect(names({ intersection: ["tag:daily", { method: "fqn", value: "a", children: true }] })).toEqual([
      "b",
    ]);
    expect(names({ method: "tag", value: "daily", exclude: ["x"] })).toEqual(["b"]);
    expect(
      names({ union: [{ method: "fqn", value: "a", children: true }, { exclude: ["c", "d"] }] }),
    ).toEqual(["a", "b"]);
    expect(names("tag:daily,b c")).toEqual(["b", "c"]);
  });

  it("the file: one default at most, strict keys, a definition's form checked by its shape", () => {
    const two =
      "selectors:\n  - {name: a, default: true, definition: x}\n  - {name: b, default: true, definition: y}\n";
    expect(errorOf(() => parseSelectorsFile(two)).message).toBe(
      "only one selector may be the default; a and b both are.",
    );
    const unsupported =
      "selectors:\n  - name: a\n    definition: {method: tag, value: x, indirect_selection: cautious}\n";
    expect(errorOf(() => parseSelectorsFile(unsupported)).message).toContain(
      "dbt's `indirect_selection` is not supported by Floe yet",
    );
    const wrongType = "selectors:\n  - name: a\n    definition: {union: tag:x}\n";
    expect(errorOf(() => parseSelectorsFile(wrongType)).location?.path).toBe("selectors[0].definition.union");
  });
});
