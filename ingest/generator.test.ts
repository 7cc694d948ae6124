import { describe, expect, it } from "vitest";
import { parseEvent } from "./contracts.js";
import { generateShop } from "./generator.js";

const start = new Date("2026-01-05T00:00:00Z");

function collect(options: Parameters<typeof generateShop>[0]) {
  const { messages, ledger } = generateShop(options);
  return { list: [...messages], ledger };
}

describe("generateShop", { timeout: 60_000 }, () => {
  it("is deterministic for a seed", () => {
    const a = collect({ events: 3_000, seed: 7, start, duplicates: 0.01, malformed: 0.01, late: 0.02 });
    const b = collect({ events: 3_000, seed: 7, start, duplicates: 0.01, malformed: 0.01, late: 0.02 });
    expect(a.list.map((m) => m.value)).toEqual(b.list.map((m) => m.value));
    expect(a.ledger).toEqual(b.ledger);
    const c = collect({ events: 3_000, seed: 8, start });
    expect(c.list.map((m) => m.value)).not.toEqual(a.list.map((m) => m.value));
  });

  it("emits a share of sessions' user-events as v3 with page_url only when asked, all contract-valid", () => {
    const plain = collect({ events: 3_000, seed: 7, start });
    expect(plain.list.some((m) => m.event?.schema_version === 3 || m.event?.page_url !== undefined)).toBe(
      false,
    );
    const { list } = collect({ events: 3_000, seed: 7, start, v3Share: 0.4 });
    const user = list.filter((m) => m.kind === "user-events" && m.event);
    const v3 = user.filter((m) => m.event?.schema_version === 3);
    expect(v3.length / user.length).toBeGreaterThan(0.25);
    expect(v3.length / user.length).toBeLessThan(0.55);
    for (const m of v3) {
      const parsed = parseEvent("user-events", m.event);
      expect(parsed.ok && parsed.event.fields.page_url, m.value).toMatch(/^\/(products\/p-\d+|checkout)/);
    }
    // Only user-events have a v3: orders and product metadata stay v1/v2.
    expect(list.some((m) => m.kind !== "user-events" && m.event?.schema_version === 3)).toBe(false);
  });

  it("publishes exactly N messages and counts them in the ledger", () => {
    const { list, ledger } = collect({
      events: 8_000,
      seed: 1,
      start,
      duplicates: 0.01,
      malformed: 0.005,
      late: 0.02,
    });
    expect(list).toHaveLength(8_000);
    const malformed = list.filter((m) => m.malformed).length;
    const dups = list.filter((m) => m.duplicate).length;
    expect(ledger.messages.total).toBe(8_000);
    expect(ledger.messages.malformed).toBe(malformed);
    expect(ledger.messages.duplicates).toBe(dups);
    expect(ledger.messages.valid).toBe(8_000 - malformed);
    expect(ledger.messages.late).toBe(list.filter((m) => m.late).length);
    expect(ledger.messages.malformedByKind.oversized).toBe(1);
    expect(malformed).toBeGreaterThan(20);
    expect(dups).toBeGreaterThan(40);
  });

  it("emits only contract-valid events besides the malformed ones, which all fail", () => {
    const { list } = collect({ events: 5_000, seed: 3, start, malformed: 0.01 });
    for (const m of list) {
      let value: unknown;
      try {
        value = JSON.parse(m.value);
      } catch {
        value = undefined;
      }
      const result = value === undefined ? { ok: false } : parseEvent(m.kind, value);
      if (m.malformed === "oversized") continue; // rejected by size before parsing
      expect(result.ok, `${m.malformed ?? "valid"}: ${m.value.slice(0, 120)}`).toBe(!m.malformed);
    }
  });

  it("keeps a ledger consistent with the events it emitted", () => {
    const { list, ledger } = collect({ events: 15_000, seed: 5, start, late: 0.02 });
    const events = list.filter((m) => m.event).map((m) => m.event as Record<string, unknown>);
    const paid = events.filter((e) => e.event_type === "order_paid");
    const revenue = paid.reduce((s, e) => s + Number(e.amount), 0);
    const ledgerRevenue = Object.values(ledger.revenueByDay).reduce((s, v) => s + v, 0);
    expect(ledgerRevenue).toBeCloseTo(revenue, 2);
    expect(ledger.orders.filter((o) => o.paid)).toHaveLength(paid.length);
    expect(ledger.funnel.product_view).toBeGreaterThan(ledger.funnel.add_to_cart);
    expect(ledger.funnel.add_to_cart).toBeGreaterThan(ledger.funnel.checkout);
    expect(ledger.funnel.checkout).toBeGreaterThan(ledger.funnel.purchase);
    expect(ledger.funnel.purchase).toBeGreaterThan(0);
    expect(Object.keys(ledger.revenueByDay).length).toBeGreaterThanOrEqual(3);
    expect(ledger.messages.uniqueByType.product_created).toBe(ledger.products);
  });
});
