import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadProject } from "../compile/compile.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";

/**
 * Strict yml: every key of a property file, a config layer and a test entry is known, or the load stops
 * with the file, the YAML path, and the closest known key (or, for a dbt key Floe lacks, a plain "not
 * supported yet").
 */
const MODEL = { "models/orders.sql": "select 1 as order_id, 'paid' as status" };
const SEED = { "seeds/countries.csv": "code,name\nfr,France\n" };

function ymlError(yml: string, extra: Record<string, string> = {}) {
  return errorOf(() => loadFixture({ ...MODEL, ...SEED, ...extra, "models/schema.yml": yml }));
}

describe("an unknown key names the file, the YAML path and the closest known key", () => {
  it("model level: the issue's repro, a misspelled colums: (which used to drop its tests)", () => {
    const error = ymlError(
      "version: 2\nmodels:\n  - name: orders\n    description: Orders.\n    colums:\n      - name: order_id\n        tests: [unique]\n",
    );
    expect(error.code).toBe("CONFIG");
    expect(error.message).toBe("unknown key 'colums' in model 'orders'.");
    expect(error.location).toEqual({
      file: "models/schema.yml",
      line: 5,
      column: 5,
      path: "models[0].colums",
    });
    expect(error.hint).toBe("did you mean 'columns'?");
  });

  it("an unknown key is reported before the entry's other problems", () => {
    const error = ymlError("version: 2\nmodels:\n  - nmae: orders\n");
    expect(error.message).toBe("unknown key 'nmae' in a model entry.");
    expect(error.hint).toBe("did you mean 'name'?");
  });

  it.each([
    [
      "column",
      "models:\n  - name: orders\n    columns:\n      - name: status\n        descripton: The status.\n",
      "unknown key 'descripton' in column 'status'",
      "models[0].columns[0].descripton",
      "did you mean 'description'?",
    ],
    [
      "source",
      "sources:\n  - name: raw\n    tabels: [{name: orders}]\n",
      "unknown key 'tabels' in source 'raw'",
      "sources[0].tabels",
      "did you mean 'tables'?",
    ],
    [
      "source table",
      "sources:\n  - name: raw\n    tables:\n      - name: orders\n        identifer: orders_v2\n",
      "unknown key 'identifer' in source table 'orders'",
      "sources[0].tables[0].identifer",
      "did you mean 'identifier'?",
    ],
    [
      "source table column",
      "sources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n            test: [not_null]\n",
      "unknown key 'test' in column 'id'",
      "sources[0].tables[0].columns[0].test",
      "did you mean 'tests'?",
    ],
    [
      "freshness",
      "sources:\n  - name: raw\n    freshness:\n      warn_afer: {count: 1, period: day}\n    tables: [{name: orders}]\n",
      "unknown key 'warn_afer' in freshness",
      "sources[0].freshness.warn_afer",
      "did you mean 'warn_after'?",
    ],
    [
      "seed",
      "seeds:\n  - name: countries\n    colums: [{name: code}]\n",
      "unknown key 'colums' in seed 'countries'",
      "seeds[0].colums",
      "did you mean 'columns'?",
    ],
    [
      "property file",
      "modles:\n  - name: orders\n",
      "unknown key 'modles' in a property file",
      "modles",
      "did you mean 'models'?",
    ],
    [
      "model config",
      "models:\n  - name: orders\n    config:\n      materialised: table\n",
      "unknown key 'materialised' in model config",
      "models[0].config.materialised",
      "did you mean 'materialized'?",
    ],
    [
      "seed config (a model-only key)",
      "seeds:\n  - name: countries\n    config: {unique_key: code}\n",
      "unknown key 'unique_key' in seed config",
      "seeds[0].config.unique_key",
      "custom keys go under meta:",
    ],
    [
      "test arguments",
      "models:\n  - name: orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values:\n              valuse: [paid]\n",
      "accepted_values does not take the argument 'valuse'",
      "models[0].columns[0].tests[0].accepted_values.valuse",
      "did you mean 'values'?",
    ],
    [
      "test arguments: a misspelled config key beside them",
      "models:\n  - name: orders\n    columns:\n      - name: status\n        tests:\n          - not_null:\n              severty: warn\n",
      "not_null does not take the argument 'severty'",
      "models[0].columns[0].tests[0].not_null.severty",
      "did you mean 'severity'?",
    ],
    [
      "test config",
      "models:\n  - name: orders\n    columns:\n      - name: status\n        tests:\n          - not_null:\n              config: {severty: warn}\n",
      "unknown key 'severty' in test config",
      "models[0].columns[0].tests[0].not_null.config.severty",
      "did you mean 'severity'?",
    ],
  ])("%s level", (_level, body, message, path, hint) => {
    const error = ymlError(`version: 2\n${body}`);
    expect(error.code).toBe("CONFIG");
    expect(error.message).toBe(`${message}.`);
    expect(error.location?.file).toBe("models/schema.yml");
    expect(error.location?.path).toBe(path);
    expect(error.location?.line).toBeGreaterThan(1);
    expect(error.hint).toContain(hint);
  });

  it("a key with no close match lists what the mapping takes", () => {
    const error = ymlError("version: 2\nmodels:\n  - name: orders\n    owner: data-team\n");
    expect(error.hint).toBe(
      "remove 'owner' (model 'orders' takes 'name', 'config', 'description', 'columns', 'tests', 'data_tests', 'meta', 'tags', 'constraints', 'versions', 'latest_version').",
    );
    const custom = ymlError("version: 2\nmodels:\n  - name: orders\n    config: {owner: data-team}\n");
    expect(custom.hint).toMatch(/^remove 'owner'; custom keys go under meta: \(model config takes /);
  });

  it("the project tree and {{config}} check config keys too", () => {
    const tree = errorOf(() =>
      loadFixture({
        ...MODEL,
        "floe_project.yml": "name: shop\nprofile: floe\nmodels:\n  shop:\n    +materialised: table\n",
      }),
    );
    expect(tree.message).toBe("unknown key 'materialised' in model config.");
    expect(tree.location).toMatchObject({
      file: "floe_project.yml",
      line: 5,
      path: "models.shop.+materialised",
    });
    expect(tree.hint).toBe("did you mean 'materialized'?");
    const template = errorOf(() =>
      loadFixture({ "models/a.sql": '\n{{config materialised="table"}}select 1' }),
    );
    expect(template.message).toBe("{{config}}: unknown key 'materialised' in model config.");
    expect(template.location).toMatchObject({ file: "models/a.sql", line: 2 });
    expect(template.hint).toBe("did you mean 'materialized'?");
  });
});

describe("a dbt key Floe does not support yet says so plainly", () => {
  it.each([
    ["semantic_models", "semantic_models:\n  - name: orders\n", "semantic_models", "a property file"],
    ["metrics", "metrics: []\n", "metrics", "a property file"],
    ["exposures", "exposures: []\n", "exposures", "a property file"],
    ["access", "models:\n  - name: orders\n    access: public\n", "access", "model 'orders'"],
    [
      "a unit test's fixture file",
      "unit_tests:\n  - name: t\n    model: orders\n    fixture: orders_fixture\n    expect: {rows: []}\n",
      "fixture",
      "unit test 't'",
    ],
    ["grants", "models:\n  - name: orders\n    config: {grants: {select: [bi]}}\n", "grants", "model config"],
    [
      "sql_header",
      "models:\n  - name: orders\n    config: {sql_header: 'set session x = 1'}\n",
      "sql_header",
      "model config",
    ],
    ["docs", "models:\n  - name: orders\n    docs: {show: false}\n", "docs", "model 'orders'"],
    ["loader", "sources:\n  - name: raw\n    loader: fivetran\n    tables: []\n", "loader", "source 'raw'"],
  ])("%s", (_name, body, key, where) => {
    const error = ymlError(`version: 2\n${body}`);
    expect(error.code).toBe("CONFIG");
    expect(error.message).toBe(`dbt's \`${key}\` is not supported by Floe yet (in ${where}).`);
    expect(error.location?.file).toBe("models/schema.yml");
    expect(error.location?.path).toMatch(new RegExp(`${key.replace("-", "\\-")}$`));
    expect(error.hint).toMatch(new RegExp(`^remove \`${key}\``));
  });

  it("points at the key of a block value, not the block", () => {
    const error = ymlError(
      "version: 2\nmodels:\n  - name: orders\n    config:\n      grants:\n        select: [bi]\n",
    );
    expect(error.location).toMatchObject({ line: 5, column: 7, path: "models[0].config.grants" });
  });

  it("at the top of floe_project.yml", () => {
    const error = errorOf(() =>
      loadFixture({
        ...MODEL,
        "floe_project.yml": "name: shop\nprofile: floe\ndispatch: []\n",
      }),
    );
    expect(error.message).toBe("dbt's `dispatch` is not supported by Floe yet (in floe_project.yml).");
    expect(error.location).toMatchObject({ file: "floe_project.yml", line: 3, path: "dispatch" });
    const version = errorOf(() =>
      loadFixture({
        ...MODEL,
        "floe_project.yml": "name: shop\nprofile: floe\nrequire-dbt-version: '>=1.8'\n",
      }),
    );
    expect(version.hint).toBe("remove `require-dbt-version`; use require-floe-version.");
  });

  it("in the project tree and in {{config}}", () => {
    const tree = errorOf(() =>
      loadFixture({
        ...MODEL,
        "floe_project.yml": "name: shop\nprofile: floe\nmodels:\n  +sql_header: 'set x'\n",
      }),
    );
    expect(tree.message).toBe("dbt's `sql_header` is not supported by Floe yet (in model config).");
    expect(tree.location?.path).toBe("models.+sql_header");
    const template = errorOf(() =>
      loadFixture({ "models/a.sql": '{{config view_security="invoker"}}select 1' }),
    );
    expect(template.message).toBe(
      "{{config}}: dbt's `view_security` is not supported by Floe yet (in model config).",
    );
  });
});

describe("what strict yml accepts", () => {
  it("the shop project (models/, tests/, floe_project.yml) parses", () => {
    const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
    const project = loadProject({ projectDir: repo, env: {} });
    expect(Object.keys(project.manifest.nodes).length).toBeGreaterThan(100);
    expect(Object.keys(project.manifest.sources)).toContain("source.shop.raw.orders");
  });

  it("model tags and meta beside config:, a column's config:, a source's config:", () => {
    const project = loadFixture({
      ...MODEL,
      "models/schema.yml": [
        "version: 2",
        "models:",
        "  - name: orders",
        "    tags: [finance]",
        "    meta: {owner: a, tier: 1}",
        "    config: {tags: [daily], meta: {owner: b}, persist_docs: {relation: true}}",
        "    columns:",
        "      - name: order_id",
        "        meta: {pii: false}",
        "        config: {tags: [key], meta: {pii: true}}",
        "sources:",
        "  - name: raw",
        "    tags: [raw]",
        "    config: {meta: {team: ingest}, loaded_at_field: _ingested_at}",
        "    tables:",
        "      - name: events",
        "        tags: events",
        "        config: {freshness: {warn_after: {count: 1, period: day}}}",
        "",
      ].join("\n"),
    });
    const node = project.manifest.nodes["model.shop.orders"];
    expect(node?.resource_type === "model" && node.config).toMatchObject({
      tags: ["finance", "daily"],
      meta: { owner: "b", tier: 1 },
      persist_docs: { relation: true },
    });
    expect(node?.resource_type === "model" && node.columns.order_id).toMatchObject({
      meta: { pii: true },
      tags: ["key"],
    });
    const source = project.manifest.sources["source.shop.raw.events"];
    expect(source).toMatchObject({
      tags: ["raw", "events"],
      loaded_at_field: "_ingested_at",
      freshness: { warn_after: { count: 1, period: "day" } },
      config: { meta: { team: "ingest" } },
    });
  });

  it("custom generic tests take any argument", () => {
    const project = loadFixture({
      ...MODEL,
      "tests/generic/is_positive.sql": "select * from {{model}} where {{column_name}} < {{floor}}",
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: order_id\n        tests: [{is_positive: {floor: 0}}]\n",
    });
    expect(Object.keys(project.manifest.nodes).some((id) => id.includes("is_positive"))).toBe(true);
  });
});
