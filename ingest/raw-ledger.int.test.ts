import { describe, expect, it } from "vitest";
import { TOPIC_KINDS } from "./contracts.js";
import { sinkTargets, tableOf, testShop, trinoQuery, uniqueRun } from "./int-helpers.js";
import { defaultTopicNames, publishShop, topicName } from "./producer.js";
import { RAW_COLUMNS } from "./raw-schema.js";
import { foldLedger, type LedgerEntry } from "./shop-ledger.js";
import { runSink } from "./sink.js";

/** The event fields the ledger fold reads (`shop-ledger.ts`), where a topic's raw table has them. */
const FOLDED = ["user_id", "session_id", "order_id", "customer_id", "amount", "currency", "country"];

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

    const entries: LedgerEntry[] = [];
    for (const kind of TOPIC_KINDS) {
      const columns = FOLDED.filter((c) => RAW_COLUMNS[kind].some((r) => r.name === c));
      const rows = await trinoQuery(
        `SELECT event_id, event_type, cast(event_time AS varchar), ${columns.join(", ")}
         FROM ${tableOf(topicName({ prefix: run.topicPrefix }, kind))}
         ORDER BY _kafka_partition, _kafka_offset`,
      );
      for (const [id, type, time, ...values] of rows) {
        const event: Record<string, unknown> = { event_id: id, event_type: type, event_time: time };
        columns.forEach((c, i) => {
          event[c] = values[i];
        });
        entries.push({ kind, event });
      }
    }
    const raw = foldLedger({ ...ledger, start: new Date(ledger.start) }, entries);

    expect(raw.messages.valid).toBe(ledger.messages.valid);
    expect(raw.messages.uniqueEvents).toBe(ledger.messages.uniqueEvents);
    expect(raw.messages.duplicates).toBe(ledger.messages.duplicates);
    expect(raw.messages.validByTopic).toEqual(ledger.messages.validByTopic);
    expect(raw.messages.uniqueByType).toEqual(ledger.messages.uniqueByType);
    const byId = (orders: typeof ledger.orders) =>
      [...orders].sort((a, b) => a.order_id.localeCompare(b.order_id));
    expect(byId(raw.orders)).toEqual(byId(ledger.orders));
    expect(raw.revenueByDay).toEqual(ledger.revenueByDay);
    expect(raw.funnel).toEqual(ledger.funnel);
    expect(raw.sameDayPurchasers).toEqual(ledger.sameDayPurchasers);
    expect(ledger.messages.duplicates).toBeGreaterThan(0);
    expect(ledger.messages.late).toBeGreaterThan(0);
  });
});
