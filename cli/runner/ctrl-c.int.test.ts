import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Ctrl-C during `floe run`, end to end: the built CLI in its own process against the real Trino. The
 * running CTAS must be cancelled on Trino (not left burning the cluster), nothing downstream may start,
 * the table must not appear half-built, and run_results.json must record what happened.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_ctrl_c");
afterAll(() => dropSchema(trino, schema));

describe("Ctrl-C during floe run", () => {
  it("cancels the running query on Trino, skips the rest and writes partial run_results", async () => {
    const dir = writeRunnerProject(schema, {
      // Minutes of work on the local stack: it is still running when the signal arrives.
      "models/slow.sql":
        '{{config materialized="table"}}\nselect count(*) as n from tpch.sf1000.lineitem cross join tpch.sf1.nation\n',
      "models/after_slow.sql": 'select * from {{ref "slow"}}\n',
    });
    const child = spawn(process.execPath, [join(repo, "bin/floe.js"), "run", "--project-dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    await new Promise<void>((started, failed) => {
      child.stdout.on("data", (chunk) => {
        stdout += String(chunk);
        if (/START .*slow/.test(stdout)) started();
      });
      child.on("exit", () =>
        failed(new Error(`floe run ended before the model started:\n${stdout}\n${stderr}`)),
      );
    });
    // Wait until Trino reports the CTAS as running, then press Ctrl-C.
    const running = async () =>
      rows(
        trino,
        `SELECT query_id, state FROM system.runtime.queries WHERE query LIKE '%${schema}%sf1000.lineitem%' AND query NOT LIKE '%system.runtime.queries%'`,
      );
    for (let i = 0; i < 120 && !(await running()).some((q) => q.state === "RUNNING"); i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const sentAt = Date.now();
    child.kill("SIGINT");
    const code = await exited;
    expect(Date.now() - sentAt).toBeLessThan(30_000);
    // 130 = 128 + SIGINT, as a shell reports an interrupted command.
    expect(code).toBe(130);
    expect(stderr).toContain("Cancelling running queries");

    const queries = await running();
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(q.state).not.toBe("RUNNING");
    const cancelled = await rows(
      trino,
      `SELECT count(*) AS n FROM system.runtime.queries WHERE query LIKE '%${schema}%sf1000.lineitem%' AND query NOT LIKE '%system.runtime.queries%' AND error_code = 'USER_CANCELED'`,
    );
    expect(Number(cancelled[0]?.n)).toBeGreaterThan(0);

    const tables = await rows(trino, `SHOW TABLES FROM iceberg.${schema}`);
    expect(tables.map((t) => t.Table)).not.toContain("slow");
    expect(tables.map((t) => t.Table)).not.toContain("after_slow");

    const results = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8")) as {
      results: { unique_id: string; status: string; message?: string }[];
    };
    const byId = Object.fromEntries(results.results.map((r) => [r.unique_id, r]));
    expect(byId["model.shop.slow"]?.status).toBe("error");
    expect(byId["model.shop.slow"]?.message).toMatch(/cancel/i);
    expect(byId["model.shop.after_slow"]?.status).toBe("skipped");
  }, 180_000);
});
