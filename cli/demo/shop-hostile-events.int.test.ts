import { randomUUID } from "node:crypto";
import { Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpointsFromEnv, kafkaClient } from "../../ingest/endpoints.js";
import { type GeneratedMessage, generateShop } from "../../ingest/generator.js";
import { readDlq, trinoQuery } from "../../ingest/int-helpers.js";
import { topicName } from "../../ingest/producer.js";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import type { ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import type { RunTaskResult } from "../runner/run-task.js";
import * as shop from "./shop-pipeline.js";

/**
 * Issue 12's hostile events through the real sink and staging.
 *
 * Defect 1: one event dated 9999-12-31 once made every later incremental staging load read nothing
 * (`floe run -s stg_user_events` printed `OK … 0 rows`, exit 0), because the staging window started at
 * the newest staged event_time. Now the contract dead-letters such an event, and even a row put into raw
 * behind the contract's back cannot stop the next load: staging's watermark is ingestion time.
 * Defects 2 and 6: a message nested 10,000 levels deep threw out of the decoder and stopped the sink's
 * consumer; invalid UTF-8 was stored as U+FFFD and `-1e400` as "null". Now each is a DLQ reason, and the
 * events after them are consumed.
 *
 * Load 1 (the first 60 % of a shop with the hostile messages in its middle) → sink → build
 * stg_user_events → two rows inserted straight into the raw table, one dated 9999, one stamped as
 * ingested in 9999 → build (stages them) → load 2 (the rest) → build: every user event the generator
 * made must be in staging.
 */
const ns = shop.isolatedNamespace(uniqueName("shophostile"));
const quiet: RunLogger = { event: () => {} };
const trino = localTrino();
const rawTable = `hive."${ns.rawSchema}"."user_events"`;
const FAR_FUTURE = "9999-12-31T23:59:59Z";
const TOO_OLD = "1970-01-01T00:00:00Z";
const injectedId = randomUUID();
const injectedLateId = randomUUID();
let project: ParsedProject;
let expectedIds: Set<string>;
/** User events of load 2 that load 1 did not already have (its duplicates and late events excluded). */
let newInLoad2: number;
let dlqErrors: string[];
let sinkDlq: number;
/** Rows the raw user_events table must hold in the end: every valid user event message, duplicates too. */
let rawRows: number;
const builds: RunTaskResult[] = [];

/** A valid product_view in every field but event_time, published as raw bytes (the producer would refuse it). */
function hostile(eventTime: string): GeneratedMessage {
  const event = {
    event_id: randomUUID(),
    event_type: "product_view",
    event_time: eventTime,
    user_id: "u-hostile",
    session_id: "s-hostile",
    product_id: "p-1",
  };
  return { kind: "user-events", key: event.user_id, value: JSON.stringify(event) };
}

const view = (extra: string, eventId = randomUUID(), userId = "u-hostile") =>
  `{"event_id":"${eventId}","event_type":"product_view","event_time":"2026-03-01T12:00:00Z",` +
  `"user_id":"${userId}","session_id":"s-hostile","product_id":"p-1",${extra}}`;
const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
/** `é` as the single byte 0xe9 (Latin-1), which is not UTF-8. */
const latin1 = (text: string) => Buffer.from(text, "latin1");
/** Bytes no JS string can carry (the shop's producer takes strings), produced straight to the topic. */
const HOSTILE_BYTES: [Buffer, RegExp][] = [
  [Buffer.from(view(`"payload":${deep}`)), /^product_view v1: payload: nesting deeper than 64 levels$/],
  [latin1(view('"note":"café"')), /^invalid UTF-8 at byte \d+$/],
  [Buffer.from(view('"score":-1e400')), /^product_view v1: score: number beyond the double range/],
];
// Valid, and its `__proto__` attribute must survive to the raw table (it used to vanish).
const protoId = randomUUID();
const PROTO_EVENT = view('"__proto__":"kept"', protoId, "u-proto");

async function produceBytes(values: readonly Buffer[]): Promise<void> {
  // The partitioner the shop's producer uses, so these land in the partition of the events keyed alike.
  const kafka = kafkaClient(endpointsFromEnv(), "floe-test");
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const topic = topicName({ prefix: ns.topicPrefix }, "user-events");
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: "u-hostile", value })) });
  } finally {
    await producer.disconnect();
  }
}

const userEventIds = (messages: readonly GeneratedMessage[]) =>
  messages.flatMap((m) => (m.kind === "user-events" && m.event ? [String(m.event.event_id)] : []));

const buildStaging = () => shop.buildShop(project, { logger: quiet, models: ["stg_user_events"] });

beforeAll(async () => {
  const all = [
    ...generateShop({
      events: 4_000,
      seed: 21,
      start: new Date("2026-03-01T00:00:00Z"),
      days: 2,
      duplicates: 0.02,
      late: 0.02,
    }).messages,
  ];
  const cut = Math.floor(all.length * 0.6);
  expectedIds = new Set([...userEventIds(all), injectedId, injectedLateId, protoId]);
  // + the __proto__ event and the two rows inserted into raw.
  rawRows = all.filter((m) => m.kind === "user-events" && (m.event || m.duplicate)).length + 3;
  const first = new Set(userEventIds(all.slice(0, cut)));
  newInLoad2 = new Set(userEventIds(all.slice(cut)).filter((id) => !first.has(id))).size;
  project = shop.loadShopProject(process.cwd(), ns, shop.WITHOUT_SHOP_DB);

  // The hostile messages go in the middle of load 1: the sink must go on consuming after them.
  const middle = Math.floor(cut / 2);
  await shop.publishMessages(ns, all.slice(0, middle));
  await produceBytes(HOSTILE_BYTES.map(([bytes]) => bytes));
  const protoMessage: GeneratedMessage = { kind: "user-events", key: "u-hostile", value: PROTO_EVENT };
  await shop.publishMessages(ns, [
    hostile(FAR_FUTURE),
    hostile(TOO_OLD),
    protoMessage,
    ...all.slice(middle, cut),
  ]);
  sinkDlq = (await shop.sinkUntilIdle(ns)).dlq;
  await shop.registerShopRawTables(ns, trino);
  dlqErrors = (await readDlq(shop.dlqOf(ns))).map((headers) => headers.error ?? "");
  builds.push(await buildStaging());

  // Behind the contract's back: a raw row dated 9999, ingested now (what a bad backfill or a bug could do).
  const ingestedAt = new Date().toISOString().replace("T", " ").replace("Z", "");
  // And one stamped as ingested in 9999 (it was event-dated 2026-03-01, so it sits among real partitions).
  await trinoQuery(
    `INSERT INTO ${rawTable} (event_id, event_time, schema_version, user_id, session_id, product_id,
       attributes, _kafka_partition, _kafka_offset, _ingested_at, event_date, event_type)
     VALUES ('${injectedId}', TIMESTAMP '9999-12-31 23:59:59.000', 1, 'u-injected', 's-injected', 'p-1',
       MAP(), 0, 999999999, TIMESTAMP '${ingestedAt}', '9999-12-31', 'product_view'),
       ('${injectedLateId}', TIMESTAMP '2026-03-01 12:00:00.000', 1, 'u-injected', 's-injected', 'p-1',
       MAP(), 0, 999999998, TIMESTAMP '9999-12-31 23:59:59.000', '2026-03-01', 'product_view')`,
  );
  builds.push(await buildStaging());

  await shop.loadMessages(ns, all.slice(cut), trino);
  builds.push(await buildStaging());
}, 900_000);

afterAll(async () => {
  if (project) await shop.dropShopNamespace(ns, [project], trino);
}, 300_000);

describe("the sink dead-letters hostile bytes and keeps consuming", () => {
  it("gives each its reason", () => {
    for (const [, reason] of HOSTILE_BYTES) expect(dlqErrors).toContainEqual(expect.stringMatching(reason));
  });

  it("stores the events after them, and a __proto__ attribute as an attribute", async () => {
    const rows = await trinoQuery(
      `SELECT count(*), count_if(event_id = '${protoId}' AND attributes['__proto__'] = 'kept') FROM ${rawTable}`,
    );
    const [count, proto] = (rows[0] ?? []).map(Number);
    expect(count).toBe(rawRows);
    expect(proto).toBe(1);
  });
});

describe("a far-future event cannot stop staging", () => {
  it("dead-letters events dated 9999 or before 2000 with the contract's reason", async () => {
    expect(sinkDlq).toBe(2 + HOSTILE_BYTES.length);
    expect(dlqErrors).toHaveLength(2 + HOSTILE_BYTES.length);
    expect(dlqErrors).toContainEqual(
      expect.stringMatching(
        /^product_view v1: event_time: 9999-12-31T23:59:59Z is more than 7 days in the future/,
      ),
    );
    expect(dlqErrors).toContainEqual(
      expect.stringMatching(/^product_view v1: event_time: 1970-01-01T00:00:00Z is before 2000-01-01/),
    );
    const [[hostileRows]] = (await trinoQuery(
      `SELECT count(*) FROM ${rawTable} WHERE user_id = 'u-hostile'`,
    )) as [[number]];
    expect(Number(hostileRows)).toBe(0);
  });

  it("builds stg_user_events and its tests successfully each time", () => {
    expect(builds).toHaveLength(3);
    for (const build of builds) {
      expect(shop.unsuccessful(build)).toEqual([]);
      expect(build.results.some((r) => r.displayName.endsWith("stg_user_events"))).toBe(true);
    }
  });

  it("stages the rows injected into raw, and the next incremental load still loads every new event", async () => {
    const staged = shop.martRelation(project, "stg_user_events");
    const rows = await trinoQuery(`SELECT event_id, year(event_time) FROM ${staged}`);
    const stagedIds = new Set(rows.map(([id]) => String(id)));
    expect(rows.find(([id]) => id === injectedId)?.[1]).toBe(9999);
    expect(rows.length).toBe(stagedIds.size);
    // Everything the generator made (valid, deduplicated, late ones included) plus the injected row.
    expect([...expectedIds].filter((id) => !stagedIds.has(id))).toEqual([]);
    expect([...stagedIds].filter((id) => !expectedIds.has(id))).toEqual([]);
    const last = builds[2]?.results.find((r) => r.displayName.endsWith("stg_user_events"));
    // The symptom was `OK … 0 rows` here.
    expect(newInLoad2).toBeGreaterThan(500);
    expect(last?.rowsAffected).toBe(newInLoad2);
  });
});
