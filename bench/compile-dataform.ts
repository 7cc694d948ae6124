/**
 * Dataform 2.x beside Floe in `bench:compile`. Dataform is not a dependency of Floe: the bench installs
 * `@dataform/cli` and `@dataform/core` 2.6.7 (the last release with the Presto warehouse; 3.x is BigQuery
 * only) on first use into `.floe/bench/dataform`, without their install scripts, and reuses that install.
 *
 * CPU is counted with `perf stat -e task-clock` (Debian `linux-perf`), which follows every process the
 * command forks: `dataform compile` compiles in a child process that `/usr/bin/time` does not see (measured
 * here on a two-model project: 1.7 CPU-s by /usr/bin/time, 3.5 by perf).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export const DATAFORM_VERSION = "2.6.7";

/** The install folder's node_modules, installed on first use. */
export function ensureDataform(cacheDir: string): string {
  const modules = join(cacheDir, "node_modules");
  const installed = join(modules, "@dataform/cli/package.json");
  const version = existsSync(installed)
    ? (JSON.parse(readFileSync(installed, "utf8")) as { version?: string }).version
    : undefined;
  if (version === DATAFORM_VERSION && existsSync(join(modules, "@dataform/core/package.json")))
    return modules;
  mkdirSync(cacheDir, { recursive: true });
  process.stdout.write(`installing @dataform/cli@${DATAFORM_VERSION} into ${cacheDir} (once)\n`);
  const npm = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      cacheDir,
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      `@dataform/cli@${DATAFORM_VERSION}`,
      `@dataform/core@${DATAFORM_VERSION}`,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (npm.status !== 0) throw new Error(`installing Dataform into ${cacheDir} failed: ${npm.stderr}`);
  return modules;
}

export interface DataformMeasure {
  wallSeconds: number;
  /** task-clock of the whole process tree. */
  cpuSeconds: number;
  tables: number;
  assertions: number;
}

/** `dataform compile --json` on `projectDir` under `perf stat`; checks the output holds every model. */
export function runDataform(modules: string, projectDir: string, scratch: string): DataformMeasure {
  const perfOut = join(scratch, "dataform-perf.csv");
  const jsonOut = join(scratch, "dataform-compiled.json");
  const out = openSync(jsonOut, "w");
  const started = performance.now();
  let result: ReturnType<typeof spawnSync>;
  try {
    result = spawnSync(
      "perf",
      [
        "stat",
        "-x,",
        "-e",
        "task-clock",
        "-o",
        perfOut,
        "--",
        join(modules, ".bin/dataform"),
        "compile",
        projectDir,
        "--timeout",
        "10m",
        "--json",
      ],
      { stdio: ["ignore", out, "pipe"], encoding: "utf8" },
    );
  } finally {
    closeSync(out);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  if (result.error)
    throw new Error(`running perf failed (${result.error.message}): install Debian's linux-perf`);
  if (result.status !== 0)
    throw new Error(`dataform compile failed (${result.status}): ${String(result.stderr).slice(-2000)}`);
  const taskClock = readFileSync(perfOut, "utf8")
    .split("\n")
    .find((line) => line.includes("task-clock"));
  const msec = Number(taskClock?.split(",")[0]);
  if (!Number.isFinite(msec)) throw new Error(`no task-clock in perf's output ${perfOut}`);
  // The CLI prints a log line before the JSON.
  const text = readFileSync(jsonOut, "utf8");
  const compiled = JSON.parse(text.slice(text.indexOf("\n{") + 1)) as {
    tables?: unknown[];
    assertions?: unknown[];
    graphErrors?: { compilationErrors?: unknown[] };
  };
  const errors = compiled.graphErrors?.compilationErrors ?? [];
  if (errors.length > 0)
    throw new Error(`dataform compile reported ${errors.length} errors: ${JSON.stringify(errors[0])}`);
  rmSync(jsonOut, { force: true });
  return {
    wallSeconds,
    cpuSeconds: msec / 1000,
    tables: compiled.tables?.length ?? 0,
    assertions: compiled.assertions?.length ?? 0,
  };
}
