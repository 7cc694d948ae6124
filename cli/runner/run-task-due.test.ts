import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { loadProject } from "../compile/compile.js";
import type { DueGate, DueVerdict } from "../due/due-gate.js";
import { dbtSchemaValidator } from "../testing/dbt-schema-validator.js";
import { fakeTrino } from "../testing/fake-trino.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import { runTask } from "./run-task.js";

const FILES = {
  "models/a.sql": '{{config materialized="table"}}\nselect 1 as id\n',
  "models/b.sql": '{{config materialized="table"}}\nselect * from {{ref "a"}}\n',
  "models/c.sql": '{{config materialized="table"}}\nselect 3 as id\n',
  "models/schema.yml":
    "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null]\n  - name: c\n    columns:\n      - name: id\n        tests: [not_null]\n",
};

/** A gate that skips the named models and records what it was told was built. */
function recordingGate(skip: ReadonlySet<string>): DueGate & { recorded: string[]; asked: string[] } {
  const recorded: string[] = [];
  const asked: string[] = [];
  return {
    recorded,
    asked,
    async decide(node) {
      asked.push(node.name);
      const verdict: DueVerdict = skip.has(node.name)
        ? { build: false, reason: `upstream unchanged: ${node.name} inputs = last seen` }
        : {
            build: true,
            reason: "no earlier --due build recorded",
            record: { built_at: "x", code: "c", upstream: {} },
          };
      return verdict;
    },
    built(node) {
      recorded.push(node.name);
    },
  };
}

describe("runTask with --due", () => {
  it("reports a skipped model with its reason, runs its downstream, skips its tests and records only builds", async () => {
    const dir = writeRunnerProject("fake_due", FILES);
    const project = loadProject({ projectDir: dir, env: {} });
    const gate = recordingGate(new Set(["a"]));
    const result = await runTask({
      project,
      selected: new Set(Object.keys(project.manifest.nodes)),
      kind: "build",
      args: {
        which: "build",
        full_refresh: false,
        store_failures: false,
        threads: 1,
        target: "dev",
        due: true,
      },
      connection: fakeTrino(),
      logger: { event: () => {} },
      threads: 1,
      fullRefresh: false,
      storeFailures: false,
      writeArtifact: (path, content) => writeFileAtomic(join(dir, path), content),
      readProjectFile: (path) => readFileSync(join(dir, path), "utf8"),
      due: gate,
    });
    expect(result.exitCode).toBe(0);
    const byName = new Map(result.results.map((r) => [r.displayName, r]));
    expect(byName.get("fake_due.a")).toMatchObject({
      status: "skipped",
      reused: true,
      message: "upstream unchanged: a inputs = last seen",
    });
    expect(byName.get("fake_due.b")?.status).toBe("success");
    expect(byName.get("fake_due.c")?.status).toBe("success");
    const tests = result.results.filter((r) => r.resourceType === "test");
    expect(tests.map((t) => [t.displayName, t.status, t.message]).sort()).toEqual([
      ["not_null_a_id", "skipped", "not run: a not rebuilt (--due)"],
      ["not_null_c_id", "pass", expect.any(String)],
    ]);
    expect(gate.asked.sort()).toEqual(["a", "b", "c"]);
    expect(gate.recorded.sort()).toEqual(["b", "c"]);
    // run_results.json (dbt's run-results v6): a skipped result with its reason, marked for `floe retry`.
    const written = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    expect(dbtSchemaValidator("run-results-v6.json")(written)).toEqual([]);
    expect(written.args.due).toBe(true);
    const a = written.results.find((r: { unique_id: string }) => r.unique_id === "model.shop.a");
    expect(a).toMatchObject({ status: "skipped", message: "upstream unchanged: a inputs = last seen" });
    expect(a.adapter_response.floe.reused).toBe(true);
  });
});
