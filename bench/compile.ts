/**
 * `npm run bench:compile`: generates a synthetic project of 10,000 models (1–3 refs each, a {{config}}, a
 * macro call, a yml entry with two column tests) and times `floe compile` on it as a whole process, cold
 * (no parse cache) and warm (cache from the first run). Prints wall time and peak RSS.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MODELS = Number(process.env.FLOE_BENCH_MODELS ?? 10_000);
const PER_FOLDER = 100;

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

function run(floe: string, dir: string): Measure {
  const started = performance.now();
  const result = spawnSync(
    "/usr/bin/time",
    ["-f", "%U %S %M", process.execPath, floe, "compile", "--project-dir", dir],
    {
      encoding: "utf8",
    },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`floe compile failed (${result.status}): ${result.stderr}`);
  const [user, system, peakKiB] = (result.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return {
    wallSeconds,
    cpuSeconds: (user ?? 0) + (system ?? 0),
    peakMiB: (peakKiB ?? 0) / 1024,
    output: result.stdout.trim(),
  };
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
  for (const label of ["cold (no cache)", "warm (parse cache)"]) {
    const m = run(floe, dir);
    process.stdout.write(
      `${label}: wall ${m.wallSeconds.toFixed(2)}s, cpu ${m.cpuSeconds.toFixed(2)}s, peak RSS ${m.peakMiB.toFixed(0)} MiB — ${m.output}\n`,
    );
  }
} finally {
  if (!process.env.FLOE_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
