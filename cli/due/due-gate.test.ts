import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import { type DueNode, dataInputs, dueCandidate } from "./due-candidate.js";
import { createDueGate } from "./due-gate.js";
import { DueStateFile, readDueState } from "./due-state.js";
import type { VersionReader } from "./upstream-versions.js";

const FILES = {
  "models/sources.yml":
    "version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables: [{name: orders}]\n",
  "models/stg_orders.sql": '{{config materialized="view"}}\nselect * from {{source "raw" "orders"}}\n',
  "models/dim_customers.sql": '{{config materialized="table"}}\nselect 1 as customer_id\n',
  "models/fct_orders.sql":
    '{{config materialized="table"}}\nselect * from {{ref "stg_orders"}} join {{ref "dim_customers"}} on true\n',
};

function fixture() {
  const project = loadFixture(FILES);
  const node = (name: string) => project.manifest.nodes[`model.shop.${name}`] as DueNode;
  return { project, node };
}

/** Versions from a map the test changes; every read is recorded. */
function fakeVersions(versions: Map<string, string>): VersionReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async versionOf(id) {
      reads.push(id);
      const version = versions.get(id);
      if (version === undefined) throw new Error(`no version for ${id}`);
      return version;
    },
  };
}

describe("dataInputs and dueCandidate", () => {
  it("looks through views to the sources and tables a model reads", () => {
    const { project, node } = fixture();
    expect(dataInputs(project.manifest, node("fct_orders"))).toEqual([
      "model.shop.dim_customers",
      "source.shop.raw.orders",
    ]);
    expect(dueCandidate(node("stg_orders")).kind).toBe("view");
    expect(dueCandidate(node("fct_orders"))).toMatchObject({ kind: "table", code: expect.any(String) });
  });

  it("reads freshness.build_after from any config level, the closest one winning", () => {
    const project = loadFixture({
      ...FILES,
      "floe_project.yml":
        "name: shop\nprofile: floe\nmodels:\n  +freshness: {build_after: {count: 1, period: day}}\n",
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: dim_customers\n    config:\n      freshness: {build_after: {count: 2, period: hour, updates_on: all}}\n",
      "models/fct_orders.sql":
        '{{config materialized="table" freshness=\'{"build_after": {"count": 10, "period": "minute"}}\'}}\nselect * from {{ref "stg_orders"}}\n',
    });
    const buildAfter = (name: string) =>
      dueCandidate(project.manifest.nodes[`model.shop.${name}`] as DueNode).buildAfter;
    expect(buildAfter("stg_orders")).toEqual({ count: 1, period: "day" });
    expect(buildAfter("dim_customers")).toEqual({ count: 2, period: "hour", updates_on: "all" });
    expect(buildAfter("fct_orders")).toEqual({ count: 10, period: "minute" });
  });

  it("rejects a bad freshness with the file, the key and the fix", () => {
    const bad = errorOf(() =>
      loadFixture({
        ...FILES,
        "models/schema.yml":
          "version: 2\nmodels:\n  - name: fct_orders\n    config:\n      freshness: {build_after: {count: 10, period: week}}\n",
      }),
    );
    expect(bad.message).toContain("build_after.period must be one of minute, hour, day");
    expect(bad.location?.file).toBe("models/schema.yml");
    const typo = errorOf(() =>
      loadFixture({
        ...FILES,
        "floe_project.yml":
          "name: shop\nprofile: floe\nmodels:\n  +freshness: {build_after: {count: 1, period: day, update_on: all}}\n",
      }),
    );
    expect(typo.message).toContain("unknown key 'update_on'");
    expect(typo.hint).toContain("updates_on");
  });
});

describe("the due gate", () => {
  it("builds, records the versions seen before the build, then skips until an input changes", async () => {
    const { project, node } = fixture();
    const path = join(mkdtempSync(join(tmpdir(), "floe-due-")), "target", "due_state.json");
    const versions = new Map([
      ["source.shop.raw.orders", "3 files, newest 12:00"],
      ["model.shop.dim_customers", "snapshot 1"],
    ]);
    let now = new Date("2026-12-06T12:00:00Z");
    const gate = () =>
      createDueGate({
        manifest: project.manifest,
        state: new DueStateFile(path),
        versions: fakeVersions(versions),
        now: () => now,
      });
    const exists = async () => true;

    const first = gate();
    const verdict = await first.decide(node("fct_orders"), exists);
    expect(verdict).toMatchObject({ build: true, reason: "no earlier --due build recorded" });
    first.built(node("fct_orders"), verdict);
    expect(JSON.parse(readFileSync(path, "utf8")).nodes["model.shop.fct_orders"]).toEqual({
      built_at: "2026-12-06T12:00:00.000Z",
      code: dueCandidate(node("fct_orders")).code,
      upstream: {
        "model.shop.dim_customers": "snapshot 1",
        "source.shop.raw.orders": "3 files, newest 12:00",
      },
    });

    now = new Date("2026-12-06T12:05:00Z");
    expect(await gate().decide(node("fct_orders"), exists)).toMatchObject({
      build: false,
      reason:
        "upstream unchanged: dim_customers snapshot 1 = last seen; raw.orders 3 files, newest 12:00 = last seen",
    });
    versions.set("source.shop.raw.orders", "4 files, newest 12:04");
    expect(await gate().decide(node("fct_orders"), exists)).toMatchObject({
      build: true,
      reason: "upstream changed: raw.orders 3 files, newest 12:00 → 4 files, newest 12:04",
    });
  });

  it("reads no versions for a view, and builds without recording when an input cannot be read", async () => {
    const { project, node } = fixture();
    const path = join(mkdtempSync(join(tmpdir(), "floe-due-")), "due_state.json");
    const reader = fakeVersions(new Map());
    const gate = createDueGate({
      manifest: project.manifest,
      state: new DueStateFile(path),
      versions: reader,
    });
    await gate.decide(node("stg_orders"), async () => true);
    expect(reader.reads).toEqual([]);
    const verdict = await gate.decide(node("fct_orders"), async () => true);
    expect(verdict.build).toBe(true);
    expect(verdict.reason).toMatch(/^building: its inputs' versions could not be read \(no version for/);
    gate.built(node("fct_orders"), verdict);
    expect(readDueState(path).nodes).toEqual({});
  });
});

describe("the due state file", () => {
  it("is empty when missing and names the file and the fix when it is not a state file", () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-due-"));
    expect(readDueState(join(dir, "none.json"))).toEqual({ version: 1, nodes: {} });
    const path = join(dir, "due_state.json");
    writeFileSync(
      path,
      '{"version": 1, "nodes": {"model.shop.a": {"built_at": "yesterday", "code": "c", "upstream": {}}}}',
    );
    const error = errorOf(() => readDueState(path));
    expect(error.code).toBe("DUE_STATE_INVALID");
    expect(error.message).toContain(`${path} is not a --due state file: nodes.model.shop.a.built_at`);
    expect(error.hint).toContain(`delete ${path}`);
    writeFileSync(path, "{");
    expect(errorOf(() => readDueState(path)).message).toContain("is not valid JSON");
  });
});
