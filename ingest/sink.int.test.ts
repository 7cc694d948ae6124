import { describe, expect, it } from "vitest";
import type { GenerateOptions } from "./generator.js";
import { checkRawTable, generatorTruth, readDlq, topicMessageCount, uniqueRun } from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";
import { runSink } from "./sink.js";

// The contract's figures: 200,000 events, 1% duplicates, 0.5% malformed, 2% late.
const SHOP: GenerateOptions = {
  events: 200_000,
  seed: 2026,
  duplicates: 0.01,
  malformed: 0.005,
  late: 0.02,
  start: new Date("2026-03-01T00:00:00Z"),
  days: 3,
};

describe("floe ingest: generator → Kafka → sink → S3 → Trino", () => {
  it("lands every valid message exactly once and every malformed one in the DLQ", {
    timeout: 900_000,
  }, async () => {
    const run = uniqueRun("it");
    const t0 = Date.now();
    const ledger = await publishShop({ ...SHOP, topics: defaultTopicNames(run.topicPrefix) });
    const t1 = Date.now();
    const summary = await runSink({
      topics: run.topics,
      dlqTopic: run.dlq,
      prefix: run.prefix,
      groupId: run.group,
      untilIdle: true,
      idleMs: 3_000,
      metricsPort: null,
    });
    const t2 = Date.now();
    process.stderr.write(
      `[ingest.int] published ${ledger.messages.total} in ${((t1 - t0) / 1000).toFixed(1)}s; ` +
        `sink wrote ${summary.records} rows in ${summary.files} files in ${((t2 - t1) / 1000).toFixed(1)}s\n`,
    );

    expect(summary.records).toBe(ledger.messages.valid);
    const truth = generatorTruth(SHOP);
    let rows = 0;
    for (const topic of run.topics) {
      const check = await checkRawTable(topic, truth);
      rows += check.rows;
      expect(check.distinctOffsets, topic).toBe(check.rows);
      expect(check.badDates, topic).toBe(0);
      expect(check.badPaths, topic).toBe(0);
      expect(check.wrongPartition, topic).toBe(0);
      expect(check.unknownEventIds, topic).toBe(0);
    }
    expect(rows).toBe(ledger.messages.valid);

    const dlq = await readDlq(run.dlq);
    expect(dlq).toHaveLength(ledger.messages.malformed);
    const reasons = dlq.map((h) => h.error ?? "");
    expect(reasons.some((r) => r.startsWith("invalid JSON"))).toBe(true);
    expect(reasons.some((r) => r.includes("required"))).toBe(true);
    expect(reasons.some((r) => r.includes("expected number"))).toBe(true);
    expect(reasons.some((r) => r.includes("unknown event_type"))).toBe(true);
    const oversized = dlq.find((h) => h.error?.includes("bytes; events are limited"));
    expect(Number(oversized?.value_bytes)).toBeGreaterThan(2_000_000);
    for (const h of dlq) {
      expect(h.source_topic).toBe(run.topics[0]);
      expect(Number(h.source_offset)).toBeGreaterThanOrEqual(0);
      expect(h.source_partition).toMatch(/^\d+$/);
    }
    expect(await topicMessageCount(run.dlq)).toBe(ledger.messages.malformed);
  });
});
