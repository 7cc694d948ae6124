/**
 * `npm run bench:soak`: `floe serve` and the real-time generator on the running local stack, for minutes,
 * then what the seeds' freshness SLO asks: event→mart latency p50/p99/max of fct_orders and
 * metrics_by_minute (from serve's `floe_event_to_mart_seconds` histogram and `/api/status`), builds run and
 * skipped, build durations, data files per table before and after maintenance (Iceberg `$files`), CPU
 * seconds and peak RSS per process (/proc), and whether the SLO held.
 *
 * Flags (or SOAK_* env): --minutes 15, --rate 3000, --burst-rate 10000, --burst-every 5m, --burst-for 30s,
 * --build-every 60s, --maintain-every 5m, --drain 6m (the longest wait, after the generator stops, for a
 * build that times its last events), --select "+fct_orders +metrics_by_minute", --exclude "" (the selection's
 * tests run with it, as a deployed serve's would, less those reading a model the selection does not build;
 * --exclude resource_type:test leaves them all out), --keep (leave schemas, topics).
 *
 * Everything is its own: a copy of this project whose sources read raw tables of a unique topic prefix and
 * hive schema, built into `soak<id>_*` schemas (FLOE_TRINO_SCHEMA), with its own consumer group and S3
 * prefix; dropped at the end. The shared stack is never stopped. The sink runs inside serve, so its CPU
 * and memory are serve's.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import YAML from "yaml";
import { loadProject } from "../cli/compile/compile.js";
import { selectNodes } from "../cli/select/apply-selector.js";
import { parseSelector } from "../cli/select/parse-selector.js";
import type { ServeStatus } from "../cli/serve/serve-status.js";
import { LATENCY_BUCKETS, latencyQuantile } from "../cli/serve/slo-latency.js";
import { dropSchema } from "../cli/testing/warehouse.js";
import { TOPIC_KINDS } from "../ingest/contracts.js";
import { endpointsFromEnv, kafkaClient, s3Client } from "../ingest/endpoints.js";
import { defaultTopicNames, topicName } from "../ingest/producer.js";
import { s3RawObjectStore } from "../ingest/raw-retention.js";
import { tableNameOf } from "../ingest/raw-tables.js";
import { localTrino } from "../testing/local-stack.js";
import { exited, floe } from "./floe-child.js";
import { ProcWatch } from "./proc-watch.js";

const { values: flags } = parseArgs({
  options: {
    minutes: { type: "string", default: process.env.SOAK_MINUTES ?? "15" },
    rate: { type: "string", default: process.env.SOAK_RATE ?? "3000" },
    "burst-rate": { type: "string", default: process.env.SOAK_BURST_RATE ?? "10000" },
    "burst-every": { type: "string", default: process.env.SOAK_BURST_EVERY ?? "5m" },
    "burst-for": { type: "string", default: process.env.SOAK_BURST_FOR ?? "30s" },
    "build-every": { type: "string", default: process.env.SOAK_BUILD_EVERY ?? "60s" },
    "maintain-every": { type: "string", default: process.env.SOAK_MAINTAIN_EVERY ?? "5m" },
    drain: { type: "string", default: process.env.SOAK_DRAIN ?? "6m" },
    select: { type: "string", default: process.env.SOAK_SELECT ?? "+fct_orders +metrics_by_minute" },
    exclude: { type: "string", default: process.env.SOAK_EXCLUDE ?? "" },
    keep: { type: "boolean", default: process.env.SOAK_KEEP === "1" },
  },
});

const MARTS = ["fct_orders", "metrics_by_minute"];
const ROOT = process.cwd();
const minutes = Number(flags.minutes);
const id = `soak${Date.now().toString(36)}`;
const prefix = `${id}-`;
const rawSchema = `${id}_raw`;
const started = Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const seconds = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? "s"] ?? 1);
};
const log = (line: string) =>
  process.stderr.write(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/** This project, its sources pointed at the soak's raw tables. */
function soakProject(): string {
  const dir = mkdtempSync(join(tmpdir(), `floe-${id}-`));
  for (const entry of [
    "models",
    "macros",
    "tests",
    "snapshots",
    "seeds",
    "floe_project.yml",
    "profiles.yml",
  ]) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  const sourcesFile = join(dir, "models/staging/sources.yml");
  const doc = YAML.parseDocument(readFileSync(sourcesFile, "utf8"));
  const raw = (doc.toJS() as { sources: { name: string; schema: string; tables: { name: string }[] }[] })
    .sources;
  raw.forEach((source, s) => {
    if (source.name !== "raw") return;
    doc.setIn(["sources", s, "schema"], rawSchema);
    source.tables.forEach((table, t) => {
      const kind = TOPIC_KINDS.find((k) => tableNameOf(k) === table.name);
      if (kind)
        doc.setIn(["sources", s, "tables", t, "identifier"], tableNameOf(topicName({ prefix }, kind)));
    });
  });
  writeFileSync(sourcesFile, doc.toString());
  return dir;
}

/**
 * The selected tests that read a model the selection does not build (dbt's "cautious" indirect selection):
 * in the soak's fresh schemas such a model does not exist, so the test would error and skip the marts
 * after it. Floe selects tests eagerly (any selected parent), as dbt does by default.
 */
function testsWithUnbuiltParents(dir: string, select: string[], exclude: string[]): string[] {
  const { manifest } = loadProject({ projectDir: dir });
  const chosen = selectNodes(
    { manifest },
    select.length ? parseSelector(select) : undefined,
    exclude.length ? parseSelector(exclude) : undefined,
  );
  return [...chosen]
    .map((id) => manifest.nodes[id])
    .filter((n) => n?.resource_type === "test")
    .filter((n) => n?.depends_on.nodes.some((p) => manifest.nodes[p] !== undefined && !chosen.has(p)))
    .map((n) => n?.name ?? "")
    .sort();
}

function stackPid(name: string): number | undefined {
  const dir = process.env.FLOE_STACK_DIR ?? join(ROOT, ".floe/stack");
  try {
    return Number(readFileSync(join(dir, "run", `${name}.pid`), "utf8").trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** `floe_event_to_mart_seconds` of one mart from a scrape: non-cumulative counts per bucket. */
function histogramOf(metrics: string, mart: string): number[] {
  const cumulative = LATENCY_BUCKETS.map((bound) => {
    const m = new RegExp(`floe_event_to_mart_seconds_bucket\\{mart="${mart}",le="${bound}"\\} (\\S+)`).exec(
      metrics,
    );
    return Number(m?.[1] ?? 0);
  });
  const inf = Number(
    new RegExp(`floe_event_to_mart_seconds_bucket\\{mart="${mart}",le="\\+Inf"\\} (\\S+)`).exec(
      metrics,
    )?.[1] ?? 0,
  );
  return [...cumulative, inf].map((c, i, all) => c - (i === 0 ? 0 : (all[i - 1] ?? 0)));
}

async function filesPerTable(schemas: readonly string[]): Promise<Map<string, number>> {
  const trino = localTrino();
  const files = new Map<string, number>();
  for (const schema of schemas) {
    const tables = await trino.query<{ table_name: string }>(
      `select table_name from iceberg.information_schema.tables where table_schema = '${schema}' and table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables.rows) {
      const n = await trino.query<{ n: number }>(
        `select count(*) as n from iceberg."${schema}"."${table_name}$files"`,
      );
      files.set(`${schema.slice(id.length + 1)}.${table_name}`, Number(n.rows[0]?.n ?? 0));
    }
  }
  return files;
}

async function main(): Promise<void> {
  const project = soakProject();
  const env = { ...process.env, FLOE_TRINO_SCHEMA: id, FORCE_COLOR: "0" };
  const select = flags.select.split(/\s+/).filter(Boolean);
  const exclude = flags.exclude.split(/\s+/).filter(Boolean);
  const unbuildable = testsWithUnbuiltParents(project, select, exclude);
  if (unbuildable.length > 0) {
    log(
      `left out ${unbuildable.length} tests whose other parents are not selected: ${unbuildable.join(", ")}`,
    );
    exclude.push(...unbuildable);
  }
  log(
    `id ${id}: ${minutes} min at ${flags.rate} events/s, bursts of ${flags["burst-rate"]}/s for ${flags["burst-for"]} every ${flags["burst-every"]}; load ${load()}`,
  );

  const generatorLines: string[] = [];
  const generatorStarted = Date.now();
  const generator = floe(
    [
      "ingest",
      "generate",
      "--realtime",
      "--rate",
      flags.rate,
      "--duration",
      `${minutes}m`,
      ...(Number(flags["burst-rate"]) > 0
        ? [
            "--burst-rate",
            flags["burst-rate"],
            "--burst-every",
            flags["burst-every"],
            "--burst-for",
            flags["burst-for"],
          ]
        : []),
      "--topic-prefix",
      prefix,
      "--checkpoint",
      join(project, "generate-checkpoint.json"),
    ],
    env,
    (line) => {
      generatorLines.push(line);
      if (generatorLines.length > 200) generatorLines.shift();
    },
  );
  await sleep(5_000);

  const nodeStatuses = new Map<string, number>();
  const serveLog: string[] = [];
  let url: string | undefined;
  const serve = floe(
    [
      "serve",
      "--project-dir",
      project,
      "--log-format",
      "json",
      "--port",
      "0",
      "--no-stream",
      "--no-api",
      "--topic-prefix",
      prefix,
      "--prefix",
      `${id}/raw/`,
      "--schema",
      rawSchema,
      "--group",
      `${id}-sink`,
      "--build-every",
      flags["build-every"],
      "--maintain-every",
      flags["maintain-every"],
      "--slo-burn-scale",
      "12",
      ...(select.length ? ["-s", ...select] : []),
      ...(exclude.length ? ["--exclude", ...exclude] : []),
    ],
    env,
    (line) => {
      let event: { code?: string; event?: string; url?: string; msg?: string; result?: { status?: string } };
      try {
        event = JSON.parse(line);
      } catch {
        event = { msg: line };
      }
      if (event.event === "serve.listening") url = event.url;
      if (event.code === "NODE_FINISHED" && event.result?.status) {
        nodeStatuses.set(event.result.status, (nodeStatuses.get(event.result.status) ?? 0) + 1);
      }
      const msg = event.msg ?? line;
      if (/^serve: |alert|error/i.test(msg) && event.code !== "NODE_FINISHED") {
        serveLog.push(msg);
        // Long enough to keep a build's first error whole (Trino's message names the operator and limit).
        log(msg.slice(0, 700));
      }
    },
  );

  const watches: ProcWatch[] = [];
  const addWatch = (name: string, pid: number | undefined) => {
    if (pid) watches.push(new ProcWatch(name, pid));
    else log(`no pid for ${name} (is FLOE_STACK_DIR the running stack's?): not measured`);
  };
  addWatch("serve (with its sink)", serve.pid);
  addWatch("generator", generator.pid);
  addWatch("Trino", stackPid("trino"));
  addWatch("Kafka", stackPid("kafka"));
  addWatch("Iceberg REST", stackPid("iceberg-rest"));
  addWatch("S3Proxy", stackPid("s3"));

  const builds = new Map<string, { durationSeconds: number; status: string }>();
  const maxLatency = new Map<string, number>();
  let lastStatus: ServeStatus | undefined;
  const poll = async () => {
    for (const w of watches) w.sample();
    if (!url) return;
    try {
      const status = (await (await fetch(`${url}/api/status`)).json()) as ServeStatus;
      lastStatus = status;
      for (const b of status.builds.recent)
        builds.set(b.at, { durationSeconds: b.durationSeconds, status: b.status });
      for (const m of status.slo?.marts ?? []) {
        if (m.maxSeconds !== null)
          maxLatency.set(m.mart, Math.max(maxLatency.get(m.mart) ?? 0, m.maxSeconds));
      }
    } catch {
      // serve not up yet, or stopping
    }
  };
  const polling = setInterval(() => void poll(), 5_000);
  const progress = setInterval(() => {
    const s = lastStatus;
    const slo = (s?.slo?.marts ?? [])
      .map((m) => `${m.mart} p99 ${m.p99Seconds ?? "–"} s (${fmt(m.events)} ev)`)
      .join(", ");
    log(
      `in ${fmt(s?.throughput.inPerSecond ?? 0)}/s out ${fmt(s?.throughput.outPerSecond ?? 0)}/s lag ${fmt(s?.throughput.lag ?? 0)}; builds ${s?.builds.total ?? 0}; ${slo}; load ${load()}`,
    );
  }, 60_000);

  // Behind its pace (a loaded machine), the generator would publish past the run's end: stopped then, and
  // the report says how many it managed.
  const stopGenerator = setTimeout(() => generator.kill("SIGTERM"), (minutes * 60 + 30) * 1000);
  const generatorCode = await exited(generator);
  clearTimeout(stopGenerator);
  const generatorSeconds = (Date.now() - generatorStarted) / 1000;
  log(`generator exited ${generatorCode}: ${generatorLines.slice(-3).join(" | ")}`);
  // The sink has every event in raw one flush interval (60 s) after the generator stopped; the first build
  // that starts after that and succeeds times the last of them. --drain caps the wait.
  const lastEventsInRaw = Date.now() + 65_000;
  const drainUntil = Date.now() + seconds(flags.drain) * 1000;
  log(`draining until a build that started after the last flush succeeds (at most ${flags.drain})`);
  const drained = () =>
    [...builds].some(
      ([at, b]) => b.status === "success" && Date.parse(at) - b.durationSeconds * 1000 >= lastEventsInRaw,
    );
  while (Date.now() < drainUntil && serve.exitCode === null && !drained()) await sleep(2_000);
  // Without a successful build after the last flush, the events still waiting (and any a failing model
  // held back) were never timed: the histogram would hold only the ones that made it, so no verdict.
  const allTimed = drained();
  if (!allTimed) log("drain cap reached: the last events were not timed");
  await poll();
  const metrics = url ? await (await fetch(`${url}/metrics`)).text() : "";
  const finalStatus = lastStatus;
  clearInterval(polling);
  clearInterval(progress);
  serve.kill("SIGTERM");
  const serveCode = await exited(serve);
  log(`serve exited ${serveCode}`);

  const schemas = (
    await localTrino().query<{ schema_name: string }>(
      `select schema_name from iceberg.information_schema.schemata where schema_name like '${id}\\_%' escape '\\'`,
    )
  ).rows.map((r) => r.schema_name);
  const filesBefore = await filesPerTable(schemas);
  log("floe maintain (the soak's tables, raw layer included)");
  const maintain = floe(
    [
      "maintain",
      "--project-dir",
      project,
      ...(select.length ? ["-s", ...select] : []),
      "--topic-prefix",
      prefix,
      "--raw-prefix",
      `${id}/raw/`,
      "--raw-schema",
      rawSchema,
    ],
    env,
    () => {},
  );
  const maintainCode = await exited(maintain);
  const filesAfter = await filesPerTable(schemas);

  // The report.
  const out: string[] = [];
  const p = (line = "") => out.push(line);
  p(`\n## bench:soak — ${minutes} min, ${flags.rate} events/s, bursts ${flags["burst-rate"]}/s`);
  p(`load average at the end: ${load()} (2 cores, shared with other work)`);
  const published = Number(/published (\d+) messages/.exec(generatorLines.join("\n"))?.[1] ?? 0);
  const stopped = generatorLines.find((l) => /Stopped after/.test(l));
  if (stopped) p(`generator: ${stopped.trim()}`);
  p(
    `generator (exit ${generatorCode}): ${fmt(published)} messages in ${fmt(generatorSeconds)} s = ${fmt(published / generatorSeconds)}/s achieved (${flags.rate}/s asked, bursts ${flags["burst-rate"]}/s)`,
  );
  p();
  p("event→mart latency (whole run; p50/p99 from floe_event_to_mart_seconds, max from /api/status):");
  let held = true;
  for (const mart of MARTS) {
    const counts = histogramOf(metrics, mart);
    const total = counts.reduce((a, b) => a + b, 0);
    const max = maxLatency.get(mart) ?? 0;
    const p50 = latencyQuantile(counts, 0.5, max);
    const p99 = latencyQuantile(counts, 0.99, max);
    const status = finalStatus?.slo?.marts.find((m) => m.mart === mart);
    const within = status?.compliance ?? null;
    const ok = total > 0 && p99 !== undefined && p99 <= 300 && (within ?? 0) >= 0.99;
    held &&= ok;
    p(
      `  ${mart.padEnd(18)} events ${fmt(total).padStart(10)}  p50 ${fmt(p50 ?? Number.NaN, 1).padStart(6)} s  p99 ${fmt(p99 ?? Number.NaN, 1).padStart(6)} s  max ${fmt(max, 1).padStart(6)} s  within 5 min ${within === null ? "–" : `${fmt(within * 100, 2)} %`}  budget left ${status ? `${fmt(status.budgetRemaining * 100, 1)} %` : "–"}`,
    );
  }
  const durations = [...builds.values()].map((b) => b.durationSeconds).sort((a, b) => a - b);
  const q = (f: number) => durations[Math.min(durations.length - 1, Math.floor(f * durations.length))] ?? 0;
  p();
  p(
    `builds: ${finalStatus?.builds.total ?? 0} run (${[...builds.values()].filter((b) => b.status !== "success").length} not successful); nodes ${[...nodeStatuses].map(([s, n]) => `${s} ${n}`).join(", ")}`,
  );
  p(
    `build duration: median ${fmt(q(0.5), 1)} s, p90 ${fmt(q(0.9), 1)} s, max ${fmt(durations.at(-1) ?? 0, 1)} s`,
  );
  p(
    `serve's maintenance runs: ${(finalStatus?.maintenance ?? []).map((m) => `${m.status} ${m.filesBefore}→${m.filesAfter} files in ${m.durationSeconds} s`).join("; ") || "none"}`,
  );
  p(`data files per table before → after a final floe maintain (exit ${maintainCode}):`);
  for (const [table, before] of filesBefore)
    p(`  ${table.padEnd(40)} ${String(before).padStart(5)} → ${filesAfter.get(table) ?? "?"}`);
  p();
  p("process                 CPU s    peak RSS MB   RSS first → last fifth MB");
  for (const w of watches) {
    const [first, last] = w.firstLastMb;
    p(
      `  ${w.name.padEnd(22)} ${fmt(w.cpuSeconds, 1).padStart(7)} ${fmt(w.peakMb).padStart(10)}      ${fmt(first)} → ${fmt(last)}`,
    );
  }
  p();
  if (!allTimed)
    p(
      `not every event was timed: no build that started after the sink's last flush succeeded within --drain ${flags.drain} (see the build errors above)`,
    );
  held &&= allTimed;
  p(`SLO (99 % of events in their mart within 5 minutes, p99 ≤ 300 s): ${held ? "HELD" : "NOT HELD"}`);
  process.stdout.write(`${out.join("\n")}\n`);

  if (!flags.keep) {
    const trino = localTrino();
    for (const schema of schemas) await dropSchema(trino, schema);
    try {
      const tables = await trino.query<{ table_name: string }>(
        `select table_name from hive.information_schema.tables where table_schema = '${rawSchema}'`,
      );
      for (const t of tables.rows)
        await trino.query(`drop table if exists hive."${rawSchema}"."${t.table_name}"`);
      await trino.query(`drop schema if exists hive."${rawSchema}"`);
    } catch (error) {
      log(`could not drop ${rawSchema}: ${String(error)}`);
    }
    const admin = kafkaClient(endpointsFromEnv(), `${id}-cleanup`).admin();
    await admin.connect();
    const names = defaultTopicNames(prefix);
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix) || t === names.dlq);
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
    rmSync(project, { recursive: true, force: true });
    const endpoints = endpointsFromEnv();
    const store = s3RawObjectStore(s3Client(endpoints), endpoints.bucket);
    const keys: string[] = [];
    for await (const key of store.list(`${id}/`)) keys.push(key);
    await store.delete(keys);
    log(`dropped ${schemas.length + 1} schemas, ${topics.length} topics and ${keys.length} raw objects`);
  }
  process.exitCode = held ? 0 : 1;
}

await main();
