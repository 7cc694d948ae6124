import { describe, expect, it } from "vitest";
import { endpointsFromEnv } from "./connection-settings.js";
import { kafkaClient, s3Client } from "./endpoints.js";
import { sinkTargets, TEST_SCHEMA, testShop, uniqueRun, verifyRawTables } from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";
import { compactRawPartitions, kafkaCommittedOffsets, s3CompactionStore } from "./raw-compaction.js";
import { DEFAULT_RAW_TARGET } from "./raw-tables.js";
import { runSink } from "./sink.js";

/**
 * Raw compaction on the real stack: a sink rolling a file every second while a shop of a past day arrives
 * slowly leaves many small files per closed partition; compaction merges each Kafka partition's committed
 * files into one, the raw tables still hold every event exactly once, and a second run has nothing to do.
 */
describe("raw compaction of closed partitions", () => {
  it("merges the small files of closed partitions, keeping every row exactly once", {
    timeout: 400_000,
  }, async () => {
    const run = uniqueRun("rawcompact");
    const shop = testShop(4_000, 21, 1); // March 2026: every partition is closed
    const controller = new AbortController();
    const sink = runSink({
      ...sinkTargets(run),
      flushIntervalMs: 1_000,
      metricsPort: null,
      signal: controller.signal,
    });
    const ledger = await publishShop({ ...shop, rate: 250, topics: defaultTopicNames(run.topicPrefix) });
    // Until every valid event is durable and committed, then stop (a stop commits what is left).
    await new Promise((r) => setTimeout(r, 5_000));
    controller.abort();
    await sink;
    const before = await verifyRawTables(run.topics, shop);
    expect(before.problems).toEqual([]);
    expect(before.rows).toBe(ledger.messages.valid);

    const endpoints = endpointsFromEnv();
    const store = s3CompactionStore(s3Client(endpoints), endpoints.bucket);
    const countFiles = async () => {
      let n = 0;
      for await (const _ of store.list(run.prefix)) n++;
      return n;
    };
    const admin = kafkaClient(endpoints, "floe-test").admin();
    await admin.connect();
    try {
      const options = {
        target: { ...DEFAULT_RAW_TARGET, prefix: run.prefix, schema: TEST_SCHEMA },
        topics: run.topics,
        now: new Date(),
        store,
        committed: kafkaCommittedOffsets(admin, run.group),
        minFiles: 2,
      };
      const filesBefore = await countFiles();
      const preview = await compactRawPartitions({ ...options, dryRun: true });
      expect(await countFiles(), "a dry run changes nothing").toBe(filesBefore);
      expect(preview.filesBefore).toBeGreaterThan(preview.filesAfter);

      const merged: string[] = [];
      const result = await compactRawPartitions({
        ...options,
        dryRun: false,
        onMerge: (_p, merge) => merged.push(merge.output),
      });
      process.stderr.write(
        `[raw-compaction.int] ${filesBefore} files → ${await countFiles()}; ${result.partitions} partitions, ${result.filesBefore} → ${result.filesAfter}\n`,
      );
      expect(result).toMatchObject({
        filesBefore: preview.filesBefore,
        filesAfter: preview.filesAfter,
        uncommitted: 0,
      });
      expect(merged.length).toBeGreaterThan(0);
      expect(await countFiles()).toBe(filesBefore - (result.filesBefore - result.filesAfter));

      const after = await verifyRawTables(run.topics, shop);
      expect(after).toEqual(before);
      const again = await compactRawPartitions({ ...options, dryRun: false });
      expect(again.partitions, "nothing left to merge").toBe(0);
    } finally {
      await admin.disconnect();
    }
  });
});
