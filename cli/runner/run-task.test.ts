import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { loadProject } from "../compile/compile.js";
import type { RunEvent } from "../log/events.js";
import { fakeTrino } from "../testing/fake-trino.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import { runTask } from "./run-task.js";

const FILES = {
  "models/a.sql": '{{config materialized="table"}}\nselect 1 as id\n',
  "models/b.sql": 'select * from {{ref "a"}}\n',
  "models/slow.sql": '{{config materialized="table"}}\nselect 2 as id -- slow\n',
  "models/after_slow.sql": 'select * from {{ref "slow"}}\n',
};

async function run(dir: string, connection: TrinoConnection, signal?: AbortSignal) {
  const project = loadProject({ projectDir: dir, env: {} });
  const events: RunEvent[] = [];
  const result = await runTask({
    project,
    selected: new Set(Object.keys(project.manifest.nodes)),
    kind: "run",
    args: { which: "run", full_refresh: false, store_failures: false, threads: 2, target: "dev" },
    connection,
    logger: { event: (e) => events.push(e) },
    ...(signal ? { signal } : {}),
    threads: 2,
    fullRefresh: false,
    storeFailures: false,
    writeArtifact: (path, content) => writeFileAtomic(join(dir, path), content),
    readProjectFile: (path) => readFileSync(join(dir, path), "utf8"),
  });
  return { result, events };
}

describe("runTask", () => {
  it("plans each model against the prefetched warehouse state and writes compiled/run SQL and run_results", async () => {
    const dir = writeRunnerProject("fake_s", FILES);
    const trino = fakeTrino();
    const { result, events } = await run(dir, trino);
    expect(result.exitCode).toBe(0);
    expect(result.results.map((r) => [r.displayName, r.status, r.rowsAffected])).toEqual([
      ["fake_s.a", "success", 3],
      ["fake_s.slow", "success", 3],
      ["fake_s.after_slow", "success", undefined],
      ["fake_s.b", "success", undefined],
    ]);
    // One metadata prefetch for the whole run, one CREATE SCHEMA for all nodes.
    expect(trino.sql.filter((s) => s.includes("information_schema")).length).toBe(2);
    // Each node's statements lead with a comment naming it, so Trino's UI shows which model ran.
    expect(trino.sql.find((s) => s.includes('VIEW "iceberg"."fake_s"."b"'))).toMatch(
      /^\/\* floe node_id: model\.shop\.b \*\/\nCREATE OR REPLACE VIEW/,
    );
    const statements = trino.sql.map((s) => s.replace(/^\/\* floe node_id: [\w.]+ \*\/\n/, ""));
    expect(statements.filter((s) => s.startsWith("CREATE SCHEMA"))).toEqual([
      `CREATE SCHEMA IF NOT EXISTS "iceberg"."fake_s" WITH (location = 's3://warehouse/fake_s')`,
    ]);
    expect(readFileSync(join(dir, "target/run/shop/models/b.sql"), "utf8")).toContain(
      'CREATE OR REPLACE VIEW "iceberg"."fake_s"."b" AS',
    );
    expect(existsSync(join(dir, "target/compiled/shop/models/b.sql"))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    expect(json.results[0]).toMatchObject({
      unique_id: "model.shop.a",
      status: "success",
      thread_id: "Thread-1",
      adapter_response: {
        rows_affected: 3,
        floe: {
          compiled_path: "target/compiled/shop/models/a.sql",
          run_path: "target/run/shop/models/a.sql",
        },
      },
    });
    expect(events.map((e) => e.code).filter((c) => c === "NODE_STARTED")).toHaveLength(4);
  });

  it("on Ctrl-C: the running query is cancelled, the rest skipped, partial run_results written", async () => {
    const dir = writeRunnerProject("fake_c", FILES);
    const controller = new AbortController();
    const trino = fakeTrino(/-- slow/);
    const pending = run(dir, trino, controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const { result } = await pending;
    expect(result.cancelled).toBe(true);
    expect(result.exitCode).toBe(130);
    const byName = Object.fromEntries(result.results.map((r) => [r.displayName, r]));
    expect(byName["fake_c.slow"]?.status).toBe("error");
    expect(byName["fake_c.slow"]?.message).toMatch(/Cancelled/);
    expect(byName["fake_c.after_slow"]?.status).toBe("skipped");
    const json = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    expect(json.results.find((r: { unique_id: string }) => r.unique_id === "model.shop.slow").status).toBe(
      "error",
    );
  });
});
