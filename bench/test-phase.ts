/**
 * bench:run's second part — the shop's test phase both ways: its generic tests counted per model in one
 * query (the default) and one query per test (`--no-batch-tests`), alternated A/B on the same built shop.
 * Prints wall time, Floe's CPU, Trino's CPU (summed from each query's stats) and the query count per run,
 * and checks the two give the same statuses and failures. Prints figures; asserts nothing.
 */
import { loadavg } from "node:os";
import type { ParsedProject } from "../cli/compile/compile.js";
import * as shop from "../cli/demo/shop-pipeline.js";
import type { RunLogger } from "../cli/log/events.js";
import { connectTarget } from "../cli/runner/connect.js";
import { runTaskOptions } from "../cli/runner/run-options.js";
import { runTask } from "../cli/runner/run-task.js";
import { generateShop } from "../ingest/generator.js";
import { localTrino, uniqueName } from "../testing/local-stack.js";

const quiet: RunLogger = { event: () => {} };

interface Phase {
  readonly wallSeconds: number;
  readonly floeCpuSeconds: number;
  readonly trinoCpuSeconds: number;
  readonly queries: number;
  readonly tests: number;
  readonly outcomes: string;
}

/** Trino's CPU for the queries (from the coordinator's query info, so other users' load is not counted). */
async function trinoCpuSeconds(server: string, queryIds: readonly string[]): Promise<number> {
  let millis = 0;
  for (const id of queryIds) {
    const response = await fetch(`${server}/v1/query/${id}`, { headers: { "X-Trino-User": "floe-bench" } });
    if (!response.ok) continue;
    const info = (await response.json()) as { queryStats?: { totalCpuTime?: string } };
    millis += durationMillis(info.queryStats?.totalCpuTime ?? "0ms");
  }
  return millis / 1000;
}

/** Trino's airlift Duration text (`12.34ms`, `1.20s`, `2.00m`) in milliseconds. */
function durationMillis(text: string): number {
  const match = /^([\d.]+)\s*(ns|us|ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return 0;
  const scale: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 };
  return Number(match[1]) * (scale[match[2]!] ?? 0);
}

async function testPhase(project: ParsedProject, batchTests: boolean): Promise<Phase> {
  const connection = connectTarget(project.target);
  const selected = new Set(
    Object.values(project.manifest.nodes)
      .filter((n) => n.resource_type === "test")
      .map((n) => n.unique_id),
  );
  const cpu = process.cpuUsage();
  const result = await runTask(
    runTaskOptions({
      project,
      kind: "test",
      selected,
      connection,
      logger: quiet,
      batchTests,
      writeArtifact: () => {},
    }),
  );
  const used = process.cpuUsage(cpu);
  const queryIds = result.results.flatMap((r) => r.queryIds);
  return {
    wallSeconds: result.elapsedSeconds,
    floeCpuSeconds: (used.user + used.system) / 1e6,
    trinoCpuSeconds: await trinoCpuSeconds(connection.server, queryIds),
    queries: queryIds.length,
    tests: result.results.length,
    outcomes: result.results
      .map((r) => `${r.uniqueId} ${r.status} ${r.failures ?? ""}`)
      .sort()
      .join("\n"),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function benchShopTestPhase(events: number, rounds: number): Promise<void> {
  const id = uniqueName("floe_bench_tests");
  const ns = shop.isolatedNamespace(id);
  const trino = localTrino();
  const project = shop.loadShopProject(process.cwd(), ns, shop.WITHOUT_SHOP_DB);
  try {
    const started = performance.now();
    const { messages } = generateShop({ events, seed: 42, start: new Date("2026-03-01T00:00:00Z"), days: 3 });
    await shop.loadMessages(ns, messages, trino);
    const build = await shop.buildShop(project, { logger: quiet });
    const bad = shop.unsuccessful(build);
    process.stdout.write(
      `\nshop test phase — ${events.toLocaleString("en-US")} events loaded and built in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s (${bad.length} nodes not ok${bad.length ? `: ${bad[0]}` : ""}); ` +
        `${rounds} rounds alternating combined (A) and one query per test (B), threads ${project.target.threads}\n`,
    );
    const a: Phase[] = [];
    const b: Phase[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const [label, batch, into] of [
        ["A combined", true, a],
        ["B one per test", false, b],
      ] as const) {
        const phase = await testPhase(project, batch);
        into.push(phase);
        process.stdout.write(
          `  round ${round + 1} ${label.padEnd(15)} wall ${phase.wallSeconds.toFixed(2)} s, Floe CPU ` +
            `${phase.floeCpuSeconds.toFixed(2)} s, Trino CPU ${phase.trinoCpuSeconds.toFixed(2)} s, ` +
            `${phase.queries} queries for ${phase.tests} tests\n`,
        );
      }
    }
    const same =
      a.every((p) => p.outcomes === b[0]?.outcomes) && b.every((p) => p.outcomes === b[0]?.outcomes);
    const ratio = (f: (p: Phase) => number) => (median(a.map(f)) / median(b.map(f))).toFixed(2);
    process.stdout.write(
      `  median A/B: wall ${ratio((p) => p.wallSeconds)}×, Floe CPU ${ratio((p) => p.floeCpuSeconds)}×, ` +
        `Trino CPU ${ratio((p) => p.trinoCpuSeconds)}×, queries ${ratio((p) => p.queries)}×; ` +
        `statuses and failures identical: ${same ? "yes" : "NO"}; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")}\n`,
    );
  } finally {
    await shop.dropShopNamespace(ns, [project], trino);
  }
}
