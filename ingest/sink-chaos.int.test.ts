import { randomInt } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type Admin, ConfigResourceTypes, Partitioners } from "kafkajs";
import { beforeAll, describe, expect, it } from "vitest";
import { withRetry } from "../core/retry.js";
import { stackUp } from "../stack/launcher.js";
import { CuttableProxy, killStackService } from "../testing/faults.js";
import { TOPIC_KINDS, type TopicKind } from "./contracts.js";
import { endpointsFromEnv, kafkaClient } from "./endpoints.js";
import {
  buildCli,
  comparableLedger,
  rawTablesLedger,
  readDlq,
  SinkChild,
  type SinkExit,
  sinkChildArgs,
  tableOf,
  testShop,
  topicMessageCount,
  trinoQuery,
  uniqueRun,
  verifyRawTables,
} from "./int-helpers.js";
import {
  defaultTopicNames,
  idempotentProducer,
  PUBLISH_RETRY,
  publishShopRun,
  topicName,
} from "./producer.js";
import type { PublishEvent } from "./publish-loop.js";
import { Random } from "./random.js";
import type { LedgerOrder } from "./shop-ledger.js";

/**
 * Issue 12, "make the class impossible": while the generator publishes a shop, Kafka, S3 and the sink are
 * killed or cut at random moments and hostile messages go into the same topics; at the end the raw tables
 * hold exactly the generator's ledger and the DLQ holds every hostile message and nothing but those and the
 * generator's malformed ones.
 *
 * The moments come from a seed, printed with the schedule: `FLOE_CHAOS_SEED=<seed>` replays the same shop,
 * hostile messages and schedule (the timing of the machine itself does not replay).
 *
 * It kills the shared stack's Kafka (and brings it back with `stackUp()`), so it disrupts any other test
 * using the stack while it runs.
 */
const SEED = process.env.FLOE_CHAOS_SEED ? Number(process.env.FLOE_CHAOS_SEED) : randomInt(1, 2 ** 31);
const EVENTS = 40_000;
/**
 * ~235 s of publishing, so that every fault lands while the generator runs: each takes up to ~50 s with the
 * pipeline's recovery (a SIGKILLed sink holds its partitions until its 30 s session times out; after a Kafka
 * restart the group takes about as long to form again).
 */
const RATE = 170;
const SHOP = testShop(EVENTS, SEED);

/**
 * The first fault comes this long (ms) after the sink's first file, each next one this long after the
 * pipeline recovered from the one before.
 */
const FIRST_FAULT_MS = [5_000, 30_000] as const;
const NEXT_FAULT_MS = [0, 15_000] as const;
/**
 * After a fault, the next waits until a sink has made a new file durable again (at most this long): each
 * fault then hits a working pipeline, not a sink still waiting for its partitions or one already down.
 */
const RECOVERY_MS = 60_000;
/** Hostile messages go out in this window. */
const HOSTILE_WINDOW = [2_000, 210_000] as const;
const HOSTILE_ROUNDS = 3;

const HOSTILE_KINDS = [
  "deep-nesting",
  "invalid-utf8",
  "far-future",
  "attribute-minus-1e400",
  "not-json",
  "empty",
  "near-max-size",
] as const;
type HostileKind = (typeof HOSTILE_KINDS)[number];

type FaultKind = "sink-kill" | "kafka-kill" | "s3-cut";
/** Per fault: how long it lasts — the sink's restart delay, Kafka's time down before `stackUp`, S3's cut. */
const HOLD_MS: Record<FaultKind, readonly [number, number]> = {
  "sink-kill": [200, 3_000],
  "kafka-kill": [2_000, 8_000],
  "s3-cut": [5_000, 15_000],
};

interface PlannedFault {
  readonly kind: FaultKind;
  /** Wait before it (see FIRST_FAULT_MS, NEXT_FAULT_MS). */
  readonly afterMs: number;
  readonly holdMs: number;
}

interface PlannedHostile {
  readonly n: number;
  readonly kind: HostileKind;
  readonly at: number;
  readonly topic: TopicKind;
  readonly partition: number;
  /** Messages of one burst go out back to back, so the sink dead-letters them in one DLQ send. */
  readonly burst?: number;
}

/**
 * Each round's near-max message goes out in a burst with two other hostile messages right after it. Their
 * letters make one DLQ send that the DLQ refuses as too large for one of its partitions while it writes the
 * others; the two partners share a DLQ partition the big letter does not (see `burstKey`), which is what a
 * retry of that send has to get right: kafkajs 2.2.4's idempotent producer rolls back the sequence numbers of
 * every partition of a failed request, written or not.
 */
const BURST_PARTNERS = 2;

/** The run's schedule, from the seed alone. */
function plan(seed: number): { faults: PlannedFault[]; hostiles: PlannedHostile[] } {
  const rng = new Random(seed ^ 0x5eed);
  // One of each, and one more of any kind.
  const all: FaultKind[] = ["sink-kill", "kafka-kill", "s3-cut"];
  const kinds = [...all, rng.pick(all)];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  const faults = kinds.map((kind, i) => {
    const [least, most] = i === 0 ? FIRST_FAULT_MS : NEXT_FAULT_MS;
    return { kind, afterMs: rng.int(least, most), holdMs: rng.int(...HOLD_MS[kind]) };
  });
  const hostiles: Omit<PlannedHostile, "n">[] = [];
  const where = () => ({
    at: rng.int(...HOSTILE_WINDOW),
    topic: rng.pick(TOPIC_KINDS),
    partition: rng.int(0, 2),
  });
  for (let round = 0; round < HOSTILE_ROUNDS; round++) {
    const others = HOSTILE_KINDS.filter((k) => k !== "near-max-size");
    const partners: HostileKind[] = [];
    while (partners.length < BURST_PARTNERS) {
      const kind = rng.pick(others.filter((k) => !partners.includes(k)));
      partners.push(kind);
    }
    const burst = where();
    for (const kind of ["near-max-size", ...partners] as const)
      hostiles.push({ kind, ...burst, burst: round });
    for (const kind of others.filter((k) => !partners.includes(k))) hostiles.push({ kind, ...where() });
  }
  // Stable: a burst keeps its near-max message first.
  hostiles.sort((a, b) => a.at - b.at);
  return { faults, hostiles: hostiles.map((h, n) => ({ ...h, n })) };
}

/** A valid event of the topic (so that only its hostile part can send it to the DLQ). */
function validEvent(topic: TopicKind, id: string, eventTime: string): Record<string, unknown> {
  const envelope = { event_id: id, event_time: eventTime };
  switch (topic) {
    case "user-events":
      return {
        ...envelope,
        event_type: "product_view",
        user_id: "chaos-u",
        session_id: "chaos-s",
        product_id: "chaos-p",
      };
    case "product-metadata":
      return { ...envelope, event_type: "product_updated", product_id: "chaos-p" };
    case "orders":
      return {
        ...envelope,
        event_type: "order_created",
        order_id: `chaos-${id}`,
        customer_id: "chaos-c",
        amount: 10,
        currency: "USD",
        country: "US",
        items: [{ sku: "chaos-sku", qty: 1, unit_price: 10 }],
      };
  }
}

/** A free-text field of each topic's contract (v2 where only v2 has one). */
const FREE_TEXT: Record<TopicKind, { field: string; version: 1 | 2 }> = {
  "user-events": { field: "referrer", version: 2 },
  "product-metadata": { field: "name", version: 1 },
  orders: { field: "payment_method", version: 2 },
};

/** Not UTF-8: a byte that never starts a sequence, a truncated one, and an encoded UTF-16 surrogate. */
const INVALID_UTF8 = Buffer.from([0x63, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x21]);

/** `event` as JSON with `tail` (raw JSON text, or bytes) spliced in before the closing brace. */
function withTail(event: Record<string, unknown>, ...tail: (string | Buffer)[]): Buffer {
  const json = JSON.stringify(event);
  return Buffer.concat([
    Buffer.from(json.slice(0, -1)),
    ...tail.map((t) => Buffer.from(t)),
    Buffer.from("}"),
  ]);
}

/** The bytes of a hostile message and the event id it carries, if any. */
function hostileValue(
  h: PlannedHostile,
  rng: Random,
  key: string,
  maxMessageBytes: number,
): { value: Buffer; eventId?: string } {
  const eventId = rng.uuid();
  const event = validEvent(h.topic, eventId, "2026-03-02T12:00:00.000Z");
  switch (h.kind) {
    case "deep-nesting":
      return { value: withTail(event, `,"nested":${"[".repeat(10_000)}${"]".repeat(10_000)}`), eventId };
    case "invalid-utf8": {
      const { field, version } = FREE_TEXT[h.topic];
      return {
        value: withTail({ ...event, schema_version: version }, `,"${field}":"`, INVALID_UTF8, `"`),
        eventId,
      };
    }
    case "far-future":
      return {
        value: Buffer.from(JSON.stringify({ ...event, event_time: "9999-12-31T00:00:00.000Z" })),
        eventId,
      };
    case "attribute-minus-1e400":
      return { value: withTail(event, `,"discount":-1e400`), eventId };
    case "not-json":
      // A NUL first: no prefix of it parses as JSON, whatever the random bytes after it.
      return { value: Buffer.from([0, ...Array.from({ length: 64 }, () => rng.int(0, 255))]) };
    case "empty":
      return { value: Buffer.alloc(0) };
    case "near-max-size": {
      // As big as one record batch of it may be: the batch header (61 bytes) and the record's own framing
      // (~15) stay inside the slack, so Kafka takes it; its DLQ copy adds headers (reason, coordinates).
      const head = withTail(event, `,"padding":"`);
      const size = maxMessageBytes - 128 - key.length;
      return {
        value: Buffer.concat([
          head.subarray(0, -1),
          Buffer.alloc(size - head.length - 1, "x"),
          Buffer.from(`"}`),
        ]),
        eventId,
      };
    }
  }
}

/** The DLQ partition the sink's producer (kafkajs' default partitioner) puts a letter with a key in. */
interface DlqPartitions {
  readonly count: number;
  of(key: string): number;
}

async function dlqPartitions(admin: Admin, dlq: string): Promise<DlqPartitions> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [dlq] });
  const partitionMetadata = topics[0]?.partitions ?? [];
  const partitioner = Partitioners.DefaultPartitioner();
  return {
    count: partitionMetadata.length,
    of: (key) => partitioner({ topic: dlq, partitionMetadata, message: { key, value: null } }),
  };
}

/** A key for hostile #n whose letter goes to the DLQ partition after `avoid` (the same for every partner). */
function burstKey(n: number, dlq: DlqPartitions, avoid: number): string {
  for (let i = 0; ; i++) {
    const key = `chaos-hostile-${n}-${i}`;
    if (dlq.of(key) === (avoid + 1) % dlq.count) return key;
  }
}

/** One thing at a time: a hostile send never overlaps a Kafka outage, so every send has a clear outcome. */
class Gate {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.last.then(fn, fn);
    this.last = next.catch(() => {});
    return next;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The smallest `max.message.bytes` of the topics: the broker's limit for a record batch in them. */
async function maxMessageBytes(admin: Admin, topics: readonly string[]): Promise<number> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ["max.message.bytes"],
    })),
  });
  return Math.min(...resources.map((r) => Number(r.configEntries[0]?.configValue)));
}

/** Stops a child sink with `signal`; SIGKILLs it when it has not exited within `timeoutMs` (undefined then). */
async function stopWithin(child: SinkChild, signal: NodeJS.Signals | null, timeoutMs: number) {
  if (signal) child.kill(signal);
  const exit = await Promise.race([child.exited, sleep(timeoutMs).then(() => undefined)]);
  if (!exit) {
    child.kill("SIGKILL");
    await child.exited;
  }
  return exit;
}

/** Orders that differ between two lists (by id), the first few named: the full lists run to thousands. */
function orderDifferences(raw: readonly LedgerOrder[], ledger: readonly LedgerOrder[]): string[] {
  const byId = new Map(raw.map((o) => [o.order_id, o]));
  const differ: string[] = [];
  for (const order of ledger) {
    const other = byId.get(order.order_id);
    byId.delete(order.order_id);
    if (!other) differ.push(`${order.order_id} missing from raw`);
    else if (!isDeepStrictEqual(other, order)) differ.push(`${order.order_id}: raw ${JSON.stringify(other)}`);
  }
  for (const id of byId.keys()) differ.push(`${id} only in raw`);
  return differ.length > 10 ? [...differ.slice(0, 10), `… ${differ.length - 10} more`] : differ;
}

const tail = (exit: SinkExit | undefined, child: SinkChild) => (exit?.output ?? child.output).slice(-3_000);

describe("floe ingest sink under chaos", () => {
  beforeAll(buildCli, 300_000);

  it("Kafka, S3 and the sink killed at random while the generator runs, hostile messages mixed in: raw = ledger, every hostile message in the DLQ", {
    timeout: 900_000,
  }, async () => {
    const run = uniqueRun("chaos");
    const schedule = plan(SEED);
    const log = (line: string) => process.stderr.write(`[chaos.int] ${line}\n`);
    // Every sink child's output is kept, to follow a message through the kills afterwards.
    const logs = mkdtempSync(join(tmpdir(), `floe-${run.id}-`));
    log(
      `seed ${SEED} (replay: FLOE_CHAOS_SEED=${SEED}); ${EVENTS} events at ${RATE}/s; run ${run.id}; sink logs in ${logs}`,
    );
    for (const f of schedule.faults) {
      log(`planned ${f.kind} ${f.afterMs / 1000} s after the pipeline works, for ${f.holdMs / 1000} s`);
    }
    log(
      `planned hostile: ${schedule.hostiles.map((h) => `#${h.n} ${h.kind} → ${h.topic}[${h.partition}] at ${h.at / 1000} s`).join("; ")}`,
    );

    const s3 = new URL(endpointsFromEnv().s3Endpoint ?? "");
    const proxy = new CuttableProxy({ host: s3.hostname, port: Number(s3.port) });
    await proxy.open();
    // The sink children reach S3 only through the proxy, so an S3 cut is theirs alone.
    const sinkEnv = { ...process.env, FLOE_S3_ENDPOINT: `http://127.0.0.1:${proxy.port}` };
    const kafka = kafkaClient(endpointsFromEnv(), "floe-chaos-hostile");
    const admin = kafka.admin();
    const producer = idempotentProducer(kafka);
    const gate = new Gate();
    const sinks: SinkChild[] = [];
    const newSink = (args: string[]): SinkChild => {
      const child = new SinkChild(args, sinkEnv);
      sinks.push(child);
      const file = join(logs, `sink-${sinks.length}.log`);
      void child.exited.then((exit) =>
        writeFileSync(file, `${exit.output}\n(exit ${exit.code}, signal ${exit.signal})\n`),
      );
      return child;
    };
    const killedByTest = new Set<SinkChild>();
    const unexpectedExits: string[] = [];
    let stopping = false;
    let current: SinkChild | undefined;
    // The concurrent parts of the run, awaited in `finally` too: no fault may still be under way (S3 cut,
    // Kafka restarting) when the test cleans up and checks the stack.
    let faulting: Promise<void> | undefined;
    let hostile: Promise<void> | undefined;

    try {
      // The DLQ exists before anything runs, created by someone else with the broker's default limit (the
      // generator now creates it the sink's way, larger than any source's limit): the sink leaves an existing
      // DLQ as it is, so the letter of a near-max message does not fit, which is what the bursts need.
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: run.dlq, numPartitions: 3, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      // The generator first: it creates the source topics, and the clock starts when it publishes.
      const genEvents: PublishEvent[] = [];
      let publishingSince: number | undefined;
      let generatorDone = false;
      const publishing = publishShopRun({
        ...SHOP,
        topics: defaultTopicNames(run.topicPrefix),
        rate: RATE,
        onEvent: (e) => {
          genEvents.push(e);
          if (e.kind === "phase" && e.phase === "publishing") publishingSince ??= Date.now();
        },
      }).finally(() => {
        generatorDone = true;
      });
      publishing.catch(() => {});
      while (publishingSince === undefined && !generatorDone) await sleep(100);
      const t0 = publishingSince ?? Date.now();
      const clock = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

      // The sink runs as a child so it can be SIGKILLed; one that exits unasked is a failure (and restarted,
      // so the rest of the run still tells what else holds).
      const chaosArgs = sinkChildArgs(run, "--flush-records", "2000", "--flush-interval", "5s");
      const startSink = (): SinkChild => {
        const child = newSink(chaosArgs);
        current = child;
        void child.exited.then((exit) => {
          if (killedByTest.has(child)) return;
          unexpectedExits.push(
            `sink ${sinks.indexOf(child) + 1} exited by itself at ${clock()} (code ${exit.code}, signal ${exit.signal}): ${exit.output.slice(-1_500)}`,
          );
          if (!stopping && current === child) {
            setTimeout(() => {
              if (!stopping) startSink();
            }, 1_000);
          }
        });
        return child;
      };
      startSink();

      // Hostile messages, each at its moment, to its topic and partition; counted by their acknowledged
      // coordinates.
      await producer.connect();
      const topics = TOPIC_KINDS.map((k) => topicName({ prefix: run.topicPrefix }, k));
      const limit = await maxMessageBytes(admin, topics);
      log(`topics' max.message.bytes: ${limit}`);
      const hostileRng = new Random(SEED ^ 0xbad);
      const sent: (PlannedHostile & {
        key: string;
        eventId?: string;
        bytes: number;
        coordinates: string;
        sentAt: string;
      })[] = [];
      const dlqOf = await dlqPartitions(admin, run.dlq);
      const sends: PlannedHostile[][] = [];
      for (const h of schedule.hostiles) {
        const last = sends[sends.length - 1];
        if (h.burst !== undefined && last?.[0]?.burst === h.burst) last.push(h);
        else sends.push([h]);
      }
      hostile = (async () => {
        for (const group of sends) {
          const first = group[0] as PlannedHostile;
          await sleep(t0 + first.at - Date.now());
          const topic = topicName({ prefix: run.topicPrefix }, first.topic);
          // A burst's partners go to one DLQ partition, not the near-max letter's.
          const avoid = dlqOf.of(`chaos-hostile-${first.n}`);
          const messages = group.map((h, i) => {
            const key = i === 0 ? `chaos-hostile-${h.n}` : burstKey(h.n, dlqOf, avoid);
            return { h, key, ...hostileValue(h, hostileRng, key, limit) };
          });
          // The near-max message alone (with another record its batch would exceed the limit), its partners
          // right after: adjacent offsets, so the sink fetches and dead-letters them together.
          const requests = [messages.slice(0, 1), messages.slice(1)].filter((r) => r.length > 0);
          await gate.run(async () => {
            for (const request of requests) {
              const [meta] = await withRetry(PUBLISH_RETRY, () =>
                producer.send({
                  topic,
                  acks: -1,
                  messages: request.map(({ key, value }) => ({ key, value, partition: first.partition })),
                }),
              );
              if (!meta?.baseOffset) throw new Error(`no acknowledgement for hostile #${first.n}`);
              const base = BigInt(meta.baseOffset);
              request.forEach(({ h, key, value, eventId }, i) => {
                sent.push({
                  ...h,
                  key,
                  ...(eventId ? { eventId } : {}),
                  bytes: value.length,
                  coordinates: `${topic}/${meta.partition}/${base + BigInt(i)}`,
                  sentAt: clock(),
                });
              });
            }
          });
        }
      })();

      // Faults, one after another: the first a while after the sink's first file, each next one a while after
      // the pipeline works again (a sink made a new file durable).
      const faults: string[] = [];
      const filesSoFar = () => sinks.reduce((n, child) => n + child.files, 0);
      /** Seconds until a sink makes a new file durable, or undefined after RECOVERY_MS without one. */
      const recovery = async (): Promise<number | undefined> => {
        const [since, before] = [Date.now(), filesSoFar()];
        while (filesSoFar() === before) {
          if (Date.now() - since > RECOVERY_MS) return undefined;
          await sleep(250);
        }
        return (Date.now() - since) / 1000;
      };
      faulting = (async () => {
        await recovery();
        for (const f of schedule.faults) {
          await sleep(f.afterMs);
          const startedAt = clock();
          const during = generatorDone ? "after the generator finished" : "while the generator runs";
          let detail: string;
          if (f.kind === "sink-kill") {
            const victim = current as SinkChild;
            killedByTest.add(victim);
            victim.kill("SIGKILL");
            await victim.exited;
            await sleep(f.holdMs);
            startSink();
            detail = `sink ${sinks.indexOf(victim) + 1} SIGKILLed after ${victim.files} files, sink ${sinks.length} started ${f.holdMs} ms later`;
          } else if (f.kind === "kafka-kill") {
            detail = await gate.run(async () => {
              const pid = await killStackService("kafka");
              await sleep(f.holdMs);
              const restarting = Date.now();
              await stackUp();
              return `Kafka (pid ${pid}) SIGKILLed, down ${f.holdMs} ms, healthy again ${((Date.now() - restarting) / 1000).toFixed(1)} s after stackUp`;
            });
          } else {
            await proxy.cut();
            await sleep(f.holdMs);
            await proxy.open();
            detail = `S3 cut for the sink for ${f.holdMs} ms`;
          }
          const ended = clock();
          const recovered = await recovery();
          faults.push(
            `${f.kind} at ${startedAt} ${during}, until ${ended}: ${detail}; ` +
              (recovered === undefined
                ? `no new file within ${RECOVERY_MS / 1000} s after it`
                : `files again ${recovered.toFixed(1)} s after it`),
          );
          log(faults[faults.length - 1] as string);
        }
      })();
      // Handled here so a failure waits for the awaits below instead of surfacing as unhandled.
      faulting.catch(() => {});
      hostile.catch(() => {});

      const outcome = await publishing;
      const generatorRetries = genEvents.filter((e) => e.kind === "retry").length;
      log(`generator ${outcome.state} at ${clock()}: ${outcome.published} of ${outcome.total} published`);
      await faulting;
      await hostile;
      log(
        `${sent.length} hostile messages sent: ${sent.map((h) => `#${h.n} ${h.kind} ${h.coordinates} at ${h.sentAt}`).join("; ")}`,
      );

      // The end: the chaos sink stops on SIGTERM (flush, commit), then a sink runs until idle.
      stopping = true;
      const last = current as SinkChild;
      killedByTest.add(last);
      const lastExit = await stopWithin(last, "SIGTERM", 45_000);
      log(
        `chaos sink on SIGTERM at ${clock()}: ${lastExit ? `exit ${lastExit.code}` : "still running after 45 s, SIGKILLed"}`,
      );
      const final = newSink(sinkChildArgs(run, "--flush-records", "2000", "--until-idle"));
      killedByTest.add(final);
      const finalExit = await stopWithin(final, null, 90_000);
      log(
        `final sink at ${clock()}: ${finalExit ? `exit ${finalExit.code}` : "still running after 90 s, SIGKILLed"}; ${(
          finalExit?.output ?? ""
        )
          .split("\n")
          .filter((l) => l.startsWith("sink stopped"))
          .join("")}`,
      );

      // What went in: every generated message and every hostile one, once (across the Kafka kill too).
      let inTopics = 0;
      for (const topic of topics) inTopics += await topicMessageCount(topic);

      const { rows, problems } = await verifyRawTables(run.topics, SHOP);
      const raw = await rawTablesLedger(run.topicPrefix, outcome.ledger);
      const [rawSide, ledgerSide] = [comparableLedger(raw), comparableLedger(outcome.ledger)];
      const rawEqualsLedger = isDeepStrictEqual(rawSide, ledgerSide);

      // The DLQ is at-least-once across crashes: count by the source coordinates in its headers.
      const dlq = await readDlq(run.dlq);
      const reasons = new Map(
        dlq.map((h) => [`${h.source_topic}/${h.source_partition}/${h.source_offset}`, h]),
      );
      const hostileCoordinates = new Set(sent.map((h) => h.coordinates));
      const others = [...reasons.keys()].filter((c) => !hostileCoordinates.has(c));
      const missing = sent.filter((h) => !reasons.has(h.coordinates));
      // A hostile event that is not in the DLQ: did it become a row?
      const asRows = new Set<string>();
      const ids = sent.flatMap((h) => (h.eventId ? [`'${h.eventId}'`] : []));
      for (const topic of topics) {
        for (const [id] of await trinoQuery(
          `SELECT event_id FROM ${tableOf(topic)} WHERE event_id IN (${ids.join(", ")})`,
        ))
          asRows.add(String(id));
      }
      for (const h of sent) {
        const letter = reasons.get(h.coordinates);
        // The sink prints "dlq <topic>[<partition>]@<offset>" once the DLQ acknowledged a letter.
        const [topic, partition, offset] = h.coordinates.split("/");
        const acked = sinks
          .map((child, i) => (child.output.includes(`dlq ${topic}[${partition}]@${offset}:`) ? i + 1 : 0))
          .filter((i) => i > 0);
        const where = letter
          ? `DLQ (${letter.value_bytes} bytes): ${letter.error?.slice(0, 160)}`
          : h.eventId && asRows.has(h.eventId)
            ? "NOT in the DLQ: stored as a raw row"
            : `NOT in the DLQ, not a row${acked.length > 0 ? `; acknowledged to sink(s) ${acked.join(", ")}` : ""}`;
        log(
          `hostile #${h.n} ${h.kind}${h.burst === undefined ? "" : ` (burst ${h.burst})`} (${h.bytes} bytes) ${h.coordinates}: ${where}`,
        );
      }
      const sinkKills = faults.filter((f) => f.startsWith("sink-kill")).length;
      log(
        `figures: seed ${SEED}; ${outcome.published} events (${outcome.ledger.messages.valid} valid, ${outcome.ledger.messages.malformed} malformed) + ${sent.length} hostile; ` +
          `faults: ${faults.length} (${sinkKills} sink kills, ${generatorRetries} generator retries); ` +
          `DLQ ${dlq.length} letters, ${reasons.size} distinct (${sent.length - missing.length} hostile + ${others.length} others); ` +
          `raw rows ${rows}; raw = ledger: ${rawEqualsLedger ? "yes" : "no"}`,
      );

      expect.soft(outcome).toMatchObject({ state: "complete", published: EVENTS });
      // The Kafka kill was real: the generator had to retry through it.
      expect.soft(generatorRetries).toBeGreaterThan(0);
      expect.soft(faults.filter((f) => !f.includes("while the generator runs"))).toEqual([]);
      expect.soft(sent).toHaveLength(schedule.hostiles.length);
      expect.soft(inTopics).toBe(EVENTS + sent.length);
      expect.soft(unexpectedExits).toEqual([]);
      expect.soft(lastExit?.code, `the chaos sink on SIGTERM: ${tail(lastExit, last)}`).toBe(0);
      expect.soft(finalExit?.code, `the final sink: ${tail(finalExit, final)}`).toBe(0);
      // raw = ledger: exactly-once per offset, nothing unknown, and the rows fold to the generator's ledger.
      expect.soft(problems).toEqual([]);
      expect.soft(rows).toBe(outcome.ledger.messages.valid);
      expect
        .soft({ ...rawSide, orders: orderDifferences(rawSide.orders, ledgerSide.orders) })
        .toEqual({ ...ledgerSide, orders: [] });
      // Every hostile message in the DLQ, and nothing else there but the generator's malformed messages.
      expect.soft(missing.map((h) => `#${h.n} ${h.kind} ${h.coordinates}`)).toEqual([]);
      expect.soft(others).toHaveLength(outcome.ledger.messages.malformed);
    } finally {
      await faulting?.catch(() => {});
      await hostile?.catch(() => {});
      stopping = true;
      for (const child of sinks) {
        killedByTest.add(child);
        child.kill("SIGKILL");
      }
      await Promise.all(sinks.map((child) => child.exited));
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
      await proxy.cut();
      // Leave the stack as the next test expects it: Kafka back and healthy whatever happened above.
      await stackUp();
    }
  });
});
