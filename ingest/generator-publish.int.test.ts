import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ISocketFactory, Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { TOPIC_KINDS, type TopicKind } from "./contracts.js";
import { endpointsFromEnv } from "./endpoints.js";
import { generateShop } from "./generator.js";
import { readTopic, testShop, uniqueRun } from "./int-helpers.js";
import { defaultTopicNames, type PublishOptions, publishShopRun, topicName } from "./producer.js";
import { type CheckpointStore, fileCheckpointStore } from "./publish-checkpoint.js";
import type { PublishEvent } from "./publish-loop.js";
import { foldLedger, type LedgerEntry, ledgerEntryOfRecord, type ShopLedger } from "./shop-ledger.js";

/**
 * The generator against the real Kafka, cut off mid-run (its own connections: the shared broker stays up),
 * stopped and resumed: the topics end up holding exactly the generated stream — every message as many times
 * as the generator made it (duplicates included), no more — and the ledger is the uninterrupted run's.
 */
const SHOP = testShop(24_000, 77);

/** Message values per topic kind and the count of each event id, of a stream or of what the topics hold. */
interface Contents {
  readonly values: Map<string, string[]>;
  readonly ids: Map<string, number>;
  readonly entries: LedgerEntry[];
}

function contents(messages: Iterable<{ kind: TopicKind; value: Uint8Array }>): Contents {
  const values = new Map<string, string[]>(TOPIC_KINDS.map((k) => [k, []]));
  const ids = new Map<string, number>();
  const entries: LedgerEntry[] = [];
  for (const m of messages) {
    values.get(m.kind)?.push(Buffer.from(m.value).toString("utf8"));
    const entry = ledgerEntryOfRecord(m.kind, m.value);
    if (!entry || !("event" in entry)) continue;
    entries.push(entry);
    const id = String(entry.event.event_id);
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  for (const list of values.values()) list.sort();
  return { values, ids, entries };
}

function* generatedMessages() {
  for (const m of generateShop(SHOP).messages) yield { kind: m.kind, value: Buffer.from(m.value) };
}

async function* topicMessages(prefix: string) {
  for (const kind of TOPIC_KINDS) {
    const values = await readTopic(topicName({ prefix }, kind), (m) => m.value ?? Buffer.alloc(0));
    for (const value of values) yield { kind, value };
  }
}

async function expectExactlyTheStream(prefix: string, ledger: ShopLedger): Promise<void> {
  const read: { kind: TopicKind; value: Uint8Array }[] = [];
  for await (const m of topicMessages(prefix)) read.push(m);
  const got = contents(read);
  const want = contents(generatedMessages());
  // Every message as many times as the generator made it: its duplicates twice by design, nothing more.
  expect(got.values).toEqual(want.values);
  expect(got.ids).toEqual(want.ids);
  const uninterrupted = generateShop(SHOP);
  for (const _ of uninterrupted.messages);
  expect(ledger).toEqual(uninterrupted.ledger);
  // The fold of what the topics hold (as the sink reads it) agrees with the ledger.
  const fromTopics = foldLedger({ ...ledger, start: new Date(ledger.start) }, got.entries);
  expect(fromTopics.messages.valid).toBe(ledger.messages.valid);
  expect(fromTopics.messages.uniqueEvents).toBe(ledger.messages.uniqueEvents);
  expect(fromTopics.revenueByDay).toEqual(ledger.revenueByDay);
  expect(fromTopics.funnel).toEqual(ledger.funnel);
  expect(fromTopics.sameDayPurchasers).toEqual(ledger.sameDayPurchasers);
}

/**
 * A kafkajs socket factory whose connections can be cut: `cut()` resets every open connection and refuses
 * new ones (as a broker that went away), `restore()` lets them through again.
 */
class CuttableSockets {
  private readonly open = new Set<Socket>();
  private down = false;

  readonly factory: ISocketFactory = ({ host, port, onConnect }) => {
    // Port 1 refuses: what a client sees while the broker is down.
    const socket = this.down
      ? connect({ host: "127.0.0.1", port: 1 }, onConnect)
      : connect({ host, port }, onConnect);
    this.open.add(socket);
    socket.on("close", () => this.open.delete(socket));
    return socket;
  };

  cut(): void {
    this.down = true;
    for (const socket of this.open) {
      socket.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    }
  }

  restore(): void {
    this.down = false;
  }
}

const checkpointFile = () => join(mkdtempSync(join(tmpdir(), "floe-gen-")), "checkpoint.json");

describe("floe ingest generate against Kafka: outages, stops and resumes", () => {
  it("rides out a 12 s loss of its Kafka connections and publishes every message exactly once", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("genblip");
    const sockets = new CuttableSockets();
    const kafka = new Kafka({
      clientId: "floe-generator-test",
      brokers: [...endpointsFromEnv().brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 3_000 },
      socketFactory: sockets.factory,
    });
    const events: PublishEvent[] = [];
    const publishing = publishShopRun({
      ...SHOP,
      topics: defaultTopicNames(run.topicPrefix),
      kafka,
      rate: 2_000,
      onEvent: (e) => events.push(e),
    });
    while (!events.some((e) => e.kind === "phase" && e.phase === "publishing")) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    sockets.cut();
    await new Promise((r) => setTimeout(r, 12_000));
    sockets.restore();
    const outcome = await publishing;
    const retries = events.filter((e) => e.kind === "retry").length;
    process.stderr.write(`[generator.int] ${retries} retries through the cut\n`);
    expect(retries).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ state: "complete", published: SHOP.events });
    await expectExactlyTheStream(run.topicPrefix, outcome.ledger);
  });

  it("aborted while publishing, then resumed: every generated message in the topics exactly once", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("genabort");
    const options: PublishOptions = {
      ...SHOP,
      topics: defaultTopicNames(run.topicPrefix),
      checkpoint: checkpointFile(),
    };
    const controller = new AbortController();
    let armed = false;
    const first = await publishShopRun({
      ...options,
      rate: 8_000,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind !== "phase" || e.phase !== "publishing" || armed) return;
        armed = true;
        setTimeout(() => controller.abort(), 1_000);
      },
    });
    expect(first.state).toBe("stopped");
    expect(first.published).toBeGreaterThan(0);
    expect(first.published).toBeLessThan(SHOP.events);

    const resumed = await publishShopRun({ ...options, resume: true });
    expect(resumed).toMatchObject({ state: "complete", published: SHOP.events });
    await expectExactlyTheStream(run.topicPrefix, resumed.ledger);
  });

  it("killed after Kafka took a batch but before the checkpoint said so: the resume skips that batch", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("genkill");
    const file = fileCheckpointStore(checkpointFile());
    let writes = 0;
    // The process "dies" when it records the fourth acknowledged batch: Kafka holds it, the file does not.
    const dying: CheckpointStore = {
      path: file.path,
      read: () => file.read(),
      write: async (c) => {
        if (++writes === 5) throw new Error("killed");
        await file.write(c);
      },
    };
    const options: PublishOptions = { ...SHOP, topics: defaultTopicNames(run.topicPrefix) };
    await expect(publishShopRun({ ...options, checkpoint: dying })).rejects.toThrow("killed");
    expect(await file.read()).toMatchObject({ published: 3 * 2_000 });

    const events: PublishEvent[] = [];
    const resumed = await publishShopRun({
      ...options,
      checkpoint: file,
      resume: true,
      onEvent: (e) => events.push(e),
    });
    expect(events).toContainEqual({ kind: "resumed", from: 6_000, total: SHOP.events, landed: 2_000 });
    await expectExactlyTheStream(run.topicPrefix, resumed.ledger);
  });
});
