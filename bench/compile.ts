/**
 * `npm run bench:compile`: generates a synthetic project of 10,000 models (1–3 refs each, a {{config}}, a
 * macro call, a yml entry with two column tests) and times `floe parse` and `floe compile` on it as whole
 * processes, cold (no target/), warm (parse cache from the previous run) and after editing one model.
 * Beside them, alternating with Floe's compiles: a naive Handlebars compile-and-render of the same model
 * files (bench/compile-naive.ts, the floor a template compiler is measured against), and — on the `bench`
 * shape — Dataform 2.6.7 compiling the same project in its own format (bench/compile-dataform.ts).
 * Prints wall time, CPU time (user + system: the stable figure on a shared machine) and peak RSS, each the
 * median of RUNS runs, and the ratios.
 * FLOE_BENCH_MODELS, FLOE_BENCH_RUNS, FLOE_BENCH_SHAPE (bench | wide | both), FLOE_BENCH_DATAFORM=0 (skip
 * Dataform), FLOE_BENCH_DATAFORM_RUNS and FLOE_BENCH_KEEP=1 (keep the generated projects) tune it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DataformMeasure, ensureDataform, runDataform } from "./compile-dataform.js";
import { modelPath, type Shape, writeDataformProject, writeFloeProject } from "./compile-project.js";

const MODELS = Number(process.env.FLOE_BENCH_MODELS ?? 10_000);
/** Each case runs this many times; the median is reported (the machine is shared, so single runs are noisy). */
const RUNS = Number(process.env.FLOE_BENCH_RUNS ?? 3);
/** `bench` (the default project), `wide` (1,000 models per folder, `{{var}}` everywhere, a three-parameter macro) or `both`. */
const SHAPE_SETTING = process.env.FLOE_BENCH_SHAPE ?? "both";
const SHAPES: readonly Shape[] = SHAPE_SETTING === "both" ? ["bench", "wide"] : [SHAPE_SETTING as Shape];
if (!SHAPES.every((s) => s === "bench" || s === "wide")) {
  throw new Error(`FLOE_BENCH_SHAPE=${SHAPE_SETTING}: expected bench, wide or both`);
}
/** FLOE_BENCH_DATAFORM=0 skips Dataform (slow: minutes of CPU on 10,000 models). */
const DATAFORM = process.env.FLOE_BENCH_DATAFORM !== "0";
const DATAFORM_RUNS = Number(process.env.FLOE_BENCH_DATAFORM_RUNS ?? 1);

interface Measure {
  wallSeconds: number;
  /** user + system CPU: on a shared machine, wall time also measures the neighbours. */
  cpuSeconds: number;
  peakMiB: number;
  output: string;
}

/** One whole process under /usr/bin/time (right for Floe and the naive script: neither forks). */
function run(dir: string, command: Command): Measure {
  const args = command === "naive" ? [naive, dir] : [floe, command, "--project-dir", dir];
  const started = performance.now();
  const result = spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, ...args], {
    encoding: "utf8",
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  const [user, system, peakKiB] = (result.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return {
    wallSeconds,
    cpuSeconds: (user ?? 0) + (system ?? 0),
    peakMiB: (peakKiB ?? 0) / 1024,
    output: result.stdout.trim(),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Command = "parse" | "compile" | "naive";
const NAIVE = "naive Handlebars compile+render";

/**
 * The cases, in an order that sets each one up: `cold` starts without target/ (no parse cache, no
 * compiled SQL), `warm` reruns on the result (nothing changed, so the previous result is reused: see
 * cli/compile/result-cache.ts). `parse` writes only the manifest (and the caches); `compile`
 * also renders and writes 30,000 SQL files, which on a cold run is mostly file-system work. The naive
 * baseline runs right before each compile it is compared with, so each pair sees the same neighbours.
 * The `wide` shape runs only the cases its ratios need.
 */
const CASES = [
  { label: "parse   cold (no target/)", command: "parse", clean: true, edit: false, wide: false },
  { label: "parse   warm (result reused)", command: "parse", clean: false, edit: false, wide: false },
  { label: NAIVE, command: "naive", clean: false, edit: false, wide: true },
  { label: "compile cold (no target/)", command: "compile", clean: true, edit: false, wide: true },
  { label: NAIVE, command: "naive", clean: false, edit: false, wide: true },
  { label: "compile warm (result reused)", command: "compile", clean: false, edit: false, wide: true },
  { label: "compile after editing one model", command: "compile", clean: false, edit: true, wide: false },
] as const;
const COLD = CASES[3].label;
const WARM = CASES[5].label;

/** The analytics engineer's loop: one model's SQL changes, the whole project is parsed again (no partial-parse state to go stale) and one file is rewritten. */
function editOneModel(dir: string, shape: Shape, run: number): void {
  const { folder, name } = modelPath(shape, Math.floor(MODELS / 2));
  const path = join(dir, `models/${folder}/${name}.sql`);
  writeFileSync(path, `${readFileSync(path, "utf8").replace(/\n-- edit \d+\n$/, "\n")}-- edit ${run}\n`);
}

/**
 * A cold case starts without target/, which is moved aside rather than deleted: on an ext4 file system
 * without a journal (these machines' root), the kernel skips inodes freed in the last 60–360 s when it
 * creates files (`recently_deleted()` in fs/ext4/ialloc.c), so creating 30,000 files right after deleting
 * 30,000 cost up to 7 s of kernel time here, a cost of the benchmark's own `rm -rf`, not of a fresh
 * checkout. Everything set aside is deleted after the last measurement.
 */
const trash = mkdtempSync(join(tmpdir(), "floe-bench-trash-"));
let setAsideCount = 0;
function setAside(path: string): void {
  if (existsSync(path)) renameSync(path, join(trash, String(setAsideCount++)));
}

/**
 * What creating a small file costs on this machine right now, for reading the cold figures: on these VMs it
 * varied from about 10 to over 100 µs of kernel time per file between runs (see README, Measured figures).
 * The probe's files are set aside with the rest.
 */
function fileCreationProbe(): string {
  const probe = join(trash, `probe-${setAsideCount++}`);
  mkdirSync(probe);
  const files = 3000;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < files; i++) writeFileSync(join(probe, `f${i}.sql`), "select 1 as id\n");
  const wall = (performance.now() - started) * 1000;
  const { system } = process.cpuUsage(cpu);
  return `creating a small file costs ${(wall / files).toFixed(0)} µs here now (${(system / files).toFixed(0)} µs of it in the kernel; ${files} files probed); a cold compile creates ${(MODELS * 3).toLocaleString("en")}`;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const floe = join(root, "bin/floe.js");
const naive = join(here, "compile-naive.js");
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
/** Median and range of the pairs' ratios for one case. */
function pairRatios(pairs: readonly Pair[], label: string, of: (m: Measure) => number): string {
  const ratios = pairs.filter((p) => p.label === label).map((p) => of(p.floe) / of(p.naive));
  const sorted = [...ratios].sort((a, b) => a - b);
  const range = sorted.length > 1 ? ` (${sorted[0]?.toFixed(2)}–${sorted.at(-1)?.toFixed(2)})` : "";
  return `${median(ratios).toFixed(2)}×${range}`;
}
const scratch = mkdtempSync(join(tmpdir(), "floe-bench-"));

/** A Floe compile and the naive run right before it: their ratio is taken pair by pair, so both saw the same neighbours. */
interface Pair {
  label: string;
  floe: Measure;
  naive: Measure;
}

function measureShape(shape: Shape): { results: Map<string, Measure[]>; pairs: Pair[] } {
  const dir = join(scratch, `floe-${shape}`);
  const genStart = performance.now();
  writeFloeProject(dir, shape, MODELS);
  process.stdout.write(
    `[${shape}] generated ${MODELS} models in ${((performance.now() - genStart) / 1000).toFixed(2)}s at ${dir}\n`,
  );
  const cases = CASES.filter((c) => shape === "bench" || c.wide);
  const results = new Map<string, Measure[]>(cases.map((c) => [c.label, []]));
  const pairs: Pair[] = [];
  for (let i = 0; i < RUNS; i++) {
    let lastNaive: Measure | undefined;
    for (const c of cases) {
      if (c.clean) setAside(join(dir, "target"));
      if (c.edit) editOneModel(dir, shape, i);
      const m = run(dir, c.command);
      results.get(c.label)?.push(m);
      if (c.command === "naive") lastNaive = m;
      else if (lastNaive && (c.label === COLD || c.label === WARM))
        pairs.push({ label: c.label, floe: m, naive: lastNaive });
      process.stdout.write(
        `  [${shape}] run ${i + 1} ${c.label}: wall ${m.wallSeconds.toFixed(2)}s, cpu ${m.cpuSeconds.toFixed(2)}s, peak RSS ${m.peakMiB.toFixed(0)} MiB — ${m.output.split("\n").at(-1)}\n`,
      );
    }
  }
  return { results, pairs };
}

function measureDataform(): DataformMeasure[] {
  const modules = ensureDataform(join(root, ".floe/bench/dataform"));
  const dir = join(scratch, "dataform-bench");
  writeDataformProject(dir, "bench", MODELS, modules);
  const measures: DataformMeasure[] = [];
  for (let i = 0; i < DATAFORM_RUNS; i++) {
    const m = runDataform(modules, dir, scratch);
    measures.push(m);
    process.stdout.write(
      `  [bench] run ${i + 1} dataform compile: wall ${m.wallSeconds.toFixed(2)}s, cpu ${m.cpuSeconds.toFixed(2)}s (process tree) — ${m.tables} tables, ${m.assertions} assertions\n`,
    );
  }
  return measures;
}

try {
  process.stdout.write(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${cpus().length} CPUs\n`,
  );
  process.stdout.write(`before: ${fileCreationProbe()}\n`);
  const byShape = new Map(SHAPES.map((shape) => [shape, measureShape(shape)]));
  const dataform = DATAFORM && SHAPES.includes("bench") ? measureDataform() : [];
  process.stdout.write(`after: ${fileCreationProbe()}\n`);
  process.stdout.write(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${cpus().length} CPUs\n`,
  );
  for (const [shape, { results, pairs }] of byShape) {
    process.stdout.write(
      `[${shape}] median of ${RUNS} (${MODELS} models, each case a whole process; target: ≤ 2 s wall, ≤ 1 GiB peak):\n`,
    );
    const wall = (label: string) => median((results.get(label) ?? []).map((m) => m.wallSeconds));
    const cpu = (label: string) => median((results.get(label) ?? []).map((m) => m.cpuSeconds));
    for (const [label, ms] of results) {
      process.stdout.write(
        `${label.padEnd(38)} wall ${wall(label).toFixed(2)}s  cpu ${cpu(label).toFixed(2)}s  peak RSS ${median(ms.map((m) => m.peakMiB)).toFixed(0)} MiB\n`,
      );
    }
    const wallOf = (m: Measure) => m.wallSeconds;
    const cpuOf = (m: Measure) => m.cpuSeconds;
    process.stdout.write(
      `[${shape}] Floe ÷ the naive run just before it, median of ${RUNS} pairs (target ≤ 0.35× warm, ≤ 0.5× cold): warm wall ${pairRatios(pairs, WARM, wallOf)} cpu ${pairRatios(pairs, WARM, cpuOf)}; cold wall ${pairRatios(pairs, COLD, wallOf)} cpu ${pairRatios(pairs, COLD, cpuOf)}\n`,
    );
    if (shape === "bench" && dataform.length > 0) {
      const dfWall = median(dataform.map((m) => m.wallSeconds));
      const dfCpu = median(dataform.map((m) => m.cpuSeconds));
      process.stdout.write(
        `[bench] dataform compile (median of ${dataform.length})        wall ${dfWall.toFixed(2)}s  cpu ${dfCpu.toFixed(2)}s\n`,
      );
      process.stdout.write(
        `[bench] Dataform ÷ Floe: vs compile cold wall ${ratio(dfWall, wall(COLD))} cpu ${ratio(dfCpu, cpu(COLD))}; vs compile warm wall ${ratio(dfWall, wall(WARM))} cpu ${ratio(dfCpu, cpu(WARM))}\n`,
      );
    }
  }
} finally {
  rmSync(trash, { recursive: true, force: true });
  if (!process.env.FLOE_BENCH_KEEP) rmSync(scratch, { recursive: true, force: true });
}
