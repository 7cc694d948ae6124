import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { shopStream } from "./generator.js";
import { messagesWithin, pace, REALTIME_LATE_MS, Restamper } from "./realtime.js";
import { LedgerCountsFold, LedgerFold } from "./shop-ledger.js";
import { DUPLICATE_REACH, ledgerEntryOf } from "./stream-mixer.js";

/**
 * Issue 13's soak: the real-time generator's RSS grew from 262 MB to 1 GB in 15 minutes. What a run keeps
 * is measured here as the bytes of its state serialised (v8.serialize walks Maps, Sets and arrays, so a
 * structure that keeps something per event shows), sampled while the generator's publish loop state —
 * the simulation, the restamper, the ledger fold — goes through simulated minutes of `--realtime`.
 */
const bytes = (value: unknown) => serialize(value).length;

function run(minutes: number, fold: (header: ReturnType<typeof shopStream>["header"]) => LedgerCountsFold) {
  const runPace = pace(3_000, { rate: 10_000, everyMs: 60_000, forMs: 6_000 });
  const total = messagesWithin(runPace, minutes * 60_000);
  const { messages, header, simulation } = shopStream({
    events: total,
    seed: 13,
    start: new Date("2026-12-06T12:00:00Z"),
    duplicates: 0.02,
    malformed: 0.005,
    late: 0.01,
    oversized: false,
  });
  const ledger = fold(header);
  const restamper = new Restamper(REALTIME_LATE_MS);
  const t0 = Date.parse("2026-12-06T12:00:00Z");
  const samples: { at: number; fold: number; restamper: number; simulation: number }[] = [];
  let i = 0;
  for (const message of messages) {
    ledger.add(ledgerEntryOf(restamper.stamp(message, t0 + runPace.dueMs(i))));
    i++;
    if (i % Math.floor(total / 10) === 0) {
      expect(restamper.remembered).toBeLessThanOrEqual(DUPLICATE_REACH);
      samples.push({
        at: i / total,
        fold: bytes(ledger),
        restamper: bytes(restamper),
        simulation: bytes(simulation),
      });
    }
  }
  return { total, samples, ledger: ledger.ledger() };
}

describe("a real-time run's memory", () => {
  it("stays bounded over simulated minutes: counts only, recent originals, follow-ups within their horizon", {
    timeout: 120_000,
  }, () => {
    const { samples, ledger } = run(2, (header) => new LedgerCountsFold(header));
    const first = samples[0];
    const last = samples.at(-1);
    if (!first || !last) throw new Error("no samples");
    // The counts fold and the restamper keep a fixed amount whatever the run's length.
    expect(last.fold).toBeLessThan(first.fold * 1.05);
    expect(last.restamper).toBeLessThan(first.restamper * 1.2);
    // The simulation's follow-ups (shipping 2–36 simulated hours after payment) fill up over the first
    // half of the run's three simulated days, then as many fall due as are scheduled.
    const half = samples.filter((s) => s.at >= 0.5).map((s) => s.simulation);
    expect(Math.max(...half)).toBeLessThan((half[0] ?? 0) * 1.25);
    expect(ledger.messages.duplicates).toBeGreaterThan(0);
  });

  it("is what the full ledger is not: its state grows with every event, order and session", {
    timeout: 120_000,
  }, () => {
    const { samples } = run(0.25, (header) => new LedgerFold(header));
    const first = samples[0];
    const last = samples.at(-1);
    if (!first || !last) throw new Error("no samples");
    expect(last.fold).toBeGreaterThan(first.fold * 5);
  });
});

describe("LedgerCountsFold", () => {
  it("counts the generator's messages as the full fold does, telling duplicates by their mark", () => {
    const { messages, header } = shopStream({
      events: 20_000,
      seed: 7,
      duplicates: 0.05,
      malformed: 0.01,
      late: 0.03,
      oversized: false,
    });
    const counts = new LedgerCountsFold(header);
    const full = new LedgerFold(header);
    for (const message of messages) {
      const entry = ledgerEntryOf(message);
      counts.add(entry);
      full.add(entry);
    }
    const {
      orders: _o,
      revenueByDay: _r,
      funnel: _f,
      sameDayPurchasers: _s,
      sessions: _n,
      ...fullCounts
    } = full.ledger();
    expect(counts.ledger()).toEqual(fullCounts);
    expect(counts.ledger().messages.duplicates).toBeGreaterThan(0);
  });
});
