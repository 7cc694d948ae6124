import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { loadProject } from "../compile/compile.js";
import type { NodeResult } from "../log/events.js";
import { main } from "../main.js";
import type { Manifest } from "../manifest/manifest.js";
import { runTask } from "../runner/run-task.js";
import { dbtSchemaValidator as validator } from "../testing/dbt-schema-validator.js";
import { fakeTrino } from "../testing/fake-trino.js";
import { recordingIO } from "../testing/recording-io.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import {
  DBT_MANIFEST_SCHEMA_URL,
  fromDbtManifest,
  toDbtManifest,
  writeDbtManifestJson,
} from "./dbt-manifest.js";
import { DBT_RUN_RESULTS_SCHEMA_URL, runResultsJson } from "./run-results.js";

/**
 * Floe's manifest.json and run_results.json against dbt's published JSON schemas (manifest v12, run-results
 * v6; copies in fixtures/dbt-schemas/, see its README): every field Floe writes must be one dbt tooling
 * accepts. And the manifest still round-trips, since `--state` reads it back.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const SHOP_EXTRAS = {
  // Everything the shop lacks: a seed with column types, a singular test, an ephemeral, a freshness.
  "seeds/countries.csv": "code,name\nDE,Germany\n",
  "seeds/schema.yml":
    "version: 2\nseeds:\n  - name: countries\n    config: {column_types: {code: varchar(2)}}\n    columns:\n      - name: code\n        tests: [unique]\n",
  "models/eph.sql": '{{config materialized="ephemeral"}}\nselect * from {{ref "countries"}}\n',
  // A model's freshness.build_after (--due) is dbt's own config key.
  "models/by_code.sql":
    '{{config materialized="table" tags=["nightly"] freshness=\'{"build_after": {"count": 1, "period": "hour"}}\'}}\nselect * from {{ref "eph"}}\n',
  "models/sources.yml":
    "version: 2\nsources:\n  - name: raw\n    catalog: hive\n    loaded_at_field: _ingested_at\n    freshness: {warn_after: {count: 1, period: hour}}\n    tables:\n      - name: orders\n        columns:\n          - name: id\n            data_type: bigint\n            tests: [not_null]\n",
  "models/from_raw.sql": 'select id from {{source "raw" "orders"}}\n',
  "tests/no_rows.sql": 'select * from {{ref "by_code"}} where false\n',
};

describe("manifest.json against dbt's manifest v12 schema", () => {
  const validate = validator("manifest-v12.json");

  it("the shop's manifest validates, and round-trips to the in-memory manifest", () => {
    const project = loadProject({ projectDir: repo, env: process.env });
    expect(Object.keys(project.manifest.nodes).length).toBeGreaterThan(10);
    const written = JSON.parse(JSON.stringify(toDbtManifest(project.manifest)));
    expect(written.metadata.dbt_schema_version).toBe(DBT_MANIFEST_SCHEMA_URL);
    expect(validate(written)).toEqual([]);
    expect(fromDbtManifest(written)).toEqual(JSON.parse(JSON.stringify(project.manifest)));
  });

  it("a project with seeds, ephemerals, singular tests and source freshness validates too", () => {
    const dir = writeRunnerProject("s", SHOP_EXTRAS);
    const project = loadProject({ projectDir: dir, env: {} });
    const written = JSON.parse(JSON.stringify(toDbtManifest(project.manifest)));
    const kinds = new Set(
      Object.values(written.nodes).map((n) => (n as { resource_type: string }).resource_type),
    );
    expect([...kinds].sort()).toEqual(["model", "seed", "test"]);
    expect(validate(written)).toEqual([]);
    expect(written.nodes["model.shop.eph"].relation_name).toBeNull();
    expect(written.nodes["model.shop.by_code"].config.freshness).toEqual({
      build_after: { count: 1, period: "hour" },
    });
    expect(written.sources["source.shop.raw.orders"]).toMatchObject({
      name: "orders",
      source_name: "raw",
      identifier: "orders",
      relation_name: '"hive"."raw"."orders"',
    });
    expect(fromDbtManifest(written)).toEqual(JSON.parse(JSON.stringify(project.manifest)));
  });

  it("the file `floe compile` writes validates and names dbt's schema", async () => {
    const dir = writeRunnerProject("s", SHOP_EXTRAS);
    const io = recordingIO({ env: {} });
    expect(await main(["node", "floe", "compile", "--project-dir", dir], io)).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, "target/manifest.json"), "utf8"));
    expect(written.metadata.dbt_schema_version).toBe(DBT_MANIFEST_SCHEMA_URL);
    expect(validate(written)).toEqual([]);
  });

  it("model versions, contracts with constraints and unit tests validate, and round-trip", () => {
    const dir = writeRunnerProject("s", {
      "models/dim.sql":
        "{{config materialized=\"table\"}}\nselect cast(1 as bigint) as id, 'paid' as status\n",
      "models/dim_v2.sql": '{{config materialized="table"}}\nselect cast(1 as bigint) as id\n',
      "models/reader.sql": 'select * from {{ref "dim" v=1}}\n',
      "models/dim.yml": `version: 2
models:
  - name: dim
    config: {contract: {enforced: true}}
    latest_version: 2
    columns:
      - {name: id, data_type: bigint, constraints: [{type: not_null}]}
    versions:
      - v: 1
        defined_in: dim
        columns:
          - {name: id, data_type: bigint}
          - {name: status, data_type: varchar}
      - v: 2
unit_tests:
  - name: reads_v1
    model: reader
    given:
      - input: ref('dim', v=1)
        rows: [{id: 1, status: paid}]
    expect:
      format: csv
      rows: |
        id,status
        1,paid
`,
    });
    const manifest = loadProject({ projectDir: dir, env: {} }).manifest;
    const written = JSON.parse(JSON.stringify(toDbtManifest(manifest)));
    expect(Object.keys(written.unit_tests)).toEqual(["unit_test.shop.reader.reads_v1"]);
    expect(written.nodes["model.shop.dim.v2"]).toMatchObject({ version: 2, latest_version: 2 });
    expect(validate(written)).toEqual([]);
    expect(fromDbtManifest(written)).toEqual(JSON.parse(JSON.stringify(manifest)));
  });

  it("the manifest written in pieces is the whole manifest's JSON, byte for byte", () => {
    // The shop: sources, macros, snapshots, unit tests, docs; the extras: a seed (its depends_on is rewritten).
    const shop = loadProject({ projectDir: repo, env: process.env }).manifest;
    const extras = loadProject({ projectDir: writeRunnerProject("s", SHOP_EXTRAS), env: {} }).manifest;
    const [firstId, first] = Object.entries(extras.nodes)[0] ?? [];
    const manifests = [
      shop,
      extras,
      { ...shop, nodes: {}, sources: {}, macros: {}, unit_tests: {}, parent_map: {}, child_map: {} },
      // A node with a key of its own where dbt's derived one goes: written as the copy writes it.
      { ...extras, nodes: { ...extras.nodes, [String(firstId)]: { ...first, schema: "own", meta: 1 } } },
    ] as Manifest[];
    for (const manifest of manifests) {
      const pieces: string[] = [];
      writeDbtManifestJson(manifest, (piece) => pieces.push(piece));
      expect(pieces.join("")).toBe(JSON.stringify(toDbtManifest(manifest)));
      // One piece per entry: never the whole manifest at once.
      if (Object.keys(manifest.nodes).length > 0)
        expect(pieces.length).toBeGreaterThan(Object.keys(manifest.nodes).length);
    }
  });

  it("catches what dbt forbids: a Floe-only key at the top of a node fails validation", () => {
    const dir = writeRunnerProject("s", SHOP_EXTRAS);
    const written = JSON.parse(
      JSON.stringify(toDbtManifest(loadProject({ projectDir: dir, env: {} }).manifest)),
    );
    written.nodes["model.shop.by_code"].fingerprint = { body: "x" };
    expect(validate(written).join("\n")).toContain("must NOT have additional properties");
  });
});

describe("run_results.json against dbt's run-results v6 schema", () => {
  const validate = validator("run-results-v6.json");

  it("a real run's results (success, error, skipped, pass) validate", async () => {
    const dir = writeRunnerProject("fake_rr", {
      "models/a.sql": '{{config materialized="table"}}\nselect 1 as id\n',
      "models/broken.sql": '{{config materialized="table"}}\nselect 2 as id -- broken\n',
      "models/after_broken.sql": 'select * from {{ref "broken"}}\n',
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null]\n",
    });
    const project = loadProject({ projectDir: dir, env: {} });
    const result = await runTask({
      project,
      selected: new Set(Object.keys(project.manifest.nodes)),
      kind: "build",
      args: { which: "build", full_refresh: false, store_failures: false, threads: 1, target: "dev" },
      connection: fakeTrino(undefined, /-- broken/),
      logger: { event: () => undefined },
      threads: 1,
      fullRefresh: false,
      storeFailures: false,
      writeArtifact: (path, content) => writeFileAtomic(join(dir, path), content),
      readProjectFile: (path) => readFileSync(join(dir, path), "utf8"),
    });
    expect(result.results.map((r) => r.status).sort()).toEqual(["error", "pass", "skipped", "success"]);
    const written = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    expect(written.metadata.dbt_schema_version).toBe(DBT_RUN_RESULTS_SCHEMA_URL);
    expect(validate(written)).toEqual([]);
    const broken = written.results.find((r: { unique_id: string }) => r.unique_id === "model.shop.broken");
    expect(broken.adapter_response.floe.error.code).toBeDefined();
  });

  it("warn and fail results with failures and a sample validate", () => {
    const base: NodeResult = {
      uniqueId: "test.shop.t",
      resourceType: "test",
      displayName: "t",
      description: "test",
      status: "warn",
      message: "2 failing rows.",
      startedAt: "2026-12-06T00:00:00.000Z",
      completedAt: "2026-12-06T00:00:01.000Z",
      executionTime: 1,
      trinoMillis: 900,
      failures: 2,
      queryIds: ["q1"],
      compiledPath: "target/compiled/shop/models/schema.yml/t.sql",
      sample: { columns: ["id"], rows: [[1], [2]] },
      threadId: "Thread-1",
    };
    const json = runResultsJson(
      [
        base,
        { ...base, status: "fail", errorCode: "X", location: "a.yml", hint: "fix it" },
        // A microbatch model with a failed batch: dbt 1.9's batch_results on the result.
        {
          ...base,
          uniqueId: "model.shop.daily",
          resourceType: "model",
          status: "error",
          batchResults: {
            successful: [["2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"]],
            failed: [["2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"]],
          },
        },
      ],
      { which: "test", full_refresh: false, store_failures: false, threads: 1, target: "dev" },
      1.5,
      "2026-12-06T00:00:02.000Z",
    );
    expect(validate(json)).toEqual([]);
    expect((json as { results: { batch_results?: unknown }[] }).results[2]?.batch_results).toEqual({
      successful: [["2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"]],
      failed: [["2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"]],
    });
  });
});
