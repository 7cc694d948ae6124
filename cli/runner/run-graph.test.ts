import { describe, expect, it } from "vitest";
import { loadFixture } from "../testing/project-fixture.js";
import { buildRunGraph } from "./run-graph.js";

const project = loadFixture({
  "seeds/raw_orders.csv": "id,customer_id\n1,1\n",
  "models/stg_orders.sql": 'select * from {{ref "raw_orders"}}\n',
  "models/eph.sql": '{{config materialized="ephemeral"}}\nselect * from {{ref "stg_orders"}}\n',
  "models/fct_orders.sql": 'select * from {{ref "eph"}}\n',
  "models/other.sql": "select 1 as x\n",
  "models/schema.yml":
    "version: 2\nmodels:\n  - name: stg_orders\n    columns:\n      - name: id\n        tests: [not_null]\n  - name: fct_orders\n    columns:\n      - name: customer_id\n        tests:\n          - relationships: {to: stg_orders, field: customer_id}\n",
});
const all = new Set(Object.keys(project.manifest.nodes));
const short = (id: string) =>
  id
    .split(".")
    .slice(-1)[0]!
    .replace(/_[0-9a-f]{6,}$/, "");

describe("buildRunGraph", () => {
  it("build: seeds, models, tests; each test right after what it tests; children wait for tests", () => {
    const graph = buildRunGraph(project.manifest, all, "build");
    expect(graph.order.map(short)).toEqual([
      "other",
      "raw_orders",
      "stg_orders",
      "not_null_stg_orders_id",
      "fct_orders",
      "relationships_fct_orders_customer_id__stg_orders__customer_id",
    ]);
    const deps = (name: string) =>
      (graph.dependsOn.get([...all].find((id) => id.endsWith(`.${name}`))!) ?? []).map(short).sort();
    // fct_orders reads stg_orders through the ephemeral model, and waits for stg_orders' not_null test;
    // not for the relationships test, which itself depends on fct_orders.
    expect(deps("fct_orders")).toEqual(["not_null_stg_orders_id", "stg_orders"].sort());
    expect(graph.order.some((id) => id.endsWith(".eph"))).toBe(false);
  });

  it("run: only models; dependencies pass through unselected nodes", () => {
    const selected = new Set(
      [...all].filter(
        (id) => id.endsWith(".fct_orders") || id.endsWith(".raw_orders") || id.startsWith("seed."),
      ),
    );
    const graph = buildRunGraph(
      project.manifest,
      new Set([...selected, ...[...all].filter((id) => id.endsWith(".stg_orders"))]),
      "run",
    );
    expect(graph.order.map(short)).toEqual(["stg_orders", "fct_orders"]);
    const onlyFct = buildRunGraph(
      project.manifest,
      new Set([...all].filter((id) => id.endsWith(".fct_orders"))),
      "run",
    );
    expect([...onlyFct.dependsOn.values()]).toEqual([[]]);
  });

  it("retry: a child waits for the test of a parent that is not re-run", () => {
    const testId = [...all].find((id) => id.startsWith("test.") && id.includes("not_null"))!;
    const fct = [...all].find((id) => id.endsWith(".fct_orders"))!;
    const graph = buildRunGraph(project.manifest, new Set([testId, fct]), "build");
    expect(graph.dependsOn.get(fct)).toEqual([testId]);
  });
});

describe("unit tests in the run graph", () => {
  const withUnit = loadFixture({
    "models/stg.sql": "select 1 as id\n",
    "models/fct.sql": 'select * from {{ref "stg"}}\n',
    "models/mart.sql": 'select * from {{ref "fct"}}\n',
    "models/unit.yml":
      "version: 2\nunit_tests:\n  - name: u1\n    model: fct\n    expect: {rows: [{id: 1}]}\n  - name: u2\n    model: fct\n    expect: {rows: [{id: 1}]}\n",
  });
  const everything = new Set([
    ...Object.keys(withUnit.manifest.nodes),
    ...Object.keys(withUnit.manifest.unit_tests),
  ]);

  it("build: a model's unit tests run right before it, wait for nothing, and the model waits for them", () => {
    const graph = buildRunGraph(withUnit.manifest, everything, "build");
    expect(graph.order.map(short)).toEqual(["stg", "u1", "u2", "fct", "mart"]);
    expect(graph.dependsOn.get("unit_test.shop.fct.u1")).toEqual([]);
    expect([...(graph.dependsOn.get("model.shop.fct") ?? [])].sort()).toEqual([
      "model.shop.stg",
      "unit_test.shop.fct.u1",
      "unit_test.shop.fct.u2",
    ]);
  });

  it("test runs unit tests (first) with the data tests; run leaves them out", () => {
    expect(buildRunGraph(withUnit.manifest, everything, "test").order.map(short)).toEqual(["u1", "u2"]);
    expect(buildRunGraph(withUnit.manifest, everything, "run").order.map(short)).toEqual([
      "stg",
      "fct",
      "mart",
    ]);
  });
});
