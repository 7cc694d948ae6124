import { describe, expect, it } from "vitest";
import { loadProject, renderNode } from "../compile/compile.js";
import { errorOf, loadFixture, writeProject } from "../testing/project-fixture.js";

/** Every error names the file (and line where known) and says how to fix it. */
describe("project errors", () => {
  it("a missing ref names the file, position and closest model", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/stg_orders.sql": "select 1",
        "models/fct.sql": 'select *\nfrom {{ref "stg_order"}}',
      }),
    );
    expect(error.message).toBe("'fct' refers to 'stg_order', which is not a model or seed.");
    expect(error.location).toMatchObject({ file: "models/fct.sql", line: 2, column: 6 });
    expect(error.hint).toBe('did you mean {{ref "stg_orders"}}?');
  });

  it("a missing source suggests the closest declared one", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/s.yml": "version: 2\nsources:\n  - name: raw\n    tables: [{name: orders}]\n",
        "models/a.sql": 'select * from {{source "raw" "order"}}',
      }),
    );
    expect(error.location?.file).toBe("models/a.sql");
    expect(error.hint).toContain('{{source "raw" "orders"}}');
  });

  it("a cycle prints its path and files", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/a.sql": 'select * from {{ref "c"}}',
        "models/b.sql": 'select * from {{ref "a"}}',
        "models/c.sql": 'select * from {{ref "b"}}',
      }),
    );
    expect(error.message).toContain("cycle: a → b → c → a (each feeds the next;");
    expect(error.message).toContain("models/a.sql");
    expect(error.hint).toContain("remove one of these refs");
  });

  it("duplicate names name both paths", () => {
    const error = errorOf(() =>
      loadFixture({ "models/x/orders.sql": "select 1", "models/y/orders.sql": "select 2" }),
    );
    expect(error.message).toBe(
      "two resources are named 'orders': models/x/orders.sql and models/y/orders.sql.",
    );
    expect(error.hint).toContain("rename one");
    const seed = errorOf(() =>
      loadFixture({ "models/orders.sql": "select 1", "seeds/orders.csv": "id\n1\n" }),
    );
    expect(seed.message).toContain("models/orders.sql and seeds/orders.csv");
    const macro = errorOf(() => loadFixture({ "macros/a/m.sql": "1", "macros/b/m.sql": "2" }));
    expect(macro.message).toContain("macros/a/m.sql and macros/b/m.sql");
  });

  it("bad YAML gives the file, line and path", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/a.sql": "select 1",
        "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    config:\n      materialized: tabel\n",
      }),
    );
    expect(error.location).toMatchObject({
      file: "models/schema.yml",
      line: 5,
      path: "models[0].config.materialized",
    });
    expect(error.message).toContain("materialized must be one of view, table, incremental, ephemeral");
    expect(error.hint).toBe("use one of view, table, incremental, ephemeral, materialized_view.");
    const syntax = errorOf(() => loadFixture({ "models/schema.yml": "models: [\n" }));
    expect(syntax.location?.file).toBe("models/schema.yml");
    expect(syntax.message).toContain("invalid YAML");
  });

  it("a bad {{config}} value points at the call", () => {
    const error = errorOf(() =>
      loadFixture({ "models/a.sql": '\n\n  {{config materialized="tabel"}}select 1' }),
    );
    expect(error.location).toMatchObject({ file: "models/a.sql", line: 3, column: 3 });
    expect(error.hint).toContain("use one of view, table");
  });

  it("a bad project-file config names the tree path", () => {
    const error = errorOf(() =>
      loadFixture({
        "floe_project.yml":
          "name: shop\nprofile: floe\nmodels:\n  shop:\n    staging:\n      +on_schema_change: explode\n",
        "models/staging/a.sql": "select 1",
      }),
    );
    expect(error.location).toMatchObject({
      file: "floe_project.yml",
      line: 6,
      path: "models.shop.staging.+on_schema_change",
    });
  });

  it("an unknown project key suggests the right one", () => {
    const error = errorOf(() =>
      loadFixture({ "floe_project.yml": "name: shop\nprofile: floe\nmodel_paths: [models]\n" }),
    );
    expect(error.location?.file).toBe("floe_project.yml");
    expect(error.hint).toBe("did you mean 'model-paths'?");
  });

  it("incremental merge without unique_key", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/a.sql": '{{config materialized="incremental" incremental_strategy="merge"}}select 1',
      }),
    );
    expect(error.location?.file).toBe("models/a.sql");
    expect(error.hint).toContain("unique_key");
  });

  it("a template syntax error gives file:line:column", () => {
    const error = errorOf(() => loadFixture({ "models/a.sql": "select 1\nfrom {{ref 'b'\n" }));
    expect(error.location).toMatchObject({ file: "models/a.sql", line: 2, column: 6 });
    expect(error.hint).toBeTruthy();
  });

  it("an unknown helper names the helper at render time", () => {
    const project = loadFixture({ "models/a.sql": "select {{surrogate_key 'a'}}" });
    const error = errorOf(() => renderNode(project, "model.shop.a"));
    expect(error.message).toBe("unknown helper 'surrogate_key'.");
    expect(error.location).toMatchObject({ file: "models/a.sql", line: 1, column: 8 });
  });

  it("a missing var names the variable and how to set it", () => {
    const project = loadFixture({ "models/a.sql": 'select {{var "start"}}' });
    const error = errorOf(() => renderNode(project, "model.shop.a"));
    expect(error.message).toBe("variable 'start' is not defined.");
    expect(error.hint).toContain("--vars");
    expect(error.location?.file).toBe("models/a.sql");
  });

  it("non-UTF-8 and empty files are reported by path", () => {
    const latin1 = errorOf(() =>
      loadFixture({ "models/a.sql": Buffer.from([0x73, 0x65, 0x6c, 0xe9, 0x0a]) }),
    );
    expect(latin1.message).toBe("models/a.sql is not valid UTF-8 text.");
    expect(latin1.hint).toContain("UTF-8");
    const empty = errorOf(() => loadFixture({ "models/b.sql": "  \n" }));
    expect(empty.message).toBe("models/b.sql is empty.");
    expect(empty.location?.file).toBe("models/b.sql");
  });

  it("a missing profile, target or project file says what to do", () => {
    const profile = errorOf(() => loadFixture({ "floe_project.yml": "name: shop\nprofile: flow\n" }));
    expect(profile.location?.file).toBe("profiles.yml");
    expect(profile.hint).toContain("did you mean 'floe'?");
    const target = errorOf(() => loadFixture({}, { target: "prd" }));
    expect(target.message).toContain("target 'prd' is not defined");
    const port = errorOf(() =>
      loadFixture({
        "profiles.yml":
          "floe:\n  target: dev\n  outputs:\n    dev: {type: trino, host: h, port: abc, user: u, catalog: c, schema: s}\n",
      }),
    );
    expect(port.location).toMatchObject({ file: "profiles.yml", line: 4, path: "floe.outputs.dev.port" });
    const none = errorOf(() => loadProject({ projectDir: "/nonexistent-floe", env: {} }));
    expect(none.hint).toContain("floe init");
  });

  it("profiles render {{env}} and --target picks another output", () => {
    const dir = writeProject({
      "profiles.yml":
        'floe:\n  target: dev\n  outputs:\n    dev:\n      type: trino\n      host: h\n      port: \'{{env "P" "8080"}}\'\n      user: u\n      catalog: \'{{env "CAT" "iceberg"}}\'\n      schema: s\n',
      "models/a.sql": "select 1",
    });
    const project = loadProject({ projectDir: dir, env: { CAT: "lake" } });
    expect(project.target).toMatchObject({ port: 8080, catalog: "lake", threads: 4, http_scheme: "http" });
    expect(
      project.manifest.nodes["model.shop.a"]?.resource_type === "model" &&
        project.manifest.nodes["model.shop.a"].relation.catalog,
    ).toBe("lake");
  });

  it("auth: jwt takes its token from the environment; an empty token is a config error", () => {
    const profiles = (token: string) => ({
      "profiles.yml": `floe:\n  target: dev\n  outputs:\n    dev:\n      type: trino\n      host: h\n      user: u\n      catalog: c\n      schema: s\n      auth: {method: jwt, token: '${token}'}\n`,
      "models/a.sql": "select 1",
    });
    const project = loadProject({
      projectDir: writeProject(profiles('{{env "JWT"}}')),
      env: { JWT: "t.o.k" },
    });
    expect(project.target.auth).toEqual({ method: "jwt", token: "t.o.k" });
    const empty = errorOf(() =>
      loadProject({ projectDir: writeProject(profiles('{{env "JWT" ""}}')), env: {} }),
    );
    expect(empty).toMatchObject({
      code: "CONFIG",
      location: { file: "profiles.yml", path: "floe.outputs.dev.auth.token" },
    });
    expect(empty.message).toContain("token is empty");
  });

  it("storage_endpoint and catalog_uri must be http(s) URLs; empty means not declared", () => {
    const profiles = (line: string) => ({
      "profiles.yml": `floe:\n  target: dev\n  outputs:\n    dev:\n      type: trino\n      host: h\n      user: u\n      catalog: c\n      schema: s\n      ${line}\n`,
      "models/a.sql": "select 1",
    });
    const bad = errorOf(() => loadFixture(profiles("storage_endpoint: 127.0.0.1:9000")));
    expect(bad).toMatchObject({ code: "CONFIG", location: { path: "floe.outputs.dev.storage_endpoint" } });
    expect(bad.message).toContain("e.g. http://127.0.0.1:9000");
    expect(loadFixture(profiles("catalog_uri: ''")).target.catalog_uri).toBe("");
    expect(loadFixture(profiles("catalog_uri: http://rest:8181")).target.catalog_uri).toBe(
      "http://rest:8181",
    );
  });

  it("a yml entry for a missing model is a warning with the closest name", () => {
    const project = loadFixture({
      "models/orders.sql": "select 1",
      "models/s.yml": "version: 2\nmodels:\n  - name: order\n",
    });
    expect(project.warnings[0]).toContain("'order' matches no model file (did you mean 'orders'?)");
  });

  it("a disabled model's yml entry and unit tests are off with it, without a warning", () => {
    const project = loadFixture({
      "models/orders.sql": '{{config enabled=(var "with_orders" false)}}\nselect 1 as id',
      "models/s.yml":
        "version: 2\nmodels:\n  - name: orders\nunit_tests:\n  - name: t\n    model: orders\n    expect: {rows: []}\n",
    });
    expect(project.warnings).toEqual([]);
    expect(Object.keys(project.manifest.unit_tests)).toEqual([]);
    expect(Object.values(project.manifest.nodes).map((n) => n.name)).not.toContain("orders");
  });
});

describe("config precedence: project tree < yml < {{config}}", () => {
  it("resolves and merges tags", () => {
    const project = loadFixture({
      "floe_project.yml":
        'name: shop\nprofile: floe\nmodels:\n  +tags: [all]\n  shop:\n    marts:\n      +materialized: table\n      +schema: marts\n      +partitioned_by: ["day(ts)", "bucket(id, 8)"]\n',
      "models/marts/a.sql": '{{config materialized="incremental" unique_key="id,ts" tags="x"}}select 1',
      "models/marts/b.sql": "select 1",
      "models/marts/s.yml":
        "version: 2\nmodels:\n  - name: a\n    config: {materialized: view, alias: aa, tags: [y]}\n",
    });
    const a = project.manifest.nodes["model.shop.a"];
    const b = project.manifest.nodes["model.shop.b"];
    expect(a?.resource_type === "model" && a.config).toMatchObject({
      materialized: "incremental",
      unique_key: ["id", "ts"],
      incremental_strategy: "merge",
      tags: ["all", "y", "x"],
      partitioned_by: ["day(ts)", "bucket(id, 8)"],
    });
    expect(a?.resource_type === "model" && a.relation).toEqual({
      catalog: "iceberg",
      schema: "analytics_marts",
      identifier: "aa",
    });
    expect(b?.resource_type === "model" && b.config.materialized).toBe("table");
  });
});
