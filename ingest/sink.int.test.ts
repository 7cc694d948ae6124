import { describe, expect, it } from "vitest";
import {
  readDlq,
  sinkTargets,
  tableOf,
  testShop,
  topicMessageCount,
  trinoQuery,
  uniqueRun,
  verifyRawTables,
} from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";
import { runSink } from "./sink.js";

// The contract's figures: 200,000 events, 1% duplicates, 0.5% malformed, 2% late.
const SHOP = testShop(200_000, 2026);

describe("floe ingest: generator → Kafka → sink → S3 → Trino", () => {
  it("lands every valid message exactly once and every malformed one in the DLQ", {
    timeout: 900_000,
  }, async () => {
    const run = uniqueRun("it");
    const t0 = Date.now();
    const ledger = await publishShop({ ...SHOP, topics: defaultTopicNames(run.topicPrefix) });
    const t1 = Date.now();
    const summary = await runSink({
      ...sinkTargets(run),
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
    const { rows, problems } = await verifyRawTables(run.topics, SHOP);
    expect(problems).toEqual([]);
    expect(rows).toBe(ledger.messages.valid);

    // Unknown fields (the apps' app_version) are kept in the attributes map and readable in Trino.
    const [[withAttributes]] = (await trinoQuery(
      `SELECT count(*) FROM ${tableOf(run.topics[0] ?? "")} WHERE element_at(attributes, 'app_version') IS NOT NULL`,
    )) as [[number]];
    expect(Number(withAttributes)).toBeGreaterThan(1_000);

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
