import { describe, expect, it } from "vitest";
import { NodeRenderer } from "../render/render-node.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";

/** Model versions: one node per version, `<name>_v<N>` relations, refs to the latest or a given version. */
const YML = `version: 2
models:
  - name: dim
    description: Customers.
    latest_version: 2
    config: {materialized: table}
    columns: [{name: id, data_type: bigint}, {name: email, data_type: varchar}]
    versions:
      - v: 1
        defined_in: dim
        config: {alias: dim}
      - v: 2
        description: Customers without e-mail.
        columns: [{name: id, data_type: bigint}]
      - v: 3
        config: {enabled: true}
`;
const FILES = {
  "models/dim.sql": "select 1 as id, 'a@b' as email",
  "models/dim_v2.sql": "select 1 as id",
  "models/dim_v3.sql": "select 1 as id, 2 as extra",
  "models/latest.sql": 'select * from {{ref "dim"}}',
  "models/old.sql": 'select * from {{ref "dim" v=1}}',
  "models/schema.yml": YML,
};

describe("model versions", () => {
  const project = loadFixture(FILES);
  const nodes = project.manifest.nodes;

  it("one node per version, named after the model, with dbt's unique_ids, relations and fqn", () => {
    const v1 = nodes["model.shop.dim.v1"];
    const v2 = nodes["model.shop.dim.v2"];
    if (v1?.resource_type !== "model" || v2?.resource_type !== "model") throw new Error("missing versions");
    expect([v1.name, v1.version, v1.latest_version, v1.relation.identifier]).toEqual(["dim", 1, 2, "dim"]);
    expect([v2.name, v2.version, v2.relation.identifier, v2.description]).toEqual([
      "dim",
      2,
      "dim_v2",
      "Customers without e-mail.",
    ]);
    expect(v1.description).toBe("Customers.");
    expect(Object.keys(v1.columns)).toEqual(["id", "email"]);
    expect(Object.keys(v2.columns)).toEqual(["id"]);
    expect(v2.config.materialized).toBe("table");
    expect(v2.fqn).toEqual(["shop", "dim", "v2"]);
    expect(nodes["model.shop.dim"]).toBeUndefined();
  });

  it("{{ref}} reads the latest version; v=N a given one; both are dependencies", () => {
    expect(nodes["model.shop.latest"]?.depends_on.nodes).toEqual(["model.shop.dim.v2"]);
    expect(nodes["model.shop.old"]?.depends_on.nodes).toEqual(["model.shop.dim.v1"]);
    const renderer = new NodeRenderer(project);
    expect(renderer.render(nodes["model.shop.latest"]!)).toBe('select * from "iceberg"."analytics"."dim_v2"');
    expect(renderer.render(nodes["model.shop.old"]!)).toBe('select * from "iceberg"."analytics"."dim"');
  });

  it.each([
    [
      "a ref to an undeclared version",
      { "models/old.sql": 'select * from {{ref "dim" v=7}}' },
      "'old' refers to version 7 of 'dim', which is not declared.",
      "declared: v=1, v=2, v=3.",
    ],
    [
      "a version without its file",
      { "models/dim_v3.sql": undefined },
      "version 3 of 'dim' is defined in dim_v3.sql, which does not exist.",
      "create dim_v3.sql",
    ],
    [
      "latest_version not among the versions",
      { "models/schema.yml": YML.replace("latest_version: 2", "latest_version: 5") },
      "latest_version 5 of 'dim' is not one of its versions (1, 2, 3).",
      "declare - v: 5",
    ],
    [
      "a version declared twice",
      { "models/schema.yml": YML.replace("  - v: 3\n", "  - v: 2\n") },
      "version 2 of 'dim' is declared twice.",
      "declare each version once.",
    ],
  ])("error: %s", (_case, change, message, hint) => {
    const files: Record<string, string> = {};
    for (const [path, text] of Object.entries({ ...FILES, ...change }))
      if (text !== undefined) files[path] = text;
    const error = errorOf(() => loadFixture(files));
    expect(error.message).toBe(message);
    expect(error.hint).toContain(hint);
  });
});

describe("unit tests of a model reading versions", () => {
  it("given ref('dim', v=1) is that version's fixture; the latest has its own CTE", () => {
    const project = loadFixture({
      ...FILES,
      "models/both.sql": 'select * from {{ref "dim" v=1}} union all select id, null from {{ref "dim"}}',
      "models/unit.yml":
        "version: 2\nunit_tests:\n  - name: t\n    model: both\n    given:\n      - input: ref('dim', v=1)\n        rows: [{id: 1}]\n    expect: {rows: [{id: 1}]}\n",
    });
    const test = project.manifest.unit_tests["unit_test.shop.both.t"]!;
    expect(test.given[0]?.node).toBe("model.shop.dim.v1");
    const { sql } = new NodeRenderer(project).renderUnitTest(test);
    expect(sql).toBe(
      'select * from "__floe_input__dim_v1" union all select id, null from "__floe_input__dim_v2"',
    );
  });
});
