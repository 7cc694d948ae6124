import type { Admin, Kafka, Producer } from "kafkajs";
import { Partitioners } from "kafkajs";
import { EnvironmentError, UsageError } from "../core/errors.js";
import { type RetryPolicy, withRetry } from "../core/retry.js";
import { DLQ_TOPIC, TOPIC_KINDS, type TopicKind } from "./contracts.js";
import { type Endpoints, endpointsFromEnv, kafkaClient } from "./endpoints.js";
import { defaultStart, type GenerateOptions, type ShopLedger } from "./generator.js";
import {
  type Checkpoint,
  type CheckpointStore,
  checkResumable,
  type EndOffsets,
  fileCheckpointStore,
  type GeneratorSettings,
  partitionKey,
} from "./publish-checkpoint.js";
import {
  assertContract,
  type PublishEvent,
  type PublishIO,
  type PublishOutcome,
  type PublishRun,
  publishStream,
  publishStreamCounts,
} from "./publish-loop.js";
import { type BurstSettings, messagesWithin, pace, REALTIME_LATE_MS } from "./realtime.js";
import type { ShopDbWriter } from "./shop-db/pg-writer.js";
import type { ShopDbCounts } from "./shop-db/shop-db-fold.js";
import { shopDbFollower } from "./shop-db/shop-db-follower.js";
import type { LedgerCounts } from "./shop-ledger.js";
import { ensureDeadLetterTopic } from "./sink/topics.js";

export { ContractViolation } from "./publish-loop.js";

/** Physical topic names: `<prefix><kind>`; the prefix keeps test runs and parallel work apart. */
export interface TopicNames {
  readonly prefix: string;
  readonly dlq: string;
}

export function topicName(names: Pick<TopicNames, "prefix">, kind: TopicKind): string {
  return `${names.prefix}${kind}`;
}

export function defaultTopicNames(prefix = ""): TopicNames {
  return { prefix, dlq: `${prefix}${DLQ_TOPIC}` };
}

/**
 * Creates the missing source topics (broker defaults, `partitions` each), then (when named) the DLQ topic the way the
 * sink would (`ensureDeadLetterTopic`: `max.message.bytes` above the sources', so the letter of a message
 * just under a source's limit still fits whole). Whoever starts first, generator or sink, the DLQ is the same.
 */
export async function ensureTopics(
  admin: Admin,
  topics: { readonly sources: readonly string[]; readonly dlq?: string | undefined },
  partitions: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.sources.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  }
  if (topics.dlq !== undefined) await ensureDeadLetterTopic(admin, topics.dlq, topics.sources, partitions);
}

/**
 * A contract-checking publisher. `send` validates every event before it is queued; `sendRaw` bypasses
 * the contract and exists only so the generator can exercise the DLQ with malformed bytes.
 */
export class ShopProducer {
  private pending: { topic: string; key: string; value: string }[] = [];

  constructor(
    private readonly producer: Producer,
    private readonly names: TopicNames,
    private readonly batchSize = 2_000,
  ) {}

  async send(kind: TopicKind, key: string, event: Record<string, unknown>): Promise<void> {
    assertContract(kind, event);
    await this.sendRaw(kind, key, JSON.stringify(event));
  }

  async sendRaw(kind: TopicKind, key: string, value: string): Promise<void> {
    this.pending.push({ topic: topicName(this.names, kind), key, value });
    if (this.pending.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.producer.sendBatch({ topicMessages: topicMessagesOf(batch), acks: -1 });
  }
}

/** A batch as kafkajs takes it: per topic, in order of first appearance, each topic's messages in order. */
function topicMessagesOf(
  batch: readonly { topic: string; key: string; value: string; partition?: number }[],
): { topic: string; messages: { key: string; value: string; partition?: number }[] }[] {
  const byTopic = new Map<string, { key: string; value: string; partition?: number }[]>();
  for (const { topic, ...message } of batch) {
    let list = byTopic.get(topic);
    if (!list) {
      list = [];
      byTopic.set(topic, list);
    }
    list.push(message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

export interface PublishOptions extends GenerateOptions {
  /** Events per second; undefined = as fast as possible. */
  readonly rate?: number;
  /** Bursts on top of `rate` (each period ends with `forMs` at the burst rate). */
  readonly burst?: BurstSettings;
  /**
   * Real time: events stamped with the wall clock as they leave (`--late` ones 10 minutes earlier), at
   * `rate` with `burst`s; with `durationMs`, as many events as the pace sends in that time. Not resumable.
   */
  readonly realtime?: boolean;
  readonly durationMs?: number;
  readonly topics?: TopicNames;
  readonly partitions?: number;
  readonly endpoints?: Endpoints;
  readonly onProgress?: (published: number) => void;
  /** Where the run records its progress (default: in memory, so it cannot be resumed). */
  readonly checkpoint?: string | CheckpointStore;
  /** Continue the run recorded in `checkpoint`; `start` defaults to the recorded one. */
  readonly resume?: boolean;
  /** Stops after the batch in flight; the outcome is then `stopped` (and resumable). */
  readonly signal?: AbortSignal;
  readonly retry?: RetryPolicy;
  readonly onEvent?: (e: PublishEvent) => void;
  /** The Kafka client (default: one for `endpoints`); tests pass one whose connections they can cut. */
  readonly kafka?: Kafka;
  /**
   * Also write the shop into its database (`--shop-db`): each acknowledged batch's row changes
   * (`shop-db/shop-db-fold.ts`). The caller owns the writer (and closes it).
   */
  readonly shopDb?: ShopDbWriter;
}

/** A run's outcome, with what it did to the shop database when it wrote one. */
export interface ShopRunOutcome<L extends LedgerCounts = ShopLedger> extends PublishOutcome<L> {
  readonly shopDb?: Readonly<ShopDbCounts>;
}

/**
 * Long enough to ride out a broker restart: about 1.5 minutes of backoff (0.5 s doubling to 10 s) between
 * 10 attempts, each of which kafkajs itself retries for a few seconds.
 */
export const PUBLISH_RETRY: RetryPolicy = { attempts: 10, baseMs: 500, maxMs: 10_000 };

/**
 * A producer whose resends are idempotent: a batch sent again after a lost ack is dropped by the broker
 * instead of written twice. It never creates topics, and places keyed messages as kafkajs' default
 * partitioner (murmur2 of the key).
 */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
}

/** Generates the shop and publishes it; resolves with the ledger of what was published. */
export async function publishShop(options: PublishOptions): Promise<ShopLedger> {
  return (await publishShopRun(options)).ledger;
}

/** Generates the shop and publishes it (or the rest of an interrupted run), exactly once per message. */
export function publishShopRun(options: PublishOptions): Promise<ShopRunOutcome> {
  return publishShopWith(options, publishStream);
}

/** The same run keeping only the ledger's counts, in constant memory (a long run writing no ledger file). */
export function publishShopCounts(options: PublishOptions): Promise<ShopRunOutcome<LedgerCounts>> {
  return publishShopWith(options, publishStreamCounts);
}

async function publishShopWith<L extends LedgerCounts>(
  options: PublishOptions,
  publish: (run: PublishRun, io: PublishIO, store: CheckpointStore) => Promise<PublishOutcome<L>>,
): Promise<ShopRunOutcome<L>> {
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const names = options.topics ?? defaultTopicNames();
  const store =
    typeof options.checkpoint === "string"
      ? fileCheckpointStore(options.checkpoint)
      : (options.checkpoint ?? memoryCheckpointStore());
  if (options.realtime && options.resume) {
    throw new UsageError("--resume cannot continue a --realtime run: its events are stamped as they leave.", {
      hint: "start a new real-time run (without --resume).",
    });
  }
  if (options.realtime && !options.rate) {
    throw new UsageError("--realtime needs --rate <events/s>.", {
      hint: "pass e.g. --realtime --rate 3000 --duration 15m.",
    });
  }
  const runPace = options.rate ? pace(options.rate, options.burst) : undefined;
  const events =
    options.realtime && options.durationMs !== undefined && runPace
      ? messagesWithin(runPace, options.durationMs)
      : options.events;
  const recorded = options.resume ? await store.read() : undefined;
  const settings: GeneratorSettings = {
    events: Math.max(0, Math.floor(events)),
    seed: options.seed ?? 42,
    start: (
      options.start ??
      (recorded ? new Date(recorded.settings.start) : options.realtime ? new Date() : defaultStart())
    ).toISOString(),
    days: options.days ?? 3,
    duplicates: options.duplicates ?? 0,
    malformed: options.malformed ?? 0,
    late: options.late ?? 0,
    oversized: options.oversized ?? true,
    topicPrefix: names.prefix,
    v3Share: options.v3Share ?? 0,
  };
  // A resume of another stream (or of nothing) is a usage error, found before Kafka is touched.
  if (options.resume) checkResumable(recorded, settings, store.path);
  // A database that is down stops the run before Kafka gets a message the database would miss.
  await options.shopDb?.ready();
  const kafka = options.kafka ?? kafkaClient(endpoints, "floe-generator");
  const admin = kafka.admin();
  const producer = idempotentProducer(kafka);
  try {
    await admin.connect();
    await producer.connect();
  } catch (error) {
    throw new EnvironmentError("KAFKA_UNREACHABLE", `Cannot reach Kafka at ${endpoints.brokers.join(",")}.`, {
      hint: "start the stack with `floe stack up` or set FLOE_KAFKA_BROKERS",
      cause: error,
    });
  }
  try {
    const topics = TOPIC_KINDS.map((k) => topicName(names, k));
    const retry = options.retry ?? PUBLISH_RETRY;
    await withRetry(retry, () =>
      ensureTopics(admin, { sources: topics, dlq: names.dlq }, options.partitions ?? 3),
    );
    const io = await kafkaPublishIO(admin, producer, topics);
    // A rate-limited run sends small batches so events leave close to their scheduled time.
    const peak = Math.max(options.rate ?? 0, options.burst?.rate ?? 0);
    const batch = options.rate ? Math.max(1, Math.min(2_000, Math.floor(peak / 10))) : 2_000;
    const follower = options.shopDb
      ? shopDbFollower({
          seed: settings.seed,
          writer: options.shopDb,
          retry,
          ...(options.signal ? { signal: options.signal } : {}),
          onRetry: (attempt, error, waitMs) =>
            options.onEvent?.({
              kind: "retry",
              attempt,
              waitMs,
              error: `shop database: ${error instanceof Error ? error.message : String(error)}`,
            }),
        })
      : undefined;
    const outcome = await publish(
      {
        settings,
        topicOf: (kind) => topicName(names, kind),
        batch,
        ...(runPace ? { pace: runPace } : {}),
        ...(options.realtime ? { realtime: { clock: Date.now, lateByMs: REALTIME_LATE_MS } } : {}),
        resume: options.resume === true,
        retry,
        ...(follower ? { follower } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onEvent: (e) => {
          if (e.kind === "progress") options.onProgress?.(e.published);
          options.onEvent?.(e);
        },
      },
      io,
      store,
    );
    return follower ? { ...outcome, shopDb: { ...follower.fold.counts } } : outcome;
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/** The loop's I/O on kafkajs: partitions placed as kafkajs' default partitioner would (murmur2 of the key). */
async function kafkaPublishIO(
  admin: Admin,
  producer: Producer,
  topics: readonly string[],
): Promise<PublishIO> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
  const partitionsOf = new Map(metadata.map((t) => [t.name, t.partitions]));
  const partitioner = Partitioners.DefaultPartitioner();
  return {
    partitionOf(topic, key) {
      const partitionMetadata = partitionsOf.get(topic) ?? [];
      return partitioner({ topic, partitionMetadata, message: { key, value: null } });
    },
    async endOffsets() {
      const offsets: EndOffsets = {};
      for (const topic of topics) {
        for (const p of await admin.fetchTopicOffsets(topic))
          offsets[partitionKey(topic, p.partition)] = Number(p.high);
      }
      return offsets;
    },
    async send(batch) {
      await producer.sendBatch({ topicMessages: topicMessagesOf(batch), acks: -1 });
    },
  };
}

/** A checkpoint kept in memory: the run cannot be resumed by another process (tests resume in-process). */
export function memoryCheckpointStore(): CheckpointStore {
  let saved: Checkpoint | undefined;
  return {
    path: "(in memory)",
    read: async () => saved,
    write: async (checkpoint) => {
      saved = checkpoint;
    },
  };
}
