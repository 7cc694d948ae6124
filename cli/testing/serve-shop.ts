import { TOPIC_KINDS } from "../../ingest/contracts.js";
import { endpointsFromEnv, kafkaClient } from "../../ingest/endpoints.js";
import { type RunNames, sinkTargets, TEST_SCHEMA, uniqueRun } from "../../ingest/int-helpers.js";
import {
  defaultTopicNames,
  ensureTopics,
  type PublishOptions,
  publishShopRun,
  topicName,
} from "../../ingest/producer.js";
import type { PublishOutcome } from "../../ingest/publish-loop.js";
import { tableNameOf } from "../../ingest/raw-tables.js";
import type { ShopLedger } from "../../ingest/shop-ledger.js";
import { uniqueName } from "../../testing/local-stack.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { quoteRelation, quoteSchema } from "../../trino/dialect.js";
import type { ParsedProject } from "../compile/compile.js";
import {
  deleteShopRawObjects,
  deleteShopTopics,
  loadShopProject,
  martRelation,
} from "../demo/shop-pipeline.js";
import { connectTarget } from "../runner/connect.js";
import { selectNodes } from "../select/apply-selector.js";
import { parseSelector } from "../select/parse-selector.js";
import type { ServeStatus } from "../serve/serve-status.js";
import { type ServeHandle, type ServeOptions, startServe } from "../serve/start-serve.js";

/**
 * Integration-test support for `floe serve` over the repository's shop project: a run of its own (topics,
 * object prefix, consumer group, raw tables in the tests' raw schema, a target schema), the real-time
 * generator publishing into it, serve (in-process) sinking and building the marts on its schedule, and the
 * marts' headline figures next to the generator's ledger.
 */

/** The marts the serve tests check against the ledger, and so what serve builds (with their upstream). */
export const LEDGER_MARTS = ["fct_orders", "fct_daily_revenue"] as const;

/**
 * The shop project with its `raw` source pointed at the run's raw tables (the sink names them after the
 * prefixed topics, in the tests' raw schema) and its models in `schema`.
 */
export function shopProjectFor(run: RunNames, schema: string): ParsedProject {
  const project = loadShopProject(process.cwd(), {
    topicPrefix: run.topicPrefix,
    s3Prefix: run.prefix,
    rawSchema: run.schema,
    targetSchema: schema,
    sinkGroup: run.group,
  });
  for (const source of Object.values(project.manifest.sources)) {
    // The raw source's tables are named after the topic kinds (`user_events` for `user-events`).
    const kind = TOPIC_KINDS.find((k) => tableNameOf(k) === source.table_name);
    if (source.source_name !== "raw" || !kind) continue;
    const identifier = tableNameOf(topicName({ prefix: run.topicPrefix }, kind));
    (source as { relation: typeof source.relation }).relation = { ...source.relation, identifier };
  }
  return project;
}

/** The models `marts` need (themselves and everything upstream), without tests: a light scheduled build. */
export function modelsFor(project: ParsedProject, marts: readonly string[]): Set<string> {
  const chosen = selectNodes(
    { manifest: project.manifest },
    parseSelector(marts.map((m) => `+${m}`)),
    undefined,
  );
  return new Set([...chosen].filter((id) => id.startsWith("model.")));
}

export interface ShopServe {
  readonly run: RunNames;
  /** The target schema (models go to `<schema>_staging`, `<schema>_marts`, …). */
  readonly schema: string;
  readonly project: ParsedProject;
  readonly handle: ServeHandle;
  /** Serve's own log lines (children's transitions, sink warnings). */
  readonly lines: string[];
  status(): Promise<ServeStatus>;
  get(path: string): Promise<Response>;
}

export interface ShopServeOptions {
  readonly label: string;
  readonly buildEveryMs?: number;
  readonly flushIntervalMs?: number;
  readonly probeEveryMs?: number;
  readonly marts?: readonly string[];
}

/**
 * Serve over a fresh run of the shop: sink, scheduler (the marts and their upstream), no maintenance. The
 * run's topics exist before serve starts, as in a deployment: the sink waits only 15 s for missing topics
 * and is then restarted, which a slow generator start on a loaded machine would otherwise cause.
 */
export async function startShopServe(options: ShopServeOptions): Promise<ShopServe> {
  const run = uniqueRun(options.label);
  const schema = uniqueName(options.label);
  const project = shopProjectFor(run, schema);
  const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
  await admin.connect();
  try {
    await ensureTopics(admin, { sources: run.topics, dlq: run.dlq }, 3);
  } finally {
    await admin.disconnect();
  }
  const lines: string[] = [];
  const handle = await startServe({
    host: "127.0.0.1",
    port: 0,
    project,
    selected: modelsFor(project, options.marts ?? LEDGER_MARTS),
    connection: connectTarget(project.target),
    buildLogger: { event: () => {} },
    sink: { ...sinkTargets(run), flushIntervalMs: options.flushIntervalMs ?? 5_000 },
    buildEveryMs: options.buildEveryMs ?? 10_000,
    probeEveryMs: options.probeEveryMs ?? 2_000,
    log: (line) => lines.push(line),
  } satisfies ServeOptions);
  const get = (path: string) => fetch(`${handle.url}${path}`);
  return {
    run,
    schema,
    project,
    handle,
    lines,
    get,
    status: async () => (await (await get("/api/status")).json()) as ServeStatus,
  };
}

/** `floe ingest generate --realtime` into the run's topics: the contract's hostile mix at a modest rate. */
export function publishRealtime(
  run: RunNames,
  settings: { rate: number; durationMs: number; seed: number; signal?: AbortSignal },
): Promise<PublishOutcome> {
  const options: PublishOptions = {
    events: 0,
    realtime: true,
    rate: settings.rate,
    durationMs: settings.durationMs,
    seed: settings.seed,
    duplicates: 0.01,
    malformed: 0.005,
    late: 0.01,
    oversized: false,
    topics: defaultTopicNames(run.topicPrefix),
    ...(settings.signal ? { signal: settings.signal } : {}),
  };
  return publishShopRun(options);
}

/** The figures the serve tests compare: orders, paid orders and revenue (in cents) per UTC day of payment. */
export interface LedgerFigures {
  readonly orders: number;
  readonly paidOrders: number;
  readonly revenueCentsByDay: Record<string, number>;
}

const cents = (n: number | string) => Math.round(Number(n) * 100);

export function ledgerFigures(ledger: ShopLedger): LedgerFigures {
  return {
    orders: ledger.orders.length,
    paidOrders: ledger.orders.filter((o) => o.paid).length,
    revenueCentsByDay: Object.fromEntries(
      Object.entries(ledger.revenueByDay)
        .map(([day, revenue]) => [day, cents(revenue)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}

/** The same figures read from the marts (`fct_orders`, `fct_daily_revenue`). */
export async function martFigures(project: ParsedProject, trino: TrinoConnection): Promise<LedgerFigures> {
  const orders = await trino.query<{ n: number; paid: number }>(
    `select count(*) as n, count_if(is_paid) as paid from ${martRelation(project, "fct_orders")}`,
  );
  const daily = await trino.query<{ day: string; revenue: string }>(
    `select cast(revenue_date as varchar) as day, cast(revenue as varchar) as revenue
     from ${martRelation(project, "fct_daily_revenue")} order by 1`,
  );
  return {
    orders: Number(orders.rows[0]?.n ?? 0),
    paidOrders: Number(orders.rows[0]?.paid ?? 0),
    revenueCentsByDay: Object.fromEntries(daily.rows.map((r) => [r.day, cents(r.revenue)])),
  };
}

/**
 * Waits (polling the marts every second) until they equal the ledger's figures; returns the marts' last
 * figures, which the caller compares with the ledger's (so a timeout shows both).
 */
export async function martsWhenEqual(
  project: ParsedProject,
  trino: TrinoConnection,
  expected: LedgerFigures,
  timeoutMs = 300_000,
): Promise<LedgerFigures | undefined> {
  let latest: LedgerFigures | undefined;
  await until(
    "the marts to equal the ledger",
    timeoutMs,
    async () => {
      latest = await martFigures(project, trino);
      return JSON.stringify(latest) === JSON.stringify(expected) ? latest : undefined;
    },
    () => `marts ${JSON.stringify(latest)}, ledger ${JSON.stringify(expected)}`,
  );
  return latest;
}

/** Drops what a serve run made: its model tables and schemas, raw tables, topics, consumer group, objects. */
export async function dropShopServe(serve: Pick<ShopServe, "run" | "project" | "schema">): Promise<void> {
  const { run, project } = serve;
  const connection = connectTarget(project.target);
  const schemas = new Map<string, { catalog: string; schema: string }>();
  for (const node of Object.values(project.manifest.nodes)) {
    if (node.resource_type !== "model" && node.resource_type !== "seed") continue;
    schemas.set(quoteSchema(node.relation), node.relation);
    await connection.query(`DROP TABLE IF EXISTS ${quoteRelation(node.relation)}`).catch(() => {});
  }
  for (const schema of schemas.keys())
    await connection.query(`DROP SCHEMA IF EXISTS ${schema}`).catch(() => {});
  for (const topic of run.topics) {
    await connection.query(`DROP TABLE IF EXISTS hive.${TEST_SCHEMA}.${tableNameOf(topic)}`).catch(() => {});
  }
  const ns = {
    topicPrefix: run.topicPrefix,
    s3Prefix: run.prefix,
    rawSchema: run.schema,
    targetSchema: serve.schema,
    sinkGroup: run.group,
  };
  await deleteShopTopics(ns).catch(() => {});
  await deleteShopRawObjects(ns).catch(() => {});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every second until it returns a value; the last error or value explains a timeout. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  describe: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(1_000);
  }
  const detail = [last ? String(last) : "", describe()].filter(Boolean).join("; ");
  throw new Error(`timed out waiting for ${what}${detail ? `: ${detail}` : ""}`);
}
