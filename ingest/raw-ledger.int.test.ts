import { describe, expect, it } from "vitest";
import { comparableLedger, rawTablesLedger, sinkTargets, testShop, uniqueRun } from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";
import { runSink } from "./sink.js";

/**
 * The ledger fold applied to what the raw tables hold: generator → Kafka → sink → S3, then the rows read
 * back through Trino fold to the generator's own ledger (duplicates, late and malformed messages on; the
 * malformed ones are in the DLQ, not in the rows, and rows carry no late mark).
 */
describe("the ledger of the raw tables", () => {
  it("equals the generator's ledger, folded from the rows Trino reads back", {
    timeout: 600_000,
  }, async () => {
    const shop = testShop(12_000, 31);
    const run = uniqueRun("rawledger");
    const ledger = await publishShop({ ...shop, topics: defaultTopicNames(run.topicPrefix) });
    await runSink({ ...sinkTargets(run), untilIdle: true, idleMs: 3_000, metricsPort: null });

    const raw = await rawTablesLedger(run.topicPrefix, ledger);
    expect(comparableLedger(raw)).toEqual(comparableLedger(ledger));
    expect(ledger.messages.duplicates).toBeGreaterThan(0);
    expect(ledger.messages.late).toBeGreaterThan(0);
  });
});
