/**
 * `npm run bench:staging-scale`: what an incremental build of stg_user_events costs as raw and the table
 * grow (issue 13: the staging macro deduplicated every raw row of the 3-day lookback window on every
 * build, and anti-joined them with every event id of the table, until Trino's 1 GB per node ran out).
 *
 * It registers the shop's raw tables in an isolated schema, then BENCH_STEPS times: inserts BENCH_STEP
 * raw user events (INSERT … SELECT from sequences: one file per partition, as a sink flush; 2 % of them
 * copies of the previous step's events, as the sink's at-least-once delivery leaves them, 1 % dated two
 * days back, as late events), and builds stg_user_events incrementally (`floe run`, no tests) with each
 * project given (BENCH_PROJECTS, comma-separated project directories; default: this one; add a checkout
 * of main, e.g. /work/main, for "before"). Per step and project it prints the raw rows in the lookback
 * window, the rows in the table after the build, the model's wall time, and the largest peak user memory
 * and the input rows of its Trino queries (GET /v1/query/{id}). A project whose build fails (out of
 * memory) is dropped from later steps. BENCH_EXPLAIN=1 adds a step whose model query is EXPLAIN ANALYZEd. BENCH_SLACK_MINUTES (default 0) is raw_file_slack_minutes: the
 * steps are seconds apart, where the default 15-minute slack would re-read every earlier step; in a running
 * system the slack re-reads the last 15 minutes of ingest, a bound that does not grow (it costs rows ×
 * what the figures show per row).
 */

import { loadavg } from "node:os";
import { resolve } from "node:path";
import type { ParsedProject } from "../cli/compile/compile.js";
import * as shop from "../cli/demo/shop-pipeline.js";
import { connectTarget } from "../cli/runner/connect.js";
import { runTaskOptions } from "../cli/runner/run-options.js";
import { runTask } from "../cli/runner/run-task.js";
import { trinoSettings } from "../ingest/connection-settings.js";
import { uniqueName } from "../testing/local-stack.js";
import { createTrinoConnection } from "../trino/connection.js";

const STEP = Number(process.env.BENCH_STEP ?? 200_000);
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const SLACK_MINUTES = Number(process.env.BENCH_SLACK_MINUTES ?? 0);
const PROJECTS = (process.env.BENCH_PROJECTS ?? ".").split(",").map((p) => resolve(p.trim()));
/** Events per second the generated times advance by (the seeds' average). */
const RATE = 3_000;

if (STEP % 1_000 !== 0) throw new Error("BENCH_STEP must be a multiple of 1,000");

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

const settings = trinoSettings(process.env);
const trino = createTrinoConnection({ host: settings.host, port: settings.port, user: settings.user });
const id = uniqueName("stgscale");
const ns = shop.isolatedNamespace(id);
const raw = `hive."${ns.rawSchema}"."user_events"`;
const quiet = { event: () => {} };

interface Variant {
  readonly dir: string;
  readonly label: string;
  readonly project: ParsedProject;
  failed: boolean;
  /** The model's SQL as the last build compiled it (the incremental form from the second build on). */
  compiled?: string;
}

const variants: Variant[] = PROJECTS.map((dir, i) => ({
  dir,
  label: dir === resolve(".") ? "this" : dir,
  project: shop.loadShopProject(
    dir,
    { ...ns, targetSchema: `${id}_${i}` },
    {
      raw_file_slack_minutes: SLACK_MINUTES,
    },
  ),
  failed: false,
}));

/**
 * Events n in [step × STEP, (step + 1) × STEP), plus copies of 2 % of the previous step's events (event n −
 * STEP again, at a Kafka offset of its own, ingested with this step). Event times advance at RATE per
 * second; 1 % are two days older (late events).
 */
function insertStep(step: number, start: Date): string {
  const from = step * STEP;
  const seq = `(select ${from} + a * 1000 + b as i from unnest(sequence(0, ${STEP / 1_000 - 1})) as t(a)
      cross join unnest(sequence(0, 999)) as u(b))`;
  const copies =
    step === 0 ? "" : `union all select i - ${STEP}, 1000000000 + i, i from ${seq} where i % 50 = 7`;
  const at = (n: string) => `timestamp '${sqlTime(start)}' + ${n} * interval '1' second / ${RATE}`;
  return `insert into ${raw} (event_id, event_time, schema_version, user_id, session_id, product_id, quantity,
      price, currency, order_id, country, device, referrer, campaign, attributes, _kafka_partition,
      _kafka_offset, _ingested_at, _trace_id, event_date, event_type)
    select event_id, event_time, 1, 'u-' || cast(n % 50000 as varchar), 's-' || cast(n % 200000 as varchar),
      'p-' || cast(n % 500 as varchar), 1, 9.99, 'EUR', null, 'DE', 'mobile', 'direct', null,
      map(array['ua'], array['bench']), cast(kafka_offset % 6 as integer), kafka_offset,
      cast(${at("ingested")} as timestamp(3)), null, cast(cast(event_time as date) as varchar), 'product_view'
    from (
      select n, kafka_offset, ingested, to_hex(md5(to_utf8('${id}-' || cast(n as varchar)))) as event_id,
        cast(${at("n")} - case when n % 100 = 3 then interval '2' day else interval '0' day end
          as timestamp(3)) as event_time
      from (select i as n, i as kafka_offset, i as ingested from ${seq} ${copies})
    )`;
}

function sqlTime(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

interface QueryFigures {
  readonly peakUserMemory: string;
  readonly peakBytes: number;
  readonly inputRows: number;
}

/** The query info's peak user memory and input rows (GET /v1/query/{id}). */
async function queryFigures(queryId: string): Promise<QueryFigures> {
  const response = await fetch(`http://${settings.host}:${settings.port}/v1/query/${queryId}`, {
    headers: { "X-Trino-User": settings.user },
  });
  const info = (await response.json()) as {
    queryStats: { peakUserMemoryReservation: string; rawInputPositions: number };
  };
  const peak = info.queryStats.peakUserMemoryReservation;
  return { peakUserMemory: peak, peakBytes: bytes(peak), inputRows: info.queryStats.rawInputPositions };
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 };

function bytes(size: string): number {
  const m = /^([\d.]+)\s*([kKMGT]?B)$/.exec(size);
  return m ? Number(m[1]) * (UNITS[m[2] ?? "B"] ?? 1) : Number.NaN;
}

async function count(sql: string): Promise<number> {
  const { rows } = await trino.query<{ n: number }>(sql);
  return Number(rows[0]?.n ?? Number.NaN);
}

async function build(variant: Variant): Promise<string> {
  const node = Object.values(variant.project.manifest.nodes).find(
    (n) => n.resource_type === "model" && n.name === "stg_user_events",
  );
  if (node?.resource_type !== "model") throw new Error(`no stg_user_events in ${variant.dir}`);
  const result = await runTask(
    runTaskOptions({
      project: variant.project,
      kind: "run",
      selected: new Set([node.unique_id]),
      connection: connectTarget(variant.project.target),
      logger: quiet,
      writeArtifact: (path, content) => {
        if (path === node.compiled_path) variant.compiled = content;
      },
    }),
  );
  const model = result.results.find((r) => r.uniqueId === node.unique_id);
  if (model === undefined || model.status !== "success") {
    variant.failed = true;
    return `FAILED: ${model?.message.split("\n")[0] ?? "no result"}`;
  }
  const figures = await Promise.all(model.queryIds.map(queryFigures));
  const peak = figures.reduce((a, b) => (b.peakBytes > a.peakBytes ? b : a));
  const input = figures.reduce((sum, f) => sum + f.inputRows, 0);
  const target = await count(
    `select count(*) as n from ${shop.martRelation(variant.project, "stg_user_events")}`,
  );
  return `target ${fmt(target)} rows, ${model.executionTime.toFixed(1)} s, peak user memory ${(peak.peakBytes / 2 ** 20).toFixed(1)} MB, input ${fmt(input)} rows`;
}

const fmt = (n: number) => n.toLocaleString("en-US");

console.log(`staging-scale ${id}: ${STEPS} steps of ${fmt(STEP)} raw user events; load average ${load()}`);
for (const v of variants) console.log(`project ${v.label}: ${v.dir}`);
try {
  await shop.registerShopRawTables(ns, trino);
  const total = STEP * STEPS;
  // Times end about now: the ingest watermark must not be in the future.
  const start = new Date(Date.now() - (total / RATE) * 1000);
  for (let step = 0; step < STEPS; step++) {
    const t0 = performance.now();
    await trino.query(insertStep(step, start));
    const rawRows = await count(`select count(*) as n from ${raw}`);
    console.log(
      `step ${step + 1}: raw ${fmt(rawRows)} rows (all in the 3-day window), inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s; load ${load()}`,
    );
    for (const v of variants) {
      if (v.failed) continue;
      console.log(`  ${v.label}: ${await build(v)}`);
    }
  }
  if (process.env.BENCH_EXPLAIN === "1") {
    // One more step, and the plans with operator figures instead of a build: where the rows and memory go.
    await trino.query(insertStep(STEPS, start));
    for (const v of variants) {
      if (v.failed || v.compiled === undefined) continue;
      const { rows } = await trino.query<Record<string, string>>(`explain analyze ${v.compiled}`);
      console.log(`EXPLAIN ANALYZE ${v.label}:\n${rows.map((r) => Object.values(r)[0]).join("\n")}`);
    }
  }
} finally {
  await shop.dropShopNamespace(
    ns,
    variants.map((v) => v.project),
    trino,
  );
}
console.log(`done; load average ${load()}`);
