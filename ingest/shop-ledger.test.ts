import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateShop } from "./generator.js";
import { foldLedger, type LedgerEntry } from "./shop-ledger.js";
import { ledgerEntryOf } from "./stream-mixer.js";

const header = { seed: 1, start: new Date("2026-01-05T00:00:00Z"), days: 3, users: 2, products: 1 };

let ids = 0;
function order(
  type: string,
  time: string,
  fields: Record<string, unknown> = {},
): { kind: "orders"; event: Record<string, unknown> } {
  ids++;
  return {
    kind: "orders",
    event: {
      event_id: `e-${ids}`,
      event_type: type,
      event_time: time,
      order_id: "o-1",
      customer_id: "u-1",
      amount: 12.5,
      currency: "USD",
      country: "DE",
      ...fields,
    },
  };
}

function view(user: string, session: string, type: string, time: string): LedgerEntry {
  ids++;
  return {
    kind: "user-events",
    event: { event_id: `e-${ids}`, event_type: type, event_time: time, user_id: user, session_id: session },
  };
}

describe("foldLedger", () => {
  it("counts a duplicate event_id as a row once and as an event once", () => {
    const created = order("order_created", "2026-01-05T10:00:00.000Z");
    const paid = order("order_paid", "2026-01-05T10:05:00.000Z");
    const ledger = foldLedger(header, [created, paid, paid, { ...paid }]);
    expect(ledger.messages).toMatchObject({ total: 4, valid: 4, uniqueEvents: 2, duplicates: 2 });
    expect(ledger.messages.validByTopic.orders).toBe(4);
    expect(ledger.messages.uniqueByType).toMatchObject({ order_created: 1, order_paid: 1 });
    // The payment is booked once, not once per copy.
    expect(ledger.revenueByDay).toEqual({ "2026-01-05": 12.5 });
    expect(ledger.orders).toHaveLength(1);
  });

  it("counts a late event and lets it land without undoing what came after it", () => {
    const created = order("order_created", "2026-01-05T23:50:00.000Z");
    const paid = order("order_paid", "2026-01-06T00:10:00.000Z");
    const shipped = order("order_shipped", "2026-01-06T09:00:00.000Z");
    const ledger = foldLedger(header, [created, shipped, { ...paid, late: true }]);
    expect(ledger.messages.late).toBe(1);
    expect(ledger.orders[0]).toMatchObject({ status: "shipped", paid: true, paid_date: "2026-01-06" });
    expect(ledger.revenueByDay).toEqual({ "2026-01-06": 12.5 });
  });

  it("counts malformed messages by kind, outside the valid rows", () => {
    const ledger = foldLedger(header, [
      { kind: "user-events", malformed: "invalid_json" },
      { kind: "user-events", malformed: "oversized" },
      view("u-1", "s-1", "product_view", "2026-01-05T08:00:00.000Z"),
    ]);
    expect(ledger.messages).toMatchObject({ total: 3, valid: 1, malformed: 2 });
    expect(ledger.messages.malformedByKind).toMatchObject({ invalid_json: 1, oversized: 1, wrong_types: 0 });
  });

  it("counts each session once per funnel step, and same-day purchasers per UTC date", () => {
    const ledger = foldLedger(header, [
      view("u-1", "s-1", "product_view", "2026-01-05T08:00:00.000Z"),
      view("u-1", "s-1", "product_view", "2026-01-05T08:01:00.000Z"),
      view("u-1", "s-1", "add_to_cart", "2026-01-05T08:02:00.000Z"),
      view("u-1", "s-1", "purchase", "2026-01-05T08:03:00.000Z"),
      view("u-2", "s-2", "product_view", "2026-01-05T23:59:00.000Z"),
      view("u-2", "s-2", "purchase", "2026-01-06T00:01:00.000Z"),
    ]);
    expect(ledger.funnel).toEqual({ sessions: 2, product_view: 2, add_to_cart: 1, checkout: 0, purchase: 2 });
    expect(ledger.sessions).toBe(2);
    expect(ledger.sameDayPurchasers).toEqual({ "2026-01-05": 1, "2026-01-06": 0 });
  });

  it("reads rows as the raw tables give them back (Trino timestamps, nulls for absent fields)", () => {
    const row = {
      event_id: "r-1",
      event_type: "order_paid",
      event_time: "2026-01-07 03:00:00.000 UTC",
      order_id: "o-9",
      customer_id: "u-3",
      amount: 7.25,
      currency: "USD",
      country: "FR",
      session_id: null,
    };
    const ledger = foldLedger(header, [{ kind: "orders", event: row }]);
    expect(ledger.revenueByDay).toEqual({ "2026-01-07": 7.25 });
    expect(ledger.funnel.sessions).toBe(0);
  });

  it("gives the generator's own ledger when folded over the generator's messages, in any order of rows", () => {
    const options = {
      events: 4_000,
      seed: 4,
      start: header.start,
      duplicates: 0.03,
      malformed: 0.01,
      late: 0.03,
    };
    const generated = generateShop(options);
    const entries = [...generated.messages].map(ledgerEntryOf);
    const expected = generated.ledger;
    const own = { seed: 4, start: header.start, days: 3, users: expected.users, products: expected.products };
    expect(foldLedger(own, entries)).toEqual(expected);

    // Rows read back come in partition order, not publishing order: everything but the order of `orders`
    // (and which copy of a duplicate counts as the original) is the same. Late marks do not survive.
    fc.assert(
      fc.property(fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), (keys) => {
        const rows = entries
          .map((e) => ("event" in e ? { kind: e.kind, event: e.event } : e))
          .map((e) => ({ e, k: keys.next().value as number }))
          .sort((a, b) => a.k - b.k)
          .map(({ e }) => e);
        const ledger = foldLedger(own, rows);
        const byId = (l: typeof ledger) => [...l.orders].sort((a, b) => a.order_id.localeCompare(b.order_id));
        expect(byId(ledger)).toEqual(byId(expected));
        expect({ ...ledger.messages, late: 0 }).toEqual({ ...expected.messages, late: 0 });
        expect(ledger.revenueByDay).toEqual(expected.revenueByDay);
        expect(ledger.funnel).toEqual(expected.funnel);
        expect(ledger.sameDayPurchasers).toEqual(expected.sameDayPurchasers);
      }),
      { numRuns: 20 },
    );
  });
});
