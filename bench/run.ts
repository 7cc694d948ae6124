/**
 * bench:run — a generated project of 200 views and 50 small tables, built with `--threads 1` and
 * `--threads 4`. Prints wall time per run and Floe's own overhead per node: node wall time minus the time
 * its queries spent waiting on Trino (target ≤ 20 ms). `--fake` swaps Trino for a zero-latency in-memory
 * fake, which isolates the engine's cost from the stack's. Then the shop's test phase both ways (see
 * test-phase.ts; `--no-shop` skips it, `--shop-events N`, `--rounds N`). Prints figures; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadProject } from "../cli/compile/compile.js";
import type { NodeResult, RunLogger } from "../cli/log/events.js";
import { textLogger } from "../cli/log/text-logger.js";
import { connectTarget } from "../cli/runner/connect.js";
import { runTaskOptions } from "../cli/runner/run-options.js";
import { runTask } from "../cli/runner/run-task.js";
import { testTrinoPort } from "../cli/testing/run-fixture.js";
import { dropSchema } from "../cli/testing/warehouse.js";
import type { QueryResult, TrinoConnection } from "../trino/connection.js";
import { benchShopTestPhase } from "./test-phase.js";

const TABLES = 50;
const VIEWS = 200;

function generateProject(schema: string): string {
  const dir = mkdtempSync(join(tmpdir(), "floe-bench-run-"));
  const files: Record<string, string> = {
    "floe_project.yml": "name: bench\nprofile: floe\n",
    "profiles.yml": `floe:\n  target: dev\n  outputs:\n    dev:\n      type: trino\n      host: 127.0.0.1\n      port: ${testTrinoPort()}\n      user: floe-bench\n      catalog: iceberg\n      schema: ${schema}\n`,
  };
  for (let t = 0; t < TABLES; t++) {
    files[`models/tables/t_${t}.sql`] =
      `{{config materialized="table"}}\nselect x as id, x * ${t} as amount, 'row ' || cast(x as varchar) as label\nfrom unnest(sequence(1, 20)) as u(x)\n`;
  }
  for (let v = 0; v < VIEWS; v++) {
    // Four layers of views over the tables: a DAG, not a flat list.
    const parent = v < 50 ? `t_${v % TABLES}` : `v_${v - 50}`;
    files[`models/views/v_${v}.sql`] =
      `select id, amount + ${v} as amount, label from {{ref "${parent}"}}\nwhere id > 0\n`;
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A Trino that answers every statement at once: what remains of a run's time is Floe's. */
function fakeTrino(): TrinoConnection {
  let n = 0;
  return {
    server: "fake://trino",
    async query<Row>(): Promise<QueryResult<Row>> {
      await Promise.resolve();
      return {
        queryId: `fake_${++n}`,
        columns: [],
        rows: [],
        updateType: "CREATE TABLE",
        updateCount: 20,
        elapsedMillis: 0,
        stats: undefined,
      };
    },
    async cancelAll() {},
  };
}

interface Figures {
  readonly threads: number;
  readonly wallSeconds: number;
  readonly trinoSeconds: number;
  readonly nodes: number;
  readonly failed: number;
  readonly overheadPerNodeMs: number;
  readonly p95OverheadMs: number;
  readonly runOverheadPerNodeMs: number;
}

async function buildOnce(dir: string, threads: number, connection: TrinoConnection): Promise<Figures> {
  const project = loadProject({ projectDir: dir, env: {} });
  const selected = new Set(Object.keys(project.manifest.nodes));
  // Render every log line as the CLI does, into a sink: formatting is part of the engine's cost.
  const sink = textLogger(() => {});
  const logger: RunLogger = { event: (e) => sink.event(e) };
  const result = await runTask(
    runTaskOptions({ project, kind: "run", selected, connection, logger, threads }),
  );
  const overheads = result.results
    .map((r: NodeResult) => r.executionTime * 1000 - r.trinoMillis)
    .sort((a, b) => a - b);
  const failedResults = result.results.filter((r) => r.status !== "success");
  if (failedResults.length > 0) {
    process.stdout.write(
      `  ${failedResults.length} nodes did not succeed; first: ${failedResults[0]?.displayName}: ${failedResults[0]?.message}\n`,
    );
  }
  return {
    threads,
    wallSeconds: result.elapsedSeconds,
    trinoSeconds: result.trinoSeconds,
    nodes: result.results.length,
    failed: failedResults.length,
    overheadPerNodeMs: overheads.reduce((a, b) => a + b, 0) / overheads.length,
    p95OverheadMs: overheads[Math.floor(overheads.length * 0.95)] ?? 0,
    // Whole-run view (scheduling, metadata prefetch bookkeeping, artifacts), meaningful at --threads 1.
    runOverheadPerNodeMs: ((result.elapsedSeconds - result.trinoSeconds) * 1000) / result.results.length,
  };
}

async function main(): Promise<void> {
  const fake = process.argv.includes("--fake");
  const stamp = Date.now().toString(36);
  // Each run builds into a fresh schema, so both thread counts do the same work (create, not replace).
  const runs = [1, 4].map((threads) => ({ threads, schema: `floe_bench_run_${stamp}_t${threads}` }));
  const dirs = runs.map((r) => generateProject(r.schema));
  const compileStart = performance.now();
  const project = loadProject({ projectDir: dirs[0]!, env: {} });
  const connection = fake ? fakeTrino() : connectTarget(project.target);
  process.stdout.write(
    `bench:run — ${TABLES} tables + ${VIEWS} views (${Object.keys(project.manifest.nodes).length} nodes) on ` +
      `${fake ? "a fake zero-latency Trino" : `Trino at ${connection.server}`}; project load ${(performance.now() - compileStart).toFixed(0)} ms\n`,
  );
  try {
    for (const [i, { threads }] of runs.entries()) {
      const f = await buildOnce(dirs[i]!, threads, connection);
      process.stdout.write(
        `--threads ${f.threads}: wall ${f.wallSeconds.toFixed(2)} s for ${f.nodes} nodes (${f.failed} not ok); ` +
          `waiting on Trino ${f.trinoSeconds.toFixed(2)} s (summed over nodes)\n` +
          `  engine overhead per node (node wall − its Trino wait): mean ${f.overheadPerNodeMs.toFixed(2)} ms, p95 ${f.p95OverheadMs.toFixed(2)} ms` +
          (threads === 1
            ? `; whole run (wall − Trino wait) / nodes: ${f.runOverheadPerNodeMs.toFixed(2)} ms`
            : "") +
          "\n",
      );
    }
    process.stdout.write("target: overhead ≤ 20 ms per node\n");
    // The shop's test phase needs the real stack (Kafka, the sink, Trino); `--no-shop` leaves it out.
    if (!fake && !process.argv.includes("--no-shop")) {
      await benchShopTestPhase(numberArg("--shop-events", 100_000), numberArg("--rounds", 3));
    }
  } finally {
    for (const [i, run] of runs.entries()) {
      if (!fake) await dropSchema(connection, run.schema);
      rmSync(dirs[i]!, { recursive: true, force: true });
    }
  }
}

function numberArg(flag: string, fallback: number): number {
  const index = process.argv.indexOf(flag);
  const value = index < 0 ? Number.NaN : Number(process.argv[index + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

await main();
