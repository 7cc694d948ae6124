import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand } from "@aws-sdk/client-s3";
import { z } from "zod";
import { endpointsFromEnv, kafkaClient, s3Client, trinoFromEnv } from "../../ingest/endpoints.js";
import { type GenerateOptions, generateShop, type ShopLedger } from "../../ingest/generator.js";
import { shopDbUrl } from "../../ingest/shop-db/pg-writer.js";
import { SINK_DEFAULTS } from "../../ingest/sink/defaults.js";
import type { RunLogger } from "../log/events.js";
import { connectTarget } from "../runner/connect.js";
import type { RunTaskResult } from "../runner/run-task.js";
import {
  checkCdcAvailable,
  clearDemoRows,
  DemoShopDbChanges,
  digest,
  sameDigest,
  startGroupAtEnd,
  waitForCdc,
  withShopDb,
  writeChanges,
} from "./shop-db-load.js";
import {
  buildShop,
  deleteShopRawObjects,
  deleteShopTopics,
  dlqOf,
  dropRawTables,
  loadShopProject,
  publishMessages,
  registerShopRawTables,
  type ShopNamespace,
  type ShopReport,
  shopReport,
  sinkUntilIdle,
  topicsOf,
} from "./shop-pipeline.js";

/**
 * `floe demo` (what `npm start` runs) as a programmatic API: generate a fixed shop, load it through Kafka
 * and the sink into the raw tables, `floe build` the project and report.
 *
 * Idempotency: the demo owns the default names (topics user-events/product-metadata/orders/dlq, objects
 * under raw/, tables hive.raw.*). After a complete load it writes a marker object (raw/_floe_demo.json)
 * with the generator's settings and the topics' end offsets. A later run whose settings match and whose
 * topics still end at the same offsets reuses the load and only builds (incrementally: nothing new, the
 * same marts). Anything else — a first run, other settings, a load cut short — resets the demo's topics,
 * raw objects and raw tables, loads again from scratch and builds with a full refresh. Either way the
 * marts are those of exactly one copy of the generated shop, never a doubled one.
 *
 * The shop database (settings.shopDb, on by default): the same shop is written into the stack's
 * PostgreSQL too, as `floe ingest generate --shop-db` writes it, and comes back through Debezium's `db.*`
 * topics, the sink and `hive.raw.db_<table>` into the CDC models (var shop_db). Those topics and the
 * database are the stack's, shared with anything else that writes the shop tables, so a reset cannot
 * delete them: it deletes the demo's rows (the generator's ids, `shop-db-load.ts`), waits until Debezium
 * has delivered those deletes, and starts the sink's group on the `db.*` topics at their ends, so the raw
 * CDC tables hold this load's changes and nothing older. After writing, the demo waits until Debezium has
 * delivered the last commit before the sink runs. The marker records a digest of the demo's rows; a reuse
 * needs the database to still hold exactly them.
 */
export const DEMO_NAMESPACE: ShopNamespace = {
  topicPrefix: "",
  s3Prefix: SINK_DEFAULTS.prefix,
  rawSchema: SINK_DEFAULTS.hiveSchema,
  targetSchema: process.env.FLOE_TRINO_SCHEMA ?? "analytics",
  sinkGroup: "floe-demo-sink",
};

export interface DemoSettings {
  readonly events: number;
  readonly seed: number;
  /** Fixed, so the same seed gives the same events (and marts) on any day. */
  readonly start: string;
  readonly days: number;
  readonly duplicates: number;
  readonly late: number;
  readonly malformed: number;
  /** Write the shop into the stack's PostgreSQL and take the CDC path too (`--no-shop-db`: off). */
  readonly shopDb: boolean;
}

export const DEFAULT_DEMO_SETTINGS: DemoSettings = {
  events: 100_000,
  seed: 42,
  start: "2026-01-05T00:00:00.000Z",
  days: 3,
  duplicates: 0.02,
  late: 0.01,
  malformed: 0.001,
  shopDb: true,
};

const markerSchema = z.object({
  version: z.literal(1),
  settings: z.object({
    events: z.number(),
    seed: z.number(),
    start: z.string(),
    days: z.number(),
    duplicates: z.number(),
    late: z.number(),
    malformed: z.number(),
    // Markers written before the shop database was part of the demo: loaded without it.
    shopDb: z.boolean().default(false),
  }),
  endOffsets: z.record(z.string(), z.string()),
  /** The demo's rows in the shop database after the load (absent without it). */
  shopDb: z
    .object({
      digest: z.record(z.string(), z.object({ rows: z.number(), md5: z.string() })),
      counts: z.record(z.string(), z.number()),
    })
    .optional(),
  ledger: z.object({ orders: z.number(), revenue: z.number(), valid: z.number(), malformed: z.number() }),
  loadedAt: z.string(),
});
type Marker = z.infer<typeof markerSchema>;

export type DemoEvent =
  | { kind: "phase"; phase: string }
  | { kind: "info"; message: string }
  | { kind: "done"; phase: string; seconds: number };

export interface DemoOptions {
  readonly projectDir: string;
  readonly settings?: Partial<DemoSettings>;
  readonly namespace?: ShopNamespace;
  /** Reload even when a complete load with the same settings is there. */
  readonly reload?: boolean;
  /** Models/tests run at once (default: the profile's `threads`). */
  readonly threads?: number;
  readonly logger: RunLogger;
  readonly onEvent?: (e: DemoEvent) => void;
  readonly writeArtifact?: (path: string, content: string) => void;
}

export interface DemoResult {
  readonly load: "reused" | "loaded";
  readonly settings: DemoSettings;
  readonly ledger: Marker["ledger"];
  /** What the generator's fold wrote into the shop database (undefined without it). */
  readonly shopDb: Readonly<Record<string, number>> | undefined;
  readonly build: RunTaskResult;
  /** Undefined when the marts could not be read (a failed build). */
  readonly report: ShopReport | undefined;
  readonly tests: Record<string, number>;
  readonly seconds: Record<string, number>;
}

export function generatorOptions(s: DemoSettings): GenerateOptions {
  return {
    events: s.events,
    seed: s.seed,
    start: new Date(s.start),
    days: s.days,
    duplicates: s.duplicates,
    late: s.late,
    malformed: s.malformed,
  };
}

export function ledgerRevenue(ledger: ShopLedger): number {
  return Math.round(Object.values(ledger.revenueByDay).reduce((a, b) => a + b, 0) * 100) / 100;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const settings: DemoSettings = { ...DEFAULT_DEMO_SETTINGS, ...options.settings };
  const ns = options.namespace ?? DEMO_NAMESPACE;
  const emit = options.onEvent ?? (() => {});
  const seconds: Record<string, number> = {};
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    emit({ kind: "phase", phase });
    const t0 = performance.now();
    const out = await fn();
    seconds[phase] = (performance.now() - t0) / 1000;
    emit({ kind: "done", phase, seconds: seconds[phase] });
    return out;
  };

  // Where the raw tables are registered: the environment's Trino, as `floe ingest register` uses.
  const rawTrino = trinoFromEnv();
  const dbUrl = shopDbUrl(undefined);
  if (settings.shopDb) await checkCdcAvailable(dbUrl);
  const marker = await readMarker(ns);
  const offsets = await endOffsets(ns);
  const dbDigest = settings.shopDb ? await withShopDb(dbUrl, digest) : undefined;
  const reusable =
    options.reload !== true &&
    marker !== undefined &&
    sameSettings(marker.settings, settings) &&
    sameOffsets(marker.endOffsets, offsets) &&
    (dbDigest === undefined || (marker.shopDb !== undefined && sameDigest(marker.shopDb.digest, dbDigest)));

  let ledger: Marker["ledger"];
  let shopDb: Marker["shopDb"];
  if (reusable) {
    ledger = marker.ledger;
    shopDb = marker.shopDb;
    emit({
      kind: "info",
      message: `reusing the demo load of ${marker.loadedAt} (same settings, same offsets${dbDigest ? ", same shop database rows" : ""})`,
    });
    await registerShopRawTables(ns, rawTrino);
  } else {
    await timed("reset", async () => {
      // The marker goes first: a load cut short must never look complete to the next run.
      await deleteMarker(ns);
      await deleteShopTopics(ns);
      if (settings.shopDb) {
        const cleared = await withShopDb(dbUrl, async (client) => {
          const out = await clearDemoRows(client);
          if (out.lsn !== undefined) await waitForCdc(client, out.lsn);
          return out.deleted;
        });
        await startGroupAtEnd(ns.sinkGroup);
        emit({ kind: "info", message: `deleted the demo's ${cleared} rows from the shop database` });
      }
      const objects = await deleteShopRawObjects(ns, undefined, { cdc: settings.shopDb });
      await dropRawTables(ns, rawTrino);
      emit({ kind: "info", message: `cleared the demo's topics, ${objects} raw objects and raw tables` });
    });
    const generated = generateShop(generatorOptions(settings));
    const changes = new DemoShopDbChanges(settings.seed);
    await timed("generate+publish", async () => {
      const messages = settings.shopDb ? changes.tap(generated.messages) : generated.messages;
      const n = await publishMessages(ns, messages, {
        onProgress: (p) => emit({ kind: "info", message: `published ${p.toLocaleString("en-US")}` }),
      });
      emit({ kind: "info", message: `published ${n.toLocaleString("en-US")} messages` });
    });
    if (settings.shopDb) {
      shopDb = await timed("shop database", () =>
        withShopDb(dbUrl, async (client) => {
          const lsn = await writeChanges(client, changes.mutations);
          const c = changes.counts;
          emit({
            kind: "info",
            message: `wrote ${c.inserts} inserts, ${c.updates} updates and ${c.deletes} deletes (${c.erasures} erasures, ${c.restocks} restocks); waiting for Debezium`,
          });
          if (lsn !== undefined) await waitForCdc(client, lsn);
          return { digest: await digest(client), counts: { ...c } };
        }),
      );
    }
    await timed("sink", async () => {
      const summary = await sinkUntilIdle(ns, { cdc: settings.shopDb });
      emit({
        kind: "info",
        message: `sink wrote ${summary.records.toLocaleString("en-US")} rows in ${summary.files} files, ${summary.dlq} to the DLQ`,
      });
    });
    await timed("register", () => registerShopRawTables(ns, rawTrino));
    const l = generated.ledger;
    ledger = {
      orders: l.orders.length,
      revenue: ledgerRevenue(l),
      valid: l.messages.valid,
      malformed: l.messages.malformed,
    };
    await writeMarker(ns, {
      version: 1,
      settings,
      endOffsets: await endOffsets(ns),
      ...(shopDb ? { shopDb } : {}),
      ledger,
      loadedAt: new Date().toISOString(),
    });
  }

  // Explicit either way, whatever floe_project.yml's default: the CDC models only with the database's load.
  const project = loadShopProject(options.projectDir, ns, { shop_db: settings.shopDb });
  const build = await timed("build", () =>
    buildShop(project, {
      fullRefresh: !reusable,
      logger: options.logger,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.writeArtifact ? { writeArtifact: options.writeArtifact } : {}),
    }),
  );
  // After a failed build some marts may be missing: the report then says so instead of failing itself.
  const report = await timed("report", () =>
    shopReport(project, connectTarget(project.target)).catch((error: unknown) => {
      emit({ kind: "info", message: `no report: ${error instanceof Error ? error.message : String(error)}` });
      return undefined;
    }),
  );
  const tests: Record<string, number> = {};
  for (const r of build.results) {
    if (r.resourceType === "test") tests[r.status] = (tests[r.status] ?? 0) + 1;
  }
  return {
    load: reusable ? "reused" : "loaded",
    settings,
    ledger,
    shopDb: shopDb?.counts,
    build,
    report,
    tests,
    seconds,
  };
}

function sameSettings(a: DemoSettings, b: DemoSettings): boolean {
  return (Object.keys(b) as (keyof DemoSettings)[]).every((k) => a[k] === b[k]);
}

function sameOffsets(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(b);
  return keys.length > 0 && keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/** `topic/partition` → end offset, for the namespace's topics that exist. */
async function endOffsets(ns: ShopNamespace): Promise<Record<string, string>> {
  const admin = kafkaClient(endpointsFromEnv(), "floe-demo").admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const out: Record<string, string> = {};
    for (const topic of [...topicsOf(ns), dlqOf(ns)]) {
      if (!existing.has(topic)) continue;
      for (const p of await admin.fetchTopicOffsets(topic)) out[`${topic}/${p.partition}`] = p.high;
    }
    return out;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

const markerKey = (ns: ShopNamespace) => `${ns.s3Prefix}${ns.topicPrefix}_floe_demo.json`;

async function readMarker(ns: ShopNamespace): Promise<Marker | undefined> {
  const endpoints = endpointsFromEnv();
  try {
    const object = await s3Client(endpoints).send(
      new GetObjectCommand({ Bucket: endpoints.bucket, Key: markerKey(ns) }),
    );
    const parsed = markerSchema.safeParse(JSON.parse((await object.Body?.transformToString()) ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return undefined;
    throw error;
  }
}

async function deleteMarker(ns: ShopNamespace): Promise<void> {
  const endpoints = endpointsFromEnv();
  await s3Client(endpoints).send(new DeleteObjectCommand({ Bucket: endpoints.bucket, Key: markerKey(ns) }));
}

async function writeMarker(ns: ShopNamespace, marker: Marker): Promise<void> {
  const endpoints = endpointsFromEnv();
  await s3Client(endpoints).send(
    new PutObjectCommand({
      Bucket: endpoints.bucket,
      Key: markerKey(ns),
      Body: `${JSON.stringify(marker, null, 2)}\n`,
      ContentType: "application/json",
    }),
  );
}
