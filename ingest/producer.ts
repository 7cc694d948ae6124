import type { Admin, Producer } from "kafkajs";
import { Partitioners } from "kafkajs";
import { EnvironmentError, FloeError } from "../core/errors.js";
import { DLQ_TOPIC, parseEvent, TOPIC_KINDS, type TopicKind } from "./contracts.js";
import { type Endpoints, endpointsFromEnv, kafkaClient } from "./endpoints.js";
import { type GeneratedMessage, type GenerateOptions, generateShop, type ShopLedger } from "./generator.js";

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

export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  await admin.createTopics({
    topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    waitForLeaders: true,
  });
}

/** Raised when the producer is handed an event that breaks its contract: it never reaches Kafka. */
export class ContractViolation extends FloeError {
  constructor(kind: TopicKind, reason: string) {
    super("CONTRACT", `refusing to publish an invalid ${kind} event: ${reason}`, {
      hint: "fix the event so it matches ingest/contracts.ts",
      exitCode: 1,
    });
  }
}

/**
 * A contract-checking publisher. `send` validates every event before it is queued; `sendRaw` bypasses
 * the contract and exists only so the generator can exercise the DLQ with malformed bytes.
 */
export class ShopProducer {
  private readonly pending = new Map<string, { key: string; value: string }[]>();
  private queued = 0;

  constructor(
    private readonly producer: Producer,
    private readonly names: TopicNames,
    private readonly batchSize = 2_000,
  ) {}

  async send(kind: TopicKind, key: string, event: Record<string, unknown>): Promise<void> {
    const result = parseEvent(kind, event);
    if (!result.ok) throw new ContractViolation(kind, result.reason);
    await this.sendRaw(kind, key, JSON.stringify(event));
  }

  async sendRaw(kind: TopicKind, key: string, value: string): Promise<void> {
    const topic = topicName(this.names, kind);
    let list = this.pending.get(topic);
    if (!list) {
      list = [];
      this.pending.set(topic, list);
    }
    list.push({ key, value });
    if (++this.queued >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.queued === 0) return;
    const topicMessages = [...this.pending].map(([topic, messages]) => ({ topic, messages }));
    this.pending.clear();
    this.queued = 0;
    await this.producer.sendBatch({ topicMessages, acks: -1 });
  }
}

export interface PublishOptions extends GenerateOptions {
  /** Events per second; undefined = as fast as possible. */
  readonly rate?: number;
  readonly topics?: TopicNames;
  readonly partitions?: number;
  readonly endpoints?: Endpoints;
  readonly onProgress?: (published: number) => void;
}

/** Generates the shop and publishes it; resolves with the ledger of what was published. */
export async function publishShop(options: PublishOptions): Promise<ShopLedger> {
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const names = options.topics ?? defaultTopicNames();
  const kafka = kafkaClient(endpoints, "floe-generator");
  const admin = kafka.admin();
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
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
    const topics = [...TOPIC_KINDS.map((k) => topicName(names, k)), names.dlq];
    await ensureTopics(admin, topics, options.partitions ?? 3);
    const { messages, ledger } = generateShop(options);
    // A rate-limited run flushes small batches so events leave close to their scheduled time.
    const batch = options.rate ? Math.max(1, Math.min(2_000, Math.floor(options.rate / 10))) : 2_000;
    const shop = new ShopProducer(producer, names, batch);
    const began = Date.now();
    let published = 0;
    for (const message of messages) {
      await publishOne(shop, message);
      published++;
      if (published % 10_000 === 0) options.onProgress?.(published);
      if (options.rate && published % batch === 0) {
        const due = began + (published / options.rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
    await shop.flush();
    options.onProgress?.(published);
    return ledger;
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

function publishOne(shop: ShopProducer, message: GeneratedMessage): Promise<void> {
  // Malformed messages and duplicates (already validated once) go out as their original bytes.
  if (message.event && !message.duplicate) return shop.send(message.kind, message.key, message.event);
  return shop.sendRaw(message.kind, message.key, message.value);
}
