import { randomUUID } from "node:crypto";
import type { Admin, Producer } from "kafkajs";
import { describe, expect, it } from "vitest";
import { FloeError } from "../core/errors.js";
import { endpointsFromEnv, kafkaClient } from "./endpoints.js";
import { type RunNames, readDlq, uniqueRun } from "./int-helpers.js";
import { maxMessageBytes } from "./sink/topics.js";
import { runSink, type SinkEvent, type SinkSummary } from "./sink.js";

/** A valid user-events event, as JSON text; `extra` becomes one of its unknown fields. */
function event(extra?: string): string {
  const fields =
    `"event_id":"${randomUUID()}","event_type":"product_view","event_time":"2026-03-01T10:00:00.000Z",` +
    `"user_id":"u1","session_id":"s1","product_id":"p1"`;
  return extra === undefined ? `{${fields}}` : `{${fields},"extra":${extra}}`;
}

/** Runs `fn` with a connected admin client and producer of the local Kafka. */
async function withKafka<T>(fn: (admin: Admin, producer: Producer) => Promise<T>): Promise<T> {
  const kafka = kafkaClient(endpointsFromEnv(), "floe-test");
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  try {
    return await fn(admin, producer);
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

/** Creates the run's user-events topic (one partition) and, if asked, its DLQ with the broker's defaults. */
function createTopics(run: RunNames, dlq: boolean): Promise<boolean> {
  const topics = [run.topics[0] ?? "", ...(dlq ? [run.dlq] : [])];
  return withKafka((admin) =>
    admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      waitForLeaders: true,
    }),
  );
}

/** Publishes the values in order to the run's user-events topic, one send each (a big one alone). */
function publish(run: RunNames, values: readonly (string | Buffer)[]): Promise<void> {
  return withKafka(async (_admin, producer) => {
    for (const value of values) {
      await producer.send({ topic: run.topics[0] ?? "", acks: -1, messages: [{ key: "k", value }] });
    }
  });
}

/** The sink over the run's user-events topic until idle; stopped after 150 s so a wedged sink fails here. */
async function sink(run: RunNames, events: SinkEvent[] = []): Promise<SinkSummary> {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), 150_000);
  try {
    return await runSink({
      topics: [run.topics[0] ?? ""],
      dlqTopic: run.dlq,
      prefix: run.prefix,
      groupId: run.group,
      untilIdle: true,
      idleMs: 2_000,
      metricsPort: null,
      signal: controller.signal,
      onEvent: (e) => events.push(e),
    });
  } finally {
    clearTimeout(deadline);
  }
}

describe("floe ingest sink with hostile messages", () => {
  it("dead-letters a message that makes the decoder throw (JSON 5,000 levels deep) and goes on consuming", {
    timeout: 240_000,
  }, async () => {
    const run = uniqueRun("hostile");
    const nested = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    await createTopics(run, false);
    await publish(run, [event(), event(), event(nested), event(), event()]);
    const summary = await sink(run);
    expect(summary.records).toBe(4);
    expect(summary.dlq).toBe(1);
    const [letter, ...more] = await readDlq(run.dlq);
    expect(more).toEqual([]);
    expect(letter?.source_offset).toBe("2");
    expect(letter?.error?.length).toBeGreaterThan(0);
  });

  it("dead-letters a message just under the source topic's size limit: in full into a DLQ it creates, truncated into one as small as the source", {
    timeout: 300_000,
  }, async () => {
    for (const dlqExists of [false, true]) {
      const run = uniqueRun(dlqExists ? "nearlimit" : "nearlimitnew");
      await createTopics(run, dlqExists);
      const source = run.topics[0] ?? "";
      const limit = (await withKafka((admin) => maxMessageBytes(admin, [source]))).get(source) ?? 0;
      expect(limit).toBeGreaterThan(1_000_000);
      // Fits the source topic with its batch framing; its DLQ copy adds ~200 bytes of headers.
      const big = Buffer.alloc(limit - 128, "x");
      await publish(run, [event(), big, event()]);
      const events: SinkEvent[] = [];
      const summary = await sink(run, events);
      expect(summary.records).toBe(2);
      expect(summary.dlq).toBe(1);
      const [letter, ...more] = await readDlq(run.dlq);
      expect(more).toEqual([]);
      expect(letter?.source_topic).toBe(run.topics[0]);
      expect(letter?.source_partition).toBe("0");
      expect(letter?.source_offset).toBe("1");
      expect(letter?.error).toContain(`message is ${big.length} bytes`);
      if (dlqExists) {
        expect(letter?.truncated).toBe("true");
        expect(letter?.original_value_bytes).toBe(String(big.length));
        expect(Number(letter?.value_bytes)).toBeLessThan(10_000);
        expect(events.some((e) => e.kind === "warning" && e.message.includes("truncated copy"))).toBe(true);
      } else {
        expect(letter?.truncated).toBeUndefined();
        expect(letter?.value_bytes).toBe(String(big.length));
      }
    }
  });

  it("refuses to start on a topic that does not exist, naming it and the fix", async () => {
    const run = uniqueRun("missing");
    const error = await sink(run).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FloeError);
    expect((error as FloeError).code).toBe("SINK_TOPIC_MISSING");
    expect((error as FloeError).message).toContain(`"${run.topics[0]}"`);
    expect((error as FloeError).hint).toContain("floe ingest generate");
  });
});
