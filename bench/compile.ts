/**
 * `npm run bench:compile`: generates a synthetic project of 10,000 models (1–3 refs each, a {{config}}, a
 * macro call, a yml entry with two column tests) and times `floe parse` and `floe compile` on it as whole
 * processes, cold (no target/), warm (parse cache from the previous run) and after editing one model.
 * Prints wall time, CPU time (user + system: the stable figure on a shared machine) and peak RSS, each the
 * median of RUNS runs.
 * FLOE_BENCH_MODELS, FLOE_BENCH_RUNS and FLOE_BENCH_KEEP=1 (keep the generated project) tune it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MODELS = Number(process.env.FLOE_BENCH_MODELS ?? 10_000);
const PER_FOLDER = 100;
/** Each case runs this many times; the median is reported (the machine is shared, so single runs are noisy). */
const RUNS = Number(process.env.FLOE_BENCH_RUNS ?? 3);

function generate(dir: string): void {
  const write = (path: string, content: string) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
  write("floe_project.yml", "name: bench\nprofile: bench\nmodels:\n  bench:\n    +materialized: view\n");
  write(
    "profiles.yml",
    "bench:\n  target: dev\n  outputs:\n    dev: {type: trino, host: localhost, port: 8080, user: bench, catalog: iceberg, schema: bench}\n",
  );
  write("macros/cents_to_dollars.sql", "cast({{column}} as decimal(18, 2)) / 100\n");
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let yml = "";
  for (let i = 0; i < MODELS; i++) {
    const folder = `group_${String(Math.floor(i / PER_FOLDER)).padStart(3, "0")}`;
    const name = `model_${String(i).padStart(5, "0")}`;
    const refs = new Set<number>();
    const wanted = i === 0 ? 0 : 1 + Math.floor(random() * 3);
    while (refs.size < Math.min(wanted, i)) refs.add(Math.floor(random() * i));
    const from = [...refs].map((r) => `{{ref "model_${String(r).padStart(5, "0")}"}}`);
    const materialized = i % 10 === 0 ? "table" : "view";
    const body =
      from.length === 0
        ? "select 1 as id, 100 as amount"
        : `select t0.id, {{> cents_to_dollars column="t0.amount"}} as amount\nfrom ${from[0]} as t0\n${from
            .slice(1)
            .map((f, k) => `join ${f} as t${k + 1} on t${k + 1}.id = t0.id`)
            .join("\n")}`;
    write(
      `models/${folder}/${name}.sql`,
      `{{config materialized="${materialized}" tags="bench,t${i % 10}"}}\n-- synthetic model ${i}\n${body}\nwhere 1 = 1\n`,
    );
    yml += `  - name: ${name}\n    description: Synthetic model ${i}.\n    columns:\n      - name: id\n        tests: [not_null, unique]\n`;
    if ((i + 1) % PER_FOLDER === 0 || i === MODELS - 1) {
      write(`models/${folder}/schema.yml`, `version: 2\nmodels:\n${yml}`);
      yml = "";
    }
  }
}

interface Measure {
  wallSeconds: number;
  /** user + system CPU: on a shared machine, wall time also measures the neighbours. */
  cpuSeconds: number;
  peakMiB: number;
  output: string;
}

function run(floe: string, dir: string, command: "parse" | "compile"): Measure {
  const started = performance.now();
  const result = spawnSync(
    "/usr/bin/time",
    ["-f", "%U %S %M", process.execPath, floe, command, "--project-dir", dir],
    { encoding: "utf8" },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`floe ${command} failed (${result.status}): ${result.stderr}`);
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

/**
 * The four cases, in an order that sets each one up: `cold` starts without target/ (no parse cache, no
 * compiled SQL), `warm` reruns on the result. `parse` writes only the manifest (and the cache); `compile`
 * also renders and writes 30,000 SQL files, which on a cold run is mostly file-system work.
 */
const CASES = [
  { label: "parse   cold (no target/)", command: "parse", clean: true, edit: false },
  { label: "parse   warm (parse cache)", command: "parse", clean: false, edit: false },
  { label: "compile cold (no target/)", command: "compile", clean: true, edit: false },
  { label: "compile warm (cache, SQL unchanged)", command: "compile", clean: false, edit: false },
  { label: "compile after editing one model", command: "compile", clean: false, edit: true },
] as const;

/** The analytics engineer's loop: one model's SQL changes, the whole project is parsed again (no partial-parse state to go stale) and one file is rewritten. */
function editOneModel(dir: string, run: number): void {
  const i = Math.floor(MODELS / 2);
  const folder = `group_${String(Math.floor(i / PER_FOLDER)).padStart(3, "0")}`;
  const path = join(dir, `models/${folder}/model_${String(i).padStart(5, "0")}.sql`);
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
const floe = resolve(here, "../../bin/floe.js");
const dir = mkdtempSync(join(tmpdir(), "floe-bench-"));
try {
  const genStart = performance.now();
  generate(dir);
  process.stdout.write(
    `generated ${MODELS} models in ${((performance.now() - genStart) / 1000).toFixed(2)}s at ${dir}\n`,
  );
  process.stdout.write(`before: ${fileCreationProbe()}\n`);
  const results = new Map<string, Measure[]>(CASES.map((c) => [c.label, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const c of CASES) {
      if (c.clean) setAside(join(dir, "target"));
      if (c.edit) editOneModel(dir, i);
      const m = run(floe, dir, c.command);
      results.get(c.label)?.push(m);
      process.stdout.write(
        `  run ${i + 1} ${c.label}: wall ${m.wallSeconds.toFixed(2)}s, cpu ${m.cpuSeconds.toFixed(2)}s, peak RSS ${m.peakMiB.toFixed(0)} MiB — ${m.output.split("\n").at(-1)}\n`,
      );
    }
  }
  process.stdout.write(`after: ${fileCreationProbe()}\n`);
  process.stdout.write(
    `median of ${RUNS} (${MODELS} models, each case a whole process; target: ≤ 2 s wall, ≤ 1 GiB peak):\n`,
  );
  for (const [label, ms] of results) {
    process.stdout.write(
      `${label.padEnd(38)} wall ${median(ms.map((m) => m.wallSeconds)).toFixed(2)}s  cpu ${median(ms.map((m) => m.cpuSeconds)).toFixed(2)}s  peak RSS ${median(ms.map((m) => m.peakMiB)).toFixed(0)} MiB\n`,
    );
  }
} finally {
  rmSync(trash, { recursive: true, force: true });
  if (!process.env.FLOE_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
