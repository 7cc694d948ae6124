import { type Admin, ConfigResourceTypes } from "kafkajs";
import { EnvironmentError } from "../../core/errors.js";

/**
 * The topics around the sink. It never creates the topics it consumes: their partition count sets the
 * parallelism and the per-key order of what producers write, which is the producers' decision, and a
 * mistyped `--topics` or `--topic-prefix` would otherwise leave the sink waiting on a new, empty topic
 * forever. It does create its DLQ topic, large enough for a letter of any message the sources can hold.
 */

/** What a letter adds to its original message: the headers (reason, source topic, partition, offset). */
export const DLQ_HEADROOM_BYTES = 64 * 1024;

type TopicAdmin = Pick<Admin, "listTopics" | "createTopics" | "describeConfigs">;

/** Throws an error naming every missing topic and the fix, before the consumer subscribes. */
export async function checkSourceTopics(
  admin: Pick<Admin, "listTopics">,
  topics: readonly string[],
  brokers: readonly string[],
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  const names = missing.map((t) => `"${t}"`).join(", ");
  throw new EnvironmentError(
    "SINK_TOPIC_MISSING",
    `Kafka at ${brokers.join(",")} has no topic ${names} to consume (the sink does not create the topics it reads).`,
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
): Promise<string | undefined> {
  const sourceLimits = await maxMessageBytes(admin, sources);
  const largest = Math.max(0, ...sourceLimits.values());
  const existing = new Set(await admin.listTopics());
  if (!existing.has(dlqTopic)) {
    const configEntries =
      largest > 0 ? [{ name: "max.message.bytes", value: String(largest + DLQ_HEADROOM_BYTES) }] : [];
    await admin.createTopics({
      topics: [{ topic: dlqTopic, numPartitions: 1, replicationFactor: 1, configEntries }],
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
