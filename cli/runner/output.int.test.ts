import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";
import { testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema } from "../testing/warehouse.js";

/**
 * What a user sees while `floe run` talks to the real Trino: colour on a terminal only, the progress
 * heartbeat of a long query (its period shortened by FLOE_HEARTBEAT_SECONDS), every line JSON under
 * --log-format json, the node id on each query in Trino (comment and client tag), and a Trino error still
 * mapped to the template's line below that comment.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_output");
afterAll(() => dropSchema(trino, schema));

const FILES = {
  // Some seconds of work on the local stack: long enough for a heartbeat with a short period.
  "models/big.sql": '{{config materialized="table"}}\nselect count(*) as n from tpch.sf1.lineitem\n',
  "models/small.sql": 'select n from {{ref "big"}}\n',
};

async function floeRun(dir: string, options: Parameters<typeof recordingIO>[0], ...args: string[]) {
  const io = recordingIO({ cwd: dir, ...options });
  const exitCode = await main(["node", "floe", "run", "--project-dir", dir, ...args], io);
  return { exitCode, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe("floe run's output against Trino", () => {
  const dir = writeRunnerProject(schema, FILES);
  const env: Record<string, string | undefined> = { ...process.env, FLOE_HEARTBEAT_SECONDS: "0.5" };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;

  it("on a terminal: coloured badges, aligned lines and a heartbeat with Trino's progress", async () => {
    const run = await floeRun(dir, { env, tty: true });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("\u001b[32m[OK");
    expect(run.stdout).toMatch(
      /1 of 2 (RUNNING|FINISHING) \S+\.big: (\d+%, )?[\d,]+ rows?, [\d.]+ MiB read \.+ \S*\[\d+s\]/,
    );
  }, 120_000);

  it("NO_COLOR, or stdout not a terminal: no colour", async () => {
    const noColour = await floeRun(dir, { env: { ...env, NO_COLOR: "1" }, tty: true }, "-s", "small");
    expect(noColour.exitCode).toBe(0);
    expect(noColour.stdout).not.toContain("\u001b[");
    const piped = await floeRun(dir, { env, tty: false }, "-s", "small");
    expect(piped.stdout).not.toContain("\u001b[");
    const forced = await floeRun(dir, { env: { ...env, FORCE_COLOR: "1" }, tty: false }, "-s", "small");
    expect(forced.stdout).toContain("\u001b[32m");
  }, 60_000);

  it("--log-format json: every line JSON with msg and invocation_id, heartbeats included", async () => {
    const run = await floeRun(dir, { env }, "--log-format", "json", "-s", "big");
    expect(run.exitCode).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of lines)
      expect(line).toMatchObject({ msg: expect.any(String), invocation_id: expect.any(String) });
    expect(lines.find((l) => l.code === "NODE_PROGRESS")).toMatchObject({
      level: "info",
      node: { unique_id: "model.shop.big" },
      progress: { processed_rows: expect.any(Number), elapsed_seconds: expect.any(Number) },
    });
  }, 120_000);

  it("each query carries its node id: a leading comment and a client tag Trino's UI shows", async () => {
    const results = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8")) as {
      results: { unique_id: string; adapter_response: { query_id?: string } }[];
    };
    const big = results.results.find((r) => r.unique_id === "model.shop.big");
    const queryId = big?.adapter_response.query_id;
    expect(queryId).toMatch(/^\d{8}_/);
    const response = await fetch(`http://127.0.0.1:${testTrinoPort()}/v1/query/${queryId}`, {
      headers: { "X-Trino-User": "floe-test" },
    });
    expect(response.status).toBe(200);
    const info = (await response.json()) as { query: string; session: { clientTags: string[] } };
    expect(info.query).toMatch(/^\/\* floe node_id: model\.shop\.big \*\/\nCREATE (OR REPLACE )?TABLE/);
    expect(info.session.clientTags).toEqual(["floe", "model.shop.big"]);
  });

  it("a Trino error still points at the template's line below the comment", async () => {
    const broken = writeRunnerProject(schema, {
      "models/bad.sql":
        '{{config materialized="view"}}\nselect 1 as id,\n  no_such_column as x\nfrom (values 1) as t(y)\n',
    });
    const run = await floeRun(broken, { env });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("models/bad.sql:3:3");
  }, 60_000);
});
