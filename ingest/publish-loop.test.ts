import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FloeError } from "../core/errors.js";
import { TOPIC_KINDS, type TopicKind } from "./contracts.js";
import { generateShop } from "./generator.js";
import {
  type Checkpoint,
  type CheckpointStore,
  type EndOffsets,
  fileCheckpointStore,
  type GeneratorSettings,
  landedOfPending,
  partitionKey,
} from "./publish-checkpoint.js";
import {
  type OutgoingMessage,
  type PublishEvent,
  PublishFailed,
  type PublishIO,
  type PublishOutcome,
  type PublishRun,
  publishStream,
  publishStreamCounts,
} from "./publish-loop.js";
import { pace } from "./realtime.js";
import { foldLedger, ledgerEntryOfRecord, type ShopLedger } from "./shop-ledger.js";

const SETTINGS: GeneratorSettings = {
  events: 6_000,
  seed: 11,
  start: "2026-03-01T00:00:00.000Z",
  days: 3,
  duplicates: 0.02,
  malformed: 0.01,
  late: 0.03,
  oversized: true,
  topicPrefix: "t-",
  v3Share: 0,
};
const topicOf = (kind: TopicKind) => `t-${kind}`;
const PARTITIONS = 3;

/** Kafka as the loop sees it: partitioned append-only logs; chosen send calls fail, some after landing. */
class FakeKafka implements PublishIO {
  readonly logs = new Map<string, OutgoingMessage[]>();
  calls = 0;
  /** Send calls (0-based) that fail before anything is written. */
  readonly failing = new Set<number>();
  /** Send calls that write these partitions' parts, then fail (the ack lost, the process killed). */
  readonly landThenFail = new Map<number, readonly number[]>();
  /** After this many calls every send fails. */
  downAfter = Number.POSITIVE_INFINITY;

  constructor() {
    for (const kind of TOPIC_KINDS) {
      for (let p = 0; p < PARTITIONS; p++) this.logs.set(partitionKey(topicOf(kind), p), []);
    }
  }

  partitionOf(_topic: string, key: string): number {
    let h = 0;
    for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h % PARTITIONS;
  }

  async endOffsets(): Promise<EndOffsets> {
    return Object.fromEntries([...this.logs].map(([key, log]) => [key, log.length]));
  }

  async send(batch: readonly OutgoingMessage[]): Promise<void> {
    const call = this.calls++;
    if (this.failing.has(call) || call >= this.downAfter) throw brokerDown();
    const only = this.landThenFail.get(call);
    for (const m of batch) {
      if (only && !only.includes(m.partition)) continue;
      this.logs.get(partitionKey(m.topic, m.partition))?.push(m);
    }
    if (only) throw Object.assign(new Error("killed after the broker wrote"), { retriable: false });
  }

  /** Every message, each partition's in order. */
  contents(): Map<string, string[]> {
    return new Map([...this.logs].map(([key, log]) => [key, log.map((m) => m.value)]));
  }
}

const brokerDown = () =>
  Object.assign(new Error("Connection error: connect ECONNREFUSED 127.0.0.1:9092"), { retriable: true });

function memoryStore(): CheckpointStore & { saved: Checkpoint | undefined } {
  const store = {
    path: "memory",
    saved: undefined as Checkpoint | undefined,
    read: async () => store.saved,
    write: async (c: Checkpoint) => {
      store.saved = c;
    },
  };
  return store;
}

function run(extra: Partial<PublishRun> = {}): PublishRun {
  return {
    settings: SETTINGS,
    topicOf,
    batch: 500,
    resume: false,
    retry: { attempts: 4, baseMs: 1, maxMs: 2 },
    ...extra,
  };
}

const generated = () =>
  generateShop({ ...SETTINGS, start: new Date(SETTINGS.start), events: SETTINGS.events });

/** What the topics must hold after a complete run: the generated stream, split by partition, in order. */
function expectedContents(kafka: FakeKafka): Map<string, string[]> {
  const expected = new Map<string, string[]>([...kafka.logs.keys()].map((k) => [k, []]));
  for (const m of generated().messages) {
    const topic = topicOf(m.kind);
    expected.get(partitionKey(topic, kafka.partitionOf(topic, m.key)))?.push(m.value);
  }
  return expected;
}

/** The fold of what the topics hold, as the sink reads it (valid messages only). */
function foldOfContents(kafka: FakeKafka, header: Parameters<typeof foldLedger>[0]) {
  const entries = [...kafka.logs.entries()].flatMap(([key, log]) => {
    const kind = TOPIC_KINDS.find((k) => key.startsWith(`${topicOf(k)}/`)) as TopicKind;
    return log.flatMap((m) => ledgerEntryOfRecord(kind, Buffer.from(m.value)) ?? []);
  });
  return foldLedger(header, entries);
}

function expectPublishedOnce(kafka: FakeKafka, outcome: PublishOutcome) {
  expect(outcome.state).toBe("complete");
  expect(outcome.published).toBe(SETTINGS.events);
  expect(kafka.contents()).toEqual(expectedContents(kafka));
  const ledger = generated();
  for (const _ of ledger.messages);
  expect(outcome.ledger).toEqual(ledger.ledger);
  const header = { ...ledger.ledger, start: new Date(SETTINGS.start) };
  const read = foldOfContents(kafka, header);
  expect(read.messages.uniqueEvents).toBe(outcome.ledger.messages.uniqueEvents);
  expect(read.messages.duplicates).toBe(outcome.ledger.messages.duplicates);
  expect(read.revenueByDay).toEqual(outcome.ledger.revenueByDay);
  expect(read.funnel).toEqual(outcome.ledger.funnel);
}

describe("publishStream", { timeout: 60_000 }, () => {
  it("keeps only the ledger's counts when asked, the same counts as the whole ledger's", async () => {
    const kafka = new FakeKafka();
    const outcome = await publishStreamCounts(run(), kafka, memoryStore());
    expect(kafka.contents()).toEqual(expectedContents(kafka));
    const whole = generated();
    for (const _ of whole.messages);
    const { seed, start, days, messages, users, products } = whole.ledger;
    expect(outcome.ledger).toEqual({ seed, start, days, messages, users, products });
    expect(outcome.ledger.messages.duplicates).toBeGreaterThan(0);
  });

  it("rides out failed sends in the middle with backoff and publishes each message exactly once", async () => {
    const kafka = new FakeKafka();
    for (const call of [4, 5, 6]) kafka.failing.add(call);
    const events: PublishEvent[] = [];
    const outcome = await publishStream(run({ onEvent: (e) => events.push(e) }), kafka, memoryStore());
    expectPublishedOnce(kafka, outcome);
    expect(events.filter((e) => e.kind === "retry").map((e) => e.kind === "retry" && e.attempt)).toEqual([
      1, 2, 3,
    ]);
    expect(events.filter((e) => e.kind === "phase").map((e) => e.kind === "phase" && e.phase)).toEqual([
      "publishing",
      "retrying",
      "publishing",
      "complete",
    ]);
  });

  it("fails with what it published when Kafka stays down, then resumes where it stopped", async () => {
    const kafka = new FakeKafka();
    kafka.downAfter = 5;
    const store = memoryStore();
    const error = await publishStream(run(), kafka, store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishFailed);
    const failed = (error as PublishFailed<ShopLedger>).outcome;
    expect(failed.published).toBe(5 * 500);
    expect(store.saved?.published).toBe(5 * 500);
    // The ledger of a failed run is the fold of exactly what Kafka holds.
    const header = { ...failed.ledger, start: new Date(SETTINGS.start) };
    const read = foldOfContents(kafka, header);
    expect(read.messages.valid).toBe(failed.ledger.messages.valid);
    expect(read.orders).toEqual(expect.arrayContaining(failed.ledger.orders));
    expect(read.revenueByDay).toEqual(failed.ledger.revenueByDay);

    kafka.downAfter = Number.POSITIVE_INFINITY;
    const events: PublishEvent[] = [];
    const outcome = await publishStream(run({ resume: true, onEvent: (e) => events.push(e) }), kafka, store);
    expect(events).toContainEqual({ kind: "resumed", from: 2_500, total: SETTINGS.events, landed: 0 });
    expectPublishedOnce(kafka, outcome);
  });

  it("stops after the batch in flight when aborted, and a resume publishes the rest once", async () => {
    const kafka = new FakeKafka();
    const store = memoryStore();
    const controller = new AbortController();
    const send = kafka.send.bind(kafka);
    kafka.send = async (batch) => {
      await send(batch);
      if (kafka.calls === 3) controller.abort();
    };
    const stopped = await publishStream(run({ signal: controller.signal }), kafka, store);
    expect(stopped).toMatchObject({ state: "stopped", published: 1_500 });
    expect([...kafka.contents().values()].flat()).toHaveLength(1_500);

    const outcome = await publishStream(run({ resume: true, batch: 700 }), kafka, store);
    expectPublishedOnce(kafka, outcome);
  });

  it("skips on resume what a killed run's last batch got into Kafka, partition by partition", async () => {
    const kafka = new FakeKafka();
    kafka.landThenFail.set(3, [0, 2]);
    const store = memoryStore();
    await expect(publishStream(run(), kafka, store)).rejects.toBeInstanceOf(PublishFailed);
    expect(store.saved).toMatchObject({ published: 1_500, sendingTo: 2_000 });
    expect([...kafka.contents().values()].flat().length).toBeGreaterThan(1_500);

    const events: PublishEvent[] = [];
    const outcome = await publishStream(run({ resume: true, onEvent: (e) => events.push(e) }), kafka, store);
    const resumed = events.find((e) => e.kind === "resumed");
    expect(resumed && resumed.kind === "resumed" && resumed.landed).toBeGreaterThan(0);
    expectPublishedOnce(kafka, outcome);
  });

  it("refuses to resume when the topics hold messages it cannot account for, or another stream", async () => {
    const kafka = new FakeKafka();
    const store = memoryStore();
    kafka.downAfter = 2;
    await expect(publishStream(run(), kafka, store)).rejects.toBeInstanceOf(PublishFailed);
    kafka.downAfter = Number.POSITIVE_INFINITY;
    kafka.logs
      .get(partitionKey("t-orders", 1))
      ?.push({ topic: "t-orders", partition: 1, key: "x", value: "{}" });
    await expect(publishStream(run({ resume: true }), kafka, store)).rejects.toMatchObject({
      code: "RESUME_CONFLICT",
    });
    await expect(
      publishStream(run({ resume: true, settings: { ...SETTINGS, seed: 12 } }), kafka, store),
    ).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("seed: 11") });
  });

  it("resumes a complete run as complete, publishing nothing", async () => {
    const kafka = new FakeKafka();
    const store = memoryStore();
    await publishStream(run(), kafka, store);
    const calls = kafka.calls;
    const again = await publishStream(run({ resume: true }), kafka, store);
    expect(kafka.calls).toBe(calls);
    expectPublishedOnce(kafka, again);
  });
});

describe("landedOfPending", () => {
  it("marks the partitions whose whole part of the batch landed", () => {
    const accounted = { "a/0": 10, "a/1": 4 };
    expect(landedOfPending(accounted, { "a/0": 12, "a/1": 4 }, ["a/0", "a/1", "a/0"])).toEqual([
      true,
      false,
      true,
    ]);
    expect(landedOfPending(accounted, accounted, ["a/0", "a/1"])).toEqual([false, false]);
  });

  it("throws a typed error when a partition holds more or fewer messages than the batch explains", () => {
    const accounted = { "a/0": 10 };
    for (const current of [{ "a/0": 11 }, { "a/0": 9 }]) {
      let error: unknown;
      try {
        landedOfPending(accounted, current, ["a/0", "a/0"]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FloeError);
      expect(error).toMatchObject({ code: "RESUME_CONFLICT" });
    }
  });
});

describe("fileCheckpointStore", () => {
  it("writes and reads back a checkpoint, and names the file when it is not one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-checkpoint-"));
    const store = fileCheckpointStore(join(dir, "nested", "checkpoint.json"));
    expect(await store.read()).toBeUndefined();
    const checkpoint: Checkpoint = {
      version: 1,
      settings: SETTINGS,
      baseline: { "t-orders/0": 3 },
      published: 500,
      sendingTo: 1_000,
      updatedAt: "2026-03-01T00:00:00.000Z",
    };
    await store.write(checkpoint);
    expect(await store.read()).toEqual(checkpoint);
    writeFileSync(store.path, '{"version": 1, "published": "many"}');
    await expect(store.read()).rejects.toMatchObject({ code: "CONFIG", location: { file: store.path } });
  });
});

describe("publishStream in real time", () => {
  it("stamps each event with the clock when its batch is taken, and folds the ledger of what it sent", async () => {
    const kafka = new FakeKafka();
    // A clock that moves a minute a batch: every event of batch k is stamped start + k minutes.
    const start = Date.UTC(2026, 11, 6, 10, 0, 0);
    let batches = 0;
    const clock = () => start + batches++ * 60_000;
    const outcome = await publishStream(
      run({ settings: { ...SETTINGS, events: 2_000 }, realtime: { clock, lateByMs: 600_000 } }),
      kafka,
      memoryStore(),
    );
    expect(outcome.state).toBe("complete");
    // Valid events only (the sink's view): malformed messages go as generated.
    const times = new Map<string, number>();
    for (const [key, log] of kafka.logs) {
      const kind = TOPIC_KINDS.find((k) => key.startsWith(`${topicOf(k)}/`)) as TopicKind;
      for (const m of log) {
        const entry = ledgerEntryOfRecord(kind, Buffer.from(m.value));
        const event = entry && "event" in entry ? entry.event : undefined;
        if (event) times.set(String(event.event_id), Date.parse(String(event.event_time)));
      }
    }
    expect(times.size).toBeGreaterThan(1_500);
    const minutes = new Set([...times.values()].map((t) => (t - start) / 60_000));
    // Four batches of 500, each stamped with its minute; late events ten minutes before theirs.
    for (const m of minutes) expect([0, 1, 2, 3, -10, -9, -8, -7]).toContain(m);
    expect(minutes.has(0) && minutes.has(3)).toBe(true);
    // The ledger is the fold of the restamped events: revenue lands on today's date.
    expect(Object.keys(outcome.ledger.revenueByDay).every((day) => day.startsWith("2026-12-0"))).toBe(true);
  });

  it("sends each batch when the pace says it is due", async () => {
    const kafka = new FakeKafka();
    const sentAt: number[] = [];
    const timed: PublishIO = {
      partitionOf: (t, k) => kafka.partitionOf(t, k),
      endOffsets: () => kafka.endOffsets(),
      send: async (batch) => {
        sentAt.push(Date.now());
        await kafka.send(batch);
      },
    };
    // 1,500 messages in batches of 500 at 10,000/s: due at 0, 50 and 100 ms.
    await publishStream(
      run({ settings: { ...SETTINGS, events: 1_500 }, pace: pace(10_000) }),
      timed,
      memoryStore(),
    );
    expect(sentAt).toHaveLength(3);
    expect((sentAt[2] as number) - (sentAt[0] as number)).toBeGreaterThanOrEqual(95);
  });
});
