import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import { TOPIC_KINDS } from "./contracts.js";
import { readTopic, uniqueRun } from "./int-helpers.js";
import { defaultTopicNames, publishShopRun, topicName } from "./producer.js";

/**
 * `floe ingest generate --realtime` against the real Kafka: for a duration at a rate, every valid event is
 * stamped with the time it was published (within the batch's slack), and the count is what the pace sends.
 */
describe("real-time generation", () => {
  it("publishes rate × duration events stamped with the wall clock", { timeout: 120_000 }, async () => {
    const run = uniqueRun("realtime");
    const began = Date.now();
    const outcome = await publishShopRun({
      events: 0,
      realtime: true,
      rate: 400,
      durationMs: 5_000,
      topics: defaultTopicNames(run.topicPrefix),
    });
    const ended = Date.now();
    expect(outcome.state).toBe("complete");
    expect(outcome.published).toBe(2_000);
    // Paced: 2,000 messages at 400/s take about five seconds, not the fraction of one an unpaced run takes.
    expect(ended - began).toBeGreaterThanOrEqual(4_500);
    const pick = (m: KafkaMessage) => {
      try {
        return JSON.parse(m.value?.toString() ?? "") as { event_time?: string };
      } catch {
        return undefined;
      }
    };
    const times: number[] = [];
    for (const kind of TOPIC_KINDS) {
      for (const event of await readTopic(topicName({ prefix: run.topicPrefix }, kind), pick)) {
        if (event?.event_time) times.push(Date.parse(event.event_time));
      }
    }
    const recent = times.filter((t) => t >= began - 1_000 && t <= ended + 1_000);
    // Everything but the few malformed messages with fixed times is stamped inside the run's window.
    expect(recent.length).toBeGreaterThan(1_900);
    expect(outcome.ledger.messages.valid).toBe(recent.length);
  });
});
