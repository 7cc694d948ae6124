import kafkajs, { type Admin } from "kafkajs";
import { EnvironmentError } from "../../core/errors.js";

// Not a named export under Node's ESM loader (kafkajs' CommonJS index spreads its errors before it).
const { ConfigResourceTypes } = kafkajs;

/**
 * The topics around the sink. It never creates the topics it consumes: their partition count sets the
 * parallelism and the per-key order of what producers write, which is the producers' decision, and a
 * mistyped `--topics` or `--topic-prefix` would otherwise leave the sink waiting on a new, empty topic
 * forever. It waits a little for them (a sink is often started beside the producer that creates them) and
 * then stops with an error naming them. It does create its DLQ topic, large enough for a letter of any
 * message the sources can hold.
 */

/** What a letter adds to its original message: the headers (reason, source topic, partition, offset). */
export const DLQ_HEADROOM_BYTES = 64 * 1024;

type TopicAdmin = Pick<Admin, "listTopics" | "createTopics" | "describeConfigs">;

export interface TopicWait {
  /** How long to wait for missing topics to be created. */
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Called once, when topics are missing at the first look. */
  readonly onWaiting?: (missing: readonly string[]) => void;
}

export const DEFAULT_TOPIC_WAIT: TopicWait = { timeoutMs: 15_000, pollMs: 500 };

/**
 * Resolves once every topic exists; throws an error naming the missing ones and the fix when they are still
 * missing after `timeoutMs` (kafkajs would otherwise fail the subscription with "This server does not host
 * this topic-partition" and a stack).
 */
export async function waitForSourceTopics(
  admin: Pick<Admin, "listTopics">,
  topics: readonly string[],
  brokers: readonly string[],
  wait: TopicWait = DEFAULT_TOPIC_WAIT,
): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  for (let first = true; ; first = false) {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    if (Date.now() >= deadline) throw missingTopics(missing, brokers, wait.timeoutMs);
    if (first) wait.onWaiting?.(missing);
    await new Promise((r) => setTimeout(r, wait.pollMs));
  }
}

function missingTopics(missing: readonly string[], brokers: readonly string[], waitedMs: number) {
  const names = missing.map((t) => `"${t}"`).join(", ");
  return new EnvironmentError(
    "SINK_TOPIC_MISSING",
    `Kafka at ${brokers.join(",")} has no topic ${names} to consume (waited ${waitedMs / 1000} s; the sink does not create the topics it reads).`,
    {
      hint:
        "create them first — `floe ingest generate` creates the shop's topics (use the same --topic-prefix) — " +
        "or correct --topics / --topic-prefix",
    },
  );
}

/** Each topic's `max.message.bytes` (its own, or the broker's default it inherits). */
export async function maxMessageBytes(
  admin: Pick<Admin, "describeConfigs">,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const response = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ["max.message.bytes"],
    })),
  });
  const limits = new Map<string, number>();
  for (const resource of response.resources) {
    const entry = resource.configEntries.find((e) => e.configName === "max.message.bytes");
    const value = Number(entry?.configValue);
    if (Number.isFinite(value) && value > 0) limits.set(resource.resourceName, value);
  }
  return limits;
}

/**
 * Makes sure the DLQ topic exists. A new one gets `max.message.bytes` of the largest source's plus
 * `DLQ_HEADROOM_BYTES`, so the copy of a message just under a source's limit still fits with its headers.
 * An existing one is left as it is (changing another's topic config is not the sink's call); returns a
 * warning when it cannot even hold the sources' largest message (such letters then go as truncated copies).
 */
export async function ensureDeadLetterTopic(
  admin: TopicAdmin,
  dlqTopic: string,
  sources: readonly string[],
  partitions = 1,
): Promise<string | undefined> {
  const sourceLimits = await maxMessageBytes(admin, sources);
  const largest = Math.max(0, ...sourceLimits.values());
  const existing = new Set(await admin.listTopics());
  if (!existing.has(dlqTopic)) {
    const configEntries =
      largest > 0 ? [{ name: "max.message.bytes", value: String(largest + DLQ_HEADROOM_BYTES) }] : [];
    await admin.createTopics({
      topics: [{ topic: dlqTopic, numPartitions: partitions, replicationFactor: 1, configEntries }],
      waitForLeaders: true,
    });
    return undefined;
  }
  const dlqLimit = (await maxMessageBytes(admin, [dlqTopic])).get(dlqTopic);
  if (dlqLimit === undefined || dlqLimit >= largest) return undefined;
  return (
    `the DLQ topic "${dlqTopic}" takes messages of at most ${dlqLimit} bytes, less than its sources' ${largest}: ` +
    "a dead letter that does not fit goes as a truncated copy (reason and source topic, partition and offset kept)"
  );
}
