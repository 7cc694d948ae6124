import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileFastCheck } from "./contract-check.js";
import {
  CONTRACTS,
  parseEvent,
  parseEventWithZod,
  type SchemaVersion,
  TOPIC_KINDS,
  type TopicKind,
} from "./contracts.js";
import { EventTimeBounds } from "./event-time.js";
import { generateShop } from "./generator.js";
import { Random } from "./random.js";

/**
 * The fast path must never change a verdict or an output: over generated events and thousands of
 * corruptions of them, `parseEvent` (fast path, zod when it declines) equals `parseEventWithZod`.
 */

const WRONG_VALUES: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  2 ** 60,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  "",
  "x",
  "🙂",
  "\ud800",
  "usd",
  "USD",
  "US",
  "web",
  "12",
  true,
  false,
  [],
  [1],
  {},
  { sku: "s", qty: 1, unit_price: 1 },
  "2026-01-05T10:00:00Z",
  "2026-01-05T10:00:00+00:00",
  "2026-01-05",
  "2024-02-29T23:59:59.999999Z",
  "2025-02-29T00:00:00Z",
  "00000000-0000-0000-0000-000000000000",
  "6F1C5B8E-1D2A-4C3B-9E8F-0A1B2C3D4E5F",
  "6f1c5b8e-1d2a-0c3b-9e8f-0a1b2c3d4e5f",
];

const ITEM_VARIANTS: unknown[] = [
  [],
  [{}],
  [{ sku: "s-1", qty: 1, unit_price: 2.5 }],
  [{ sku: "s-1", qty: 1, unit_price: 2.5, colour: "red" }],
  [{ sku: "s-1", qty: 0, unit_price: 2.5 }],
  [{ sku: "s-1", qty: "1", unit_price: 2.5 }],
  [{ sku: "", qty: 1, unit_price: 2.5 }],
  [{ sku: "s-1", qty: 1, unit_price: -0.01 }],
  [{ sku: "s-1", qty: 1 }],
  [{ sku: "s-1", qty: 1, unit_price: 1 }, null],
  [["s-1", 1, 1]],
];

const EXTRA_FIELDS: Record<string, unknown>[] = [
  { app_version: "2.3.1" },
  { nested: { a: [1, 2] }, n: 5, flag: false, nothing: null },
  { referrer: "ads", campaign: "spring", brand: "acme", payment_method: "card" },
];

/** Corruptions of one valid event: every field deleted or replaced, versions, types, extra fields. */
function* variants(event: Record<string, unknown>, rng: Random): Generator<unknown> {
  yield event;
  for (const extra of EXTRA_FIELDS) {
    yield { ...event, ...extra };
    yield { ...event, ...extra, schema_version: 2 };
  }
  for (const version of [1, 2, 3, 0, "2", null, 1.0, 2.5]) yield { ...event, schema_version: version };
  for (const type of ["page_scroll", "order_paid", "product_view", "checkout", "product_updated", 7, null]) {
    yield { ...event, event_type: type };
  }
  const keys = Object.keys(event);
  for (const key of keys) {
    const { [key]: _dropped, ...rest } = event;
    yield rest;
    // Every field once with a few wrong values (all would be thousands per event: sample them).
    for (let i = 0; i < 4; i++) yield { ...event, [key]: WRONG_VALUES[rng.int(0, WRONG_VALUES.length - 1)] };
  }
  if ("items" in event || event.event_type === "order_created") {
    for (const items of ITEM_VARIANTS) yield { ...event, items };
  }
  yield [event];
  yield null;
  yield "event";
}

describe("fast contract checks", () => {
  it("compile for every contract (otherwise the sink silently runs on zod alone)", () => {
    for (const kind of TOPIC_KINDS) {
      for (const [type, versions] of Object.entries(CONTRACTS[kind])) {
        expect(compileFastCheck(versions[1]), `${kind}/${type} v1`).toBeDefined();
        expect(compileFastCheck(versions[2]), `${kind}/${type} v2`).toBeDefined();
        if (versions[3]) expect(compileFastCheck(versions[3]), `${kind}/${type} v3`).toBeDefined();
      }
    }
  });

  it("accept every valid generated event with zod's exact output", () => {
    const messages = [...generateShop({ events: 5_000, seed: 11, v3Share: 0.3 }).messages].filter(
      (m) => m.event,
    );
    expect(messages.some((m) => m.event?.schema_version === 3)).toBe(true);
    for (const m of messages) {
      const event = m.event as Record<string, unknown>;
      const version = (event.schema_version ?? 1) as SchemaVersion;
      const shape = CONTRACTS[m.kind][String(event.event_type)]?.[version];
      const fast = shape && compileFastCheck(shape)?.(JSON.parse(m.value));
      expect(fast, m.value).toBeDefined();
      const zod = parseEventWithZod(m.kind, JSON.parse(m.value));
      expect(zod.ok).toBe(true);
      expect({ ...fast, event_type: event.event_type }).toStrictEqual(zod.ok && zod.event.fields);
    }
  });

  it("agree with zod (verdict, reason, output, attributes) on generated and corrupted events", {
    timeout: 60_000,
  }, () => {
    const rng = new Random(7);
    const shop = generateShop({ events: 3_000, seed: 3, malformed: 0.05, duplicates: 0.01, v3Share: 0.3 });
    let compared = 0;
    let accepted = 0;
    const mismatches: unknown[] = [];
    for (const m of shop.messages) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(m.value);
      } catch {
        continue; // invalid JSON never reaches the contracts
      }
      const values = m.event ? variants(parsed as Record<string, unknown>, rng) : [parsed];
      for (const value of values) {
        for (const kind of [m.kind, rng.pick(TOPIC_KINDS)] as TopicKind[]) {
          const reference = parseEventWithZod(kind, value);
          const fast = parseEvent(kind, value);
          if (!isDeepStrictEqual(fast, reference)) mismatches.push({ kind, value, fast, reference });
          compared++;
          if (reference.ok) accepted++;
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Enough of both outcomes to mean something.
    expect(compared).toBeGreaterThan(50_000);
    expect(accepted).toBeGreaterThan(5_000);
    expect(compared - accepted).toBeGreaterThan(20_000);
  });

  it("agree with zod at and beyond the event-time bounds (checked after either path)", () => {
    const now = Date.parse("2026-03-05T00:00:00Z");
    const options = { now, eventTime: new EventTimeBounds() };
    const times = {
      "2000-01-01T00:00:00Z": true,
      "1999-12-31T23:59:59.999Z": false,
      "0000-01-01T00:00:00Z": false,
      "2026-03-12T00:00:00Z": true,
      "2026-03-12T00:00:00.001Z": false,
      "9999-12-31T23:59:59Z": false,
    };
    const messages = [
      ...generateShop({ events: 400, seed: 5, start: new Date("2026-03-01T00:00:00Z"), days: 1 }).messages,
    ].filter((m) => m.event);
    const verdicts: boolean[] = [];
    for (const m of messages) {
      for (const [event_time, valid] of Object.entries(times)) {
        const value = { ...JSON.parse(m.value), event_time };
        const fast = parseEvent(m.kind, value, options);
        expect(fast).toStrictEqual(parseEventWithZod(m.kind, value, options));
        expect(fast.ok, `${m.kind} ${event_time}`).toBe(valid);
        verdicts.push(fast.ok);
      }
    }
    expect(verdicts.filter(Boolean).length).toBe(messages.length * 2);
  });

  it("decline (leave it to zod) for schema features they do not implement", () => {
    expect(compileFastCheck({ a: z.string().refine((s) => s !== "x") })).toBeUndefined();
    expect(compileFastCheck({ a: z.string().nullable() })).toBeUndefined();
    expect(compileFastCheck({ a: z.number().default(1) })).toBeUndefined();
    expect(compileFastCheck({ a: z.string().transform((s) => s.length) })).toBeUndefined();
    expect(compileFastCheck({ a: z.coerce.number() })).toBeUndefined();
    expect(compileFastCheck({ a: z.number().int().max(5) })).toBeDefined();
  });

  it("never vouch for what zod would reject in a compiled check's edge cases", () => {
    const check = compileFastCheck({
      id: z.string().min(2),
      n: z.number().int().min(1),
      when: z.iso.datetime(),
    });
    const ok = { id: "ab", n: 1, when: "2026-01-01T00:00:00Z" };
    expect(check?.(ok)).toEqual(ok);
    expect(check?.({ ...ok, id: "🙂" })).toBeUndefined(); // one code point, two UTF-16 units
    expect(check?.({ ...ok, n: 2 ** 53 })).toBeUndefined();
    expect(check?.({ ...ok, when: "2026-01-01T00:00:00+01:00" })).toBeUndefined();
    expect(check?.({ ...ok, extra: 1 })).toEqual(ok);
  });
});
