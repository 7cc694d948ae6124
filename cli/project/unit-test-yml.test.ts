import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { errorOf, loadFixture, writeProject } from "../testing/project-fixture.js";
import { recordingIO } from "../testing/recording-io.js";

/**
 * `unit_tests:` in property files: the nodes they become, and one error fixture per way to get the yml
 * wrong, each naming the file, the YAML path and the fix.
 */
const FILES = {
  "models/sources.yml":
    "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n      - name: refunds\n",
  "models/stg_orders.sql": 'select * from {{source "raw" "orders"}}\n',
  "models/order_totals.sql":
    'select o.order_id from {{ref "stg_orders"}} o join {{source "raw" "refunds"}} r using (order_id)\n',
};

function withUnitTests(yml: string) {
  return loadFixture({ ...FILES, "models/unit.yml": `version: 2\nunit_tests:\n${yml}` });
}

function unitError(yml: string) {
  return errorOf(() => withUnitTests(yml));
}

describe("unit_tests: in yml", () => {
  it("become unit_test nodes beside the manifest's nodes, depending on their model", () => {
    const project = withUnitTests(`  - name: nets
    model: order_totals
    description: Refunds subtract.
    config: {tags: [finance], meta: {owner: bi}}
    given:
      - input: ref('stg_orders')
        rows: [{order_id: 1}]
      - input: source("raw", "refunds")
        format: csv
        rows: |
          order_id
          1
    expect:
      format: sql
      rows: select 1 as order_id
    overrides:
      vars: {x: 1}
      macros: {is_incremental: true}
      env_vars: {REGION: 3}
`);
    const node = project.manifest.unit_tests["unit_test.shop.order_totals.nets"]!;
    expect(node).toMatchObject({
      resource_type: "unit_test",
      model: "order_totals",
      attached_node: "model.shop.order_totals",
      depends_on: { nodes: ["model.shop.order_totals"] },
      description: "Refunds subtract.",
      tags: ["finance"],
      config: { enabled: true, tags: ["finance"], meta: { owner: "bi" } },
      given: [
        { input: "ref('stg_orders')", node: "model.shop.stg_orders", fixture: { format: "dict" } },
        {
          input: 'source("raw", "refunds")',
          node: "source.shop.raw.refunds",
          fixture: { format: "csv", rows: "order_id\n1\n" },
        },
      ],
      expect: { format: "sql", rows: "select 1 as order_id" },
      overrides: { vars: { x: 1 }, macros: { is_incremental: true }, env_vars: { REGION: "3" } },
    });
    // Out of the lineage graph, as in dbt: no parent_map entry, not among the nodes.
    expect(project.manifest.nodes[node.unique_id]).toBeUndefined();
    expect(project.manifest.parent_map[node.unique_id]).toBeUndefined();
  });

  it("enabled: false leaves the unit test out", () => {
    const project = withUnitTests(
      "  - name: off\n    model: order_totals\n    config: {enabled: false}\n    expect: {rows: []}\n",
    );
    expect(project.manifest.unit_tests).toEqual({});
  });

  it.each([
    [
      "a misspelled key",
      "  - name: t\n    model: order_totals\n    givne: []\n    expect: {rows: []}\n",
      "unknown key 'givne' in unit test 't'",
      "unit_tests[0].givne",
      "did you mean 'given'?",
    ],
    [
      "a misspelled key in a given",
      "  - name: t\n    model: order_totals\n    given:\n      - input: ref('stg_orders')\n        row: []\n    expect: {rows: []}\n",
      "unknown key 'row' in a given input",
      "unit_tests[0].given[0].row",
      "did you mean 'rows'?",
    ],
    [
      "a misspelled override",
      "  - name: t\n    model: order_totals\n    overrides: {macro: {is_incremental: true}}\n    expect: {rows: []}\n",
      "unknown key 'macro' in overrides",
      "unit_tests[0].overrides.macro",
      "did you mean 'macros'?",
    ],
    [
      "no model",
      "  - name: t\n    expect: {rows: []}\n",
      "a unit test names the model it tests (model: <name>)",
      "unit_tests[0].model",
      "",
    ],
    [
      "a model that does not exist",
      "  - name: t\n    model: order_total\n    expect: {rows: []}\n",
      "unit test 't' tests 'order_total', which is not a model",
      "unit_tests[0].model",
      "did you mean model: order_totals?",
    ],
    [
      "an input that is not ref/source/this",
      "  - name: t\n    model: order_totals\n    given:\n      - input: stg_orders\n    expect: {rows: []}\n",
      "input 'stg_orders' is not ref('name'), source('source', 'table') or this",
      "unit_tests[0].given[0].input",
      "write input: ref('stg_orders')",
    ],
    [
      "an input the model does not read",
      "  - name: t\n    model: order_totals\n    given:\n      - input: source('raw', 'orders')\n    expect: {rows: []}\n",
      "source('raw', 'orders') is not read by 'order_totals'",
      "unit_tests[0].given[0].input",
      "the model reads ref('stg_orders'), source('raw', 'refunds').",
    ],
    [
      "an unknown ref",
      "  - name: t\n    model: order_totals\n    given:\n      - input: ref('stg_order')\n    expect: {rows: []}\n",
      "ref('stg_order'): no model or seed is named 'stg_order'",
      "unit_tests[0].given[0].input",
      "the model reads",
    ],
    [
      "an input given twice",
      "  - name: t\n    model: order_totals\n    given:\n      - input: ref('stg_orders')\n      - input: ref( 'stg_orders' )\n    expect: {rows: []}\n",
      "ref( 'stg_orders' ) is given twice in unit test 't'",
      "unit_tests[0].given[1].input",
      "give each input once.",
    ],
    [
      "csv rows as a list",
      "  - name: t\n    model: order_totals\n    expect: {format: csv, rows: [{order_id: 1}]}\n",
      "format: csv takes its rows as text",
      "unit_tests[0].expect",
      "header line",
    ],
    [
      "an unknown format",
      "  - name: t\n    model: order_totals\n    expect: {format: json, rows: []}\n",
      "format is one of dict, csv, sql",
      "unit_tests[0].expect.format",
      "",
    ],
    [
      "is_incremental not a boolean",
      "  - name: t\n    model: order_totals\n    overrides: {macros: {is_incremental: 'yes'}}\n    expect: {rows: []}\n",
      "overrides.macros.is_incremental must be true or false",
      "unit_tests[0].overrides.macros.is_incremental",
      "is_incremental: true",
    ],
    [
      "two unit tests of a model with one name",
      "  - name: t\n    model: order_totals\n    expect: {rows: []}\n  - name: t\n    model: order_totals\n    expect: {rows: []}\n",
      "model 'order_totals' has two unit tests named 't'",
      "unit_tests[1].name",
      "own name",
    ],
    [
      "a config key unit tests lack",
      "  - name: t\n    model: order_totals\n    config: {severity: warn}\n    expect: {rows: []}\n",
      "unknown key 'severity' in unit test config",
      "unit_tests[0].config.severity",
      "unit test config takes",
    ],
  ])("%s", (_case, yml, message, path, hint) => {
    const error = unitError(yml);
    expect(error.code).toBe("CONFIG");
    expect(error.message).toBe(`${message}.`);
    expect(error.location?.file).toBe("models/unit.yml");
    expect(error.location?.path).toBe(path);
    expect(error.location?.line).toBeGreaterThan(2);
    expect(error.hint ?? "").toContain(hint);
  });
});

describe("unit tests in the CLI without an engine", () => {
  it("parse counts them; ls lists them by test_type:unit and --resource-type unit_test", async () => {
    const dir = writeProject({
      ...FILES,
      "models/unit.yml":
        "version: 2\nunit_tests:\n  - name: nets\n    model: order_totals\n    expect: {rows: []}\n",
    });
    const run = async (...args: string[]) => {
      const io = recordingIO();
      const code = await main(["node", "floe", ...args, "--project-dir", dir], io);
      return { code, out: io.stdoutText() };
    };
    expect((await run("parse")).out).toMatch(/^Parsed 2 models, 0 tests, 1 unit test, 0 seeds, 2 sources/);
    expect(await run("ls", "-s", "test_type:unit", "--output", "selector")).toEqual({
      code: 0,
      out: "shop.order_totals.nets\n",
    });
    expect((await run("ls", "--resource-type", "unit_test")).out).toBe("nets\n");
  });
});
