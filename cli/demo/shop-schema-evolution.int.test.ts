import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateShop } from "../../ingest/generator.js";
import { readTopic } from "../../ingest/int-helpers.js";
import { createSchemaSql, createTableSql, syncPartitionsSql } from "../../ingest/raw-tables.js";
import { runSink, type SinkEvent, type SinkSummary } from "../../ingest/sink.js";
import type { GeneratedMessage } from "../../ingest/stream-mixer.js";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { informationSchema, quoteString } from "../../trino/dialect.js";
import type { ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import type { RunTaskResult } from "../runner/run-task.js";
import * as shop from "./shop-pipeline.js";

/**
 * Issue 14 item 4: a new optional field in a user-events event (v3's `page_url`) while everything runs.
 * One sink runs from start to end, never restarted. Before v3 (simulated: the raw table as the pre-v3 DDL
 * made it, and the project as it was before `page_url`, copied with the field taken out) v1/v2 events land
 * and stg_user_events is built. Then v3 is deployed (registration ALTERs the raw table; the current project)
 * and v3 events arrive: raw gains the column (older rows NULL), the next incremental build of
 * stg_user_events appends it (older rows NULL), no v3 event is dead-lettered, and a v4 event — a version no
 * contract knows — is, with its reason and its bytes intact for a replay.
 */
const id = uniqueName("shopevo");
const ns = shop.isolatedNamespace(id);
const quiet: RunLogger = { event: () => {} };
const trino = localTrino();
const userTopic = shop.topicsOf(ns).find((t) => t.endsWith("user-events")) as string;
const rawUserEvents = `hive."${ns.rawSchema}".user_events`;

let previous: ParsedProject;
let current: ParsedProject;
let previousDir: string;
const builds: { before?: RunTaskResult; after?: RunTaskResult } = {};
const durable = new Map<string, number>();
const sinkEvents: SinkEvent[] = [];
const stop = new AbortController();
let sink: Promise<SinkSummary>;
let sinkSettled = false;

const userEventsOf = (messages: readonly GeneratedMessage[]) =>
  messages.filter((m) => m.kind === "user-events" && m.event);
const phase1 = [
  ...generateShop({ events: 1_500, seed: 31, start: new Date("2026-03-01T00:00:00Z"), days: 1 }).messages,
];
const phase2 = [
  ...generateShop({ events: 800, seed: 32, start: new Date("2026-03-02T00:00:00Z"), days: 1, v3Share: 1 })
    .messages,
];
const v3Events = userEventsOf(phase2);
const firstV3 = v3Events[0]?.event ?? {};
const v4Value = JSON.stringify({ ...firstV3, event_id: randomUUID(), schema_version: 4 });
const v4: GeneratedMessage = { kind: "user-events", key: String(firstV3.user_id), value: v4Value };

async function waitFor(what: string, done: () => boolean, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (sinkSettled) throw new Error(`the sink stopped while waiting for ${what}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function columnsOf(catalog: string, schema: string, table: string): Promise<string[]> {
  const { rows } = await trino.query<{ column_name: string }>(
    `select column_name from ${informationSchema(catalog, "columns")}
     where table_schema = ${quoteString(schema)} and table_name = ${quoteString(table)}`,
  );
  return rows.map((r) => r.column_name);
}

/** The repository's project as it was before v3: stg_user_events and its docs without page_url. */
function projectBeforeV3(): string {
  const dir = mkdtempSync(join(tmpdir(), "floe-pre-v3-"));
  for (const part of ["floe_project.yml", "profiles.yml", "models", "macros", "tests", "snapshots"]) {
    cpSync(join(process.cwd(), part), join(dir, part), { recursive: true });
  }
  const model = join(dir, "models/staging/stg_user_events.sql");
  const sql = readFileSync(model, "utf8");
  writeFileSync(model, sql.replace(/^ {4}page_url,\n/m, ""));
  const yml = join(dir, "models/staging/staging.yml");
  const docs = readFileSync(yml, "utf8");
  writeFileSync(yml, docs.replace(/ {6}- name: page_url\n(?: {8}.*\n| {10}.*\n)*/, ""));
  expect(readFileSync(model, "utf8")).not.toContain("page_url");
  expect(readFileSync(yml, "utf8")).not.toContain("page_url");
  return dir;
}

beforeAll(async () => {
  expect(v3Events.length).toBeGreaterThan(50);
  previousDir = projectBeforeV3();
  previous = shop.loadShopProject(previousDir, ns);
  current = shop.loadShopProject(process.cwd(), ns);

  // Before v3: the raw table as the pre-v3 DDL made it (no page_url).
  const target = shop.rawTargetOf(ns);
  await trino.query(createSchemaSql(target));
  const preV3Ddl = createTableSql(target, "user-events", "user-events")
    .split("\n")
    .filter((line) => !line.includes('"page_url"'))
    .join("\n");
  await trino.query(preV3Ddl);

  await shop.publishMessages(ns, []); // creates the topics the sink subscribes
  // One sink for the whole test, as a deployment's: it must ride through v3 without stopping.
  sink = runSink({
    topics: shop.topicsOf(ns),
    dlqTopic: shop.dlqOf(ns),
    prefix: ns.s3Prefix,
    groupId: ns.sinkGroup,
    flushIntervalMs: 2_000,
    metricsPort: null,
    signal: stop.signal,
    onEvent: (e) => {
      sinkEvents.push(e);
      if (e.kind === "file") durable.set(e.file.topic, (durable.get(e.file.topic) ?? 0) + e.file.records);
    },
  }).finally(() => {
    sinkSettled = true;
  });

  await shop.publishMessages(ns, phase1);
  const u1 = userEventsOf(phase1).length;
  await waitFor(`${u1} v1/v2 user events in raw files`, () => (durable.get(userTopic) ?? 0) >= u1);
  await trino.query(syncPartitionsSql(target, "user-events"));
  builds.before = await shop.buildShop(previous, { logger: quiet, models: ["stg_user_events"] });
}, 600_000);

afterAll(async () => {
  stop.abort();
  await sink?.catch(() => {});
  if (previous && current) await shop.dropShopNamespace(ns, [previous, current], trino);
  if (previousDir) rmSync(previousDir, { recursive: true, force: true });
}, 300_000);

describe("a new optional field in user-events v3, while the sink runs", () => {
  const u1 = userEventsOf(phase1).length;

  it("before v3: raw and stg_user_events have no page_url, and hold the v1/v2 events", async () => {
    expect(shop.unsuccessful(builds.before as RunTaskResult)).toEqual([]);
    expect(await columnsOf("hive", ns.rawSchema, "user_events")).not.toContain("page_url");
    const stg = Object.values(current.manifest.nodes).find((n) => n.name === "stg_user_events");
    if (stg?.resource_type !== "model") throw new Error("no stg_user_events");
    const { catalog, schema, identifier } = stg.relation;
    expect(await columnsOf(catalog, schema, identifier)).not.toContain("page_url");
    const { rows } = await trino.query<{ n: number }>(
      `select count(*) as n from ${shop.martRelation(current, "stg_user_events")}`,
    );
    expect(Number(rows[0]?.n)).toBe(u1);
  });

  it("after v3: raw gains page_url (older rows NULL), staging appends it on the next incremental build", async () => {
    // Deploying v3: registration (as the sink's and `floe ingest register`'s) adds the column.
    await shop.registerShopRawTables(ns, trino);
    expect(await columnsOf("hive", ns.rawSchema, "user_events")).toContain("page_url");
    const before = await trino.query<{ n: number }>(
      `select count(*) as n from ${rawUserEvents} where page_url is null`,
    );
    expect(Number(before.rows[0]?.n)).toBe(u1);

    await shop.publishMessages(ns, [...phase2, v4]);
    const expected = u1 + v3Events.length;
    await waitFor(`${expected} user events in raw files`, () => (durable.get(userTopic) ?? 0) >= expected);
    await waitFor("the v4 event's dead letter", () => sinkEvents.some((e) => e.kind === "dlq"));
    await shop.registerShopRawTables(ns, trino); // adds the new partitions

    const raw = await trino.query<{ v: number; n: number; with_url: number }>(
      `select coalesce(schema_version, 1) as v, count(*) as n, count(page_url) as with_url
       from ${rawUserEvents} group by 1 order by 1`,
    );
    const byVersion = Object.fromEntries(raw.rows.map((r) => [r.v, [Number(r.n), Number(r.with_url)]]));
    expect(byVersion[3]).toEqual([v3Events.length, v3Events.length]);
    expect((byVersion[1]?.[0] ?? 0) + (byVersion[2]?.[0] ?? 0)).toBe(u1);
    expect((byVersion[1]?.[1] ?? 0) + (byVersion[2]?.[1] ?? 0)).toBe(0);

    builds.after = await shop.buildShop(current, { logger: quiet, models: ["stg_user_events"] });
    expect(shop.unsuccessful(builds.after)).toEqual([]);
    const stg = shop.martRelation(current, "stg_user_events");
    const { rows } = await trino.query<{ event_id: string; page_url: string | null; schema_version: number }>(
      `select event_id, page_url, schema_version from ${stg}`,
    );
    expect(rows).toHaveLength(expected);
    const urls = new Map(v3Events.map((m) => [String(m.event?.event_id), m.event?.page_url]));
    for (const row of rows) {
      if (urls.has(row.event_id)) {
        expect(row.page_url, row.event_id).toBe(urls.get(row.event_id));
        expect(row.schema_version).toBe(3);
      } else expect(row.page_url, row.event_id).toBeNull();
    }
    // Merged into the existing table (appended column), not rebuilt: more than one Iceberg snapshot.
    const snapshots = stg.replace(/"([^"]+)"$/, '"$1$snapshots"');
    const history = await trino.query<{ n: number }>(`select count(*) as n from ${snapshots}`);
    expect(Number(history.rows[0]?.n)).toBeGreaterThan(1);
  });

  it("dead-letters only the v4 event, with its reason and original bytes, and the sink never stopped", async () => {
    const letters = await readTopic(shop.dlqOf(ns), (m) => ({
      value: m.value?.toString("utf8"),
      error: String(m.headers?.error ?? ""),
      source: String(m.headers?.source_topic ?? ""),
    }));
    expect(letters).toEqual([
      {
        value: v4Value,
        error: "unknown schema_version 4 (this sink knows 1, 2, 3): deploy the contract, then replay the DLQ",
        source: userTopic,
      },
    ]);
    expect(sinkSettled).toBe(false);
    expect(sinkEvents.filter((e) => e.kind === "started")).toHaveLength(1);
  });
});
