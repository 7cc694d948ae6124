import { describe, expect, it } from "vitest";
import type { Manifest } from "../manifest/manifest.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import { selectNodes } from "./apply-selector.js";
import { parseSelector } from "./parse-selector.js";

// a → b → c → d, a → e (ephemeral, tagged), seed s → b; source raw.events → a
const FILES = {
  "floe_project.yml": "name: shop\nprofile: floe\nmodels:\n  shop:\n    marts:\n      +materialized: table\n",
  "models/sources.yml": "version: 2\nsources:\n  - name: raw\n    tables: [{name: events}]\n",
  "models/staging/a.sql": '{{config tags="daily"}}select * from {{source "raw" "events"}}',
  "models/staging/b.sql": 'select * from {{ref "a"}} join {{ref "s"}} using (id)',
  "models/marts/c.sql": 'select * from {{ref "b"}}',
  "models/marts/d.sql": '{{config tags="daily,finance"}}select * from {{ref "c"}}',
  "models/staging/e.sql": '{{config materialized="ephemeral" tags="finance"}}select * from {{ref "a"}}',
  "models/marts/schema.yml":
    "version: 2\nmodels:\n  - name: c\n    columns:\n      - name: id\n        tests: [unique]\n",
  "seeds/s.csv": "id,name\n1,x\n",
};

const project = loadFixture(FILES);
const names = (ids: Set<string>) =>
  [...ids]
    .map(
      (id) =>
        project.manifest.nodes[id]?.name ??
        project.manifest.sources[id]?.name ??
        project.manifest.unit_tests[id]?.name ??
        id,
    )
    .sort();
const select = (
  spec: string,
  exclude?: string,
  context: { previous?: Manifest; results?: Map<string, string> } = {},
) =>
  names(
    selectNodes(
      { manifest: project.manifest, ...context },
      parseSelector([spec]),
      exclude ? parseSelector([exclude]) : undefined,
    ),
  );

describe("selectors", () => {
  it.each([
    ["b", ["b"]],
    ["stg*", []],
    ["?", ["a", "b", "c", "d", "e", "s", "unique_c_id"]],
    ["c", ["c", "unique_c_id"]],
    ["staging", ["a", "b", "e"]],
    ["shop.marts.d", ["d"]],
    ["tag:daily", ["a", "d"]],
    ["tag:fin*", ["d", "e"]],
    ["path:models/marts", ["c", "d", "unique_c_id"]],
    ["models/staging/a.sql", ["a"]],
    ["config.materialized:table", ["c", "d", "unique_c_id"]],
    ["config.materialized:ephemeral", ["e"]],
    ["config.tags:finance", ["d", "e"]],
    ["source:raw", ["raw.events"]],
    ["source:raw.events+1", ["a", "raw.events"]],
    ["resource_type:seed", ["s"]],
    ["resource_type:test", ["unique_c_id"]],
    ["+b", ["a", "b", "raw.events", "s"]],
    ["1+b", ["a", "b", "s"]],
    ["b+", ["b", "c", "d", "unique_c_id"]],
    ["b+1", ["b", "c", "unique_c_id"]],
    ["@c", ["a", "b", "c", "d", "raw.events", "s", "unique_c_id"]],
    ["a b", ["a", "b"]],
    ["tag:daily,config.materialized:table", ["d"]],
    ["+d,tag:daily", ["a", "d"]],
  ])("%s", (spec, expected) => {
    expect(select(spec)).toEqual(expected);
  });

  it("--exclude removes nodes and their tests", () => {
    expect(select("b+", "c")).toEqual(["b", "d"]);
  });

  it("no selection means everything", () => {
    expect(names(selectNodes({ manifest: project.manifest }, undefined, undefined))).toHaveLength(8);
  });

  it("result:<status> reads previous run results", () => {
    const results = new Map([
      ["model.shop.b", "error"],
      ["model.shop.c", "success"],
    ]);
    expect(select("result:error+", undefined, { results })).toEqual(["b", "c", "d", "unique_c_id"]);
  });

  it("rejects unknown methods, states and resource types with a fix", () => {
    expect(errorOf(() => parseSelector(["tags:daily"])).hint).toContain("did you mean 'tag:'?");
    expect(errorOf(() => parseSelector(["state:changed"])).hint).toContain("modified");
    expect(errorOf(() => parseSelector(["resource_type:view"])).hint).toContain(
      "model, seed, snapshot, test, source",
    );
    expect(errorOf(() => select("state:modified")).hint).toContain("--state");
  });

  // Issue 12, defect 9: these exited 0 with "no nodes selected".
  it.each([
    ["+++c", "repeats an operator"],
    ["c++", "repeats an operator"],
    ["2+c++", "repeats an operator"],
    ["@@c", "repeats an operator"],
    ["+@c", "repeats an operator"],
    [",", "has an empty part"],
    ["c,", "has an empty part"],
    ["c,,d", "has an empty part"],
    [",tag:daily", "has an empty part"],
  ])("a malformed selector %j is a usage error (%s)", (spec, message) => {
    const error = errorOf(() => parseSelector([spec]));
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain(message);
    expect(error.message).toContain(`'${spec}'`);
    expect(error.hint).toBeTruthy();
  });

  it("well-formed operators still parse", () => {
    for (const spec of ["+c", "c+", "+c+", "2+c+1", "@c", "tag:daily,c", "c d", "path:models/marts"]) {
      expect(() => parseSelector([spec])).not.toThrow();
    }
  });
});

describe("state:modified", () => {
  const modified = (changes: Record<string, string>, spec = "state:modified") => {
    const next = loadFixture({ ...FILES, ...changes });
    const ids = selectNodes(
      { manifest: next.manifest, previous: project.manifest },
      parseSelector([spec]),
      undefined,
    );
    return [...ids]
      .map((id) => next.manifest.nodes[id]?.name ?? id)
      .filter((n) => !n.startsWith("unique_"))
      .sort();
  };

  it("nothing changed → nothing modified", () => {
    expect(modified({})).toEqual([]);
  });
  it("whitespace-only changes in a template do not count", () => {
    expect(modified({ "models/marts/c.sql": 'select *\n  from   {{ref "b"}}\n' })).toEqual([]);
  });
  it("a SQL change counts, and + selects downstream", () => {
    expect(modified({ "models/marts/c.sql": 'select id from {{ref "b"}}' })).toEqual(["c"]);
    expect(modified({ "models/marts/c.sql": 'select id from {{ref "b"}}' }, "state:modified+")).toEqual([
      "c",
      "d",
    ]);
  });
  it("a config change counts (from the project file too)", () => {
    expect(
      modified({
        "floe_project.yml":
          "name: shop\nprofile: floe\nmodels:\n  shop:\n    marts:\n      +materialized: view\n",
      }),
    ).toEqual(["c", "d"]);
    expect(
      modified(
        { "models/marts/d.sql": '{{config tags="daily"}}select * from {{ref "c"}}' },
        "state:modified.configs",
      ),
    ).toEqual(["d"]);
  });
  it("a change in a macro a model uses counts", () => {
    const withMacro = { "macros/m.sql": "1", "models/marts/c.sql": 'select {{> m}} from {{ref "b"}}' };
    const before = loadFixture({ ...FILES, ...withMacro });
    const after = loadFixture({ ...FILES, ...withMacro, "macros/m.sql": "2" });
    const ids = selectNodes(
      { manifest: after.manifest, previous: before.manifest },
      parseSelector(["state:modified"]),
      undefined,
    );
    expect([...ids].filter((id) => id.startsWith("model"))).toEqual(["model.shop.c"]);
  });
  it("a yml change counts; new nodes count", () => {
    expect(
      modified(
        { "models/marts/schema.yml": "version: 2\nmodels:\n  - name: c\n    description: changed\n" },
        "state:modified.yml",
      ),
    ).toEqual(["c"]);
    expect(modified({ "models/marts/f.sql": "select 1" }, "state:new")).toEqual(["f"]);
  });
});

describe("unit tests", () => {
  const withUnit = loadFixture({
    ...FILES,
    "models/marts/unit.yml":
      "version: 2\nunit_tests:\n  - name: c_keeps_ids\n    model: c\n    config: {tags: [money]}\n    expect: {rows: [{id: 1}]}\n",
  });
  const pick = (spec: string, exclude?: string) =>
    [
      ...selectNodes(
        { manifest: withUnit.manifest },
        parseSelector([spec]),
        exclude === undefined ? undefined : parseSelector([exclude]),
      ),
    ]
      .filter((id) => id.startsWith("unit_test.") || id.startsWith("test."))
      .map((id) => id.split(".").at(-1))
      .sort();

  it("test_type:unit picks unit tests, test_type:data the data tests; a model brings its unit tests", () => {
    expect(pick("test_type:unit")).toEqual(["c_keeps_ids"]);
    expect(pick("test_type:data")).toEqual(["unique_c_id"]);
    expect(pick("c")).toEqual(["c_keeps_ids", "unique_c_id"]);
    expect(pick("c", "test_type:unit")).toEqual(["unique_c_id"]);
    expect(pick("tag:money")).toEqual(["c_keeps_ids"]);
    expect(pick("resource_type:unit_test")).toEqual(["c_keeps_ids"]);
  });
});
