import { ALERTS_TOPIC } from "../../core/alert.js";
import { EnvironmentError } from "../../core/errors.js";
import type { TopicKind } from "../contracts.js";
import { type Endpoints, kafkaClient } from "../endpoints.js";
import { KafkaAlertPublisher } from "./alert-publisher.js";
import { KafkaStreamSource } from "./kafka-source.js";
import { type Phase, StreamProcessor } from "./processor.js";
import { connectRedis, RedisStreamStore, redactUrl } from "./redis-store.js";
import { StreamMetrics } from "./stream-metrics.js";

/** `floe stream`'s defaults, declared once (the CLI flags and serve read them). */
export const STREAM_DEFAULTS = {
  inventoryTopic: "db.inventory",
  eventKinds: ["user-events", "orders"] as readonly TopicKind[],
  groupId: "floe-stream",
  topicWaitMs: 30_000,
  /** How often an idle processor checks that Redis still holds its offsets. */
  verifyEveryMs: 2_000,
} as const;

export interface StreamOptions {
  readonly redisUrl: string;
  readonly endpoints: Endpoints;
  /** The Debezium topic of inventory; default `db.inventory`. */
  readonly inventoryTopic?: string;
  /** Event topics and their contract; default user-events and orders. */
  readonly eventTopics?: ReadonlyMap<string, TopicKind>;
  readonly alertsTopic?: string;
  readonly groupId?: string;
  /** Prefix of every Redis key; "" (tests isolate themselves with one). */
  readonly keyPrefix?: string;
  readonly signal: AbortSignal;
  readonly metrics?: StreamMetrics;
  readonly onEvent?: (event: StreamEvent) => void;
  /** How long to wait for the source topics to exist (Debezium creates db.inventory at its snapshot). */
  readonly topicWaitMs?: number;
  readonly verifyEveryMs?: number;
}

export type StreamEvent =
  | { kind: "started"; topics: readonly string[]; redis: string }
  | { kind: "phase"; phase: Phase; reason: string }
  | { kind: "invalid"; topic: string; reason: string };

/**
 * The real-time view (README, "Real-time view"): Kafka → Redis until `signal` aborts. Resolves after a
 * clean stop; rejects with the error that stopped it (Redis or Kafka unreachable, a source topic missing).
 */
export async function runStream(options: StreamOptions): Promise<void> {
  const eventTopics =
    options.eventTopics ?? new Map(STREAM_DEFAULTS.eventKinds.map((kind) => [kind as string, kind]));
  const inventory = options.inventoryTopic ?? STREAM_DEFAULTS.inventoryTopic;
  const topics = [inventory, ...eventTopics.keys()];
  const alertsTopic = options.alertsTopic ?? ALERTS_TOPIC;
  const metrics = options.metrics ?? new StreamMetrics();
  const kafka = kafkaClient(options.endpoints, "floe-stream");

  await prepareTopics(kafka, topics, alertsTopic, options);
  if (options.signal.aborted) return;
  const client = await connectRedis(options.redisUrl);
  const store = new RedisStreamStore(client, options.keyPrefix ?? "");
  const source = new KafkaStreamSource(kafka, topics, options.groupId ?? STREAM_DEFAULTS.groupId);
  const alerts = new KafkaAlertPublisher(kafka, alertsTopic);
  const processor = new StreamProcessor({
    store,
    source,
    alerts,
    topics: { inventory, events: eventTopics },
    keyPrefix: options.keyPrefix ?? "",
    observer: {
      onPhase: (phase, reason) => {
        metrics.recordPhase(phase);
        options.onEvent?.({ kind: "phase", phase, reason });
      },
      onApplied: (report) => metrics.recordApplied(report),
      onInvalid: (topic, reason) => {
        metrics.invalid.inc({ topic });
        options.onEvent?.({ kind: "invalid", topic, reason });
      },
      onAlerts: (count) => metrics.alerts.inc(count),
    },
  });
  const stop = () => void source.stop();
  options.signal.addEventListener("abort", stop, { once: true });
  let verifying: NodeJS.Timeout | undefined;
  try {
    await source.start((batch) => processor.handle(batch));
    await processor.sync();
    verifying = setInterval(() => {
      processor.verify().catch((error: unknown) => source.fail(error));
    }, options.verifyEveryMs ?? STREAM_DEFAULTS.verifyEveryMs);
    options.onEvent?.({ kind: "started", topics, redis: redactUrl(options.redisUrl) });
    if (options.signal.aborted) await source.stop();
    await source.stopped();
  } finally {
    clearInterval(verifying);
    options.signal.removeEventListener("abort", stop);
    processor.stop();
    await source.stop();
    await alerts.close();
    await store.close();
  }
}

/** The source topics must exist (waited for a while); the alerts topic is created when missing. */
async function prepareTopics(
  kafka: ReturnType<typeof kafkaClient>,
  topics: readonly string[],
  alertsTopic: string,
  options: StreamOptions,
): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const deadline = Date.now() + (options.topicWaitMs ?? STREAM_DEFAULTS.topicWaitMs);
    for (;;) {
      const existing = new Set(await admin.listTopics());
      if (!existing.has(alertsTopic)) {
        await admin.createTopics({ topics: [{ topic: alertsTopic, numPartitions: 3 }] }).catch(() => {});
      }
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      if (Date.now() >= deadline || options.signal.aborted) {
        throw new EnvironmentError(
          "STREAM_TOPIC_MISSING",
          `Kafka at ${options.endpoints.brokers.join(",")} has no topic ${missing.map((t) => `"${t}"`).join(", ")} for floe stream.`,
          {
            hint:
              "db.inventory appears when the stack's Debezium connector has taken its snapshot (floe stack up); " +
              "the event topics when `floe ingest generate` or the ingestion API first writes — or pass the right names",
            retriable: true,
          },
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
