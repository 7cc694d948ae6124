import { isUtf8 } from "node:buffer";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONTRACTS,
  type ContractOptions,
  type DecodeResult,
  decodeMessage,
  MAX_EVENT_BYTES,
  parseEvent,
  parseEventWithZod,
  TOPIC_KINDS,
  type TopicKind,
} from "./contracts.js";
import { EventTimeBounds } from "./event-time.js";
import { generateShop } from "./generator.js";
import { MAX_NESTING_DEPTH } from "./json-limits.js";
import { toRawRow } from "./raw-schema.js";

/**
 * Issue 12, "make the class impossible": whatever bytes arrive, the decoder returns either a row the raw
 * schema can hold or a short DLQ reason — never an exception (one used to stop the sink's consumer), never
 * a silently rewritten value — and the fast contract path gives zod's verdict. Each property runs the
 * decoder on inputs fast-check generates and shrinks; a failure prints the smallest counterexample.
 */

const NOW = Date.parse("2026-03-02T12:00:00Z");
const OPTIONS: ContractOptions = { now: NOW, eventTime: new EventTimeBounds() };
const DAY = 86_400_000;
/** Reasons travel as a Kafka header: they must stay short whatever the message holds. */
const MAX_REASON = 600;

// Valid events of every topic and type to mutate (dated 2026-03-01 to ~03-03, inside the bounds at NOW).
const BASES = [
  ...generateShop({ events: 600, seed: 13, start: new Date("2026-03-01T00:00:00Z"), days: 1, v3Share: 0.3 })
    .messages,
]
  .filter((m) => m.event && !m.duplicate)
  .map((m) => ({ kind: m.kind, event: JSON.parse(m.value) as Record<string, unknown> }));
const base = fc.constantFrom(...BASES);

/** Any UTF-16 code unit, lone surrogates included (JSON.stringify escapes those as \ud800). */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(
  fc.string({ unit: anyUnit, maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
);
const key = fc.oneof(
  anyString,
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    "",
    "event_id",
    "event_time",
    "price",
    "items",
    "referrer",
    "page_url",
  ),
);
const jsonValue = fc.jsonValue({ maxDepth: 4, stringUnit: anyUnit });

/** Contract fields of an event as zod outputs them (the rest of its keys must land in attributes). */
function contractKeys(kind: TopicKind, event: Record<string, unknown>): Set<string> {
  const version = event.schema_version === 2 || event.schema_version === 3 ? event.schema_version : 1;
  return new Set([...Object.keys(CONTRACTS[kind][String(event.event_type)]?.[version] ?? {}), "event_type"]);
}

/** The one postcondition of every decode: a row the raw schema can hold, or a short reason. */
function expectWellFormed(kind: TopicKind, result: DecodeResult): void {
  if (!result.ok) {
    expect(result.reason.length).toBeGreaterThan(0);
    expect(result.reason.length).toBeLessThanOrEqual(MAX_REASON);
    expect(result.reason).not.toMatch(/^internal decoder error/);
    return;
  }
  expect(result.event.kind).toBe(kind);
  for (const v of Object.values(result.event.attributes)) expect(typeof v).toBe("string");
  const row = toRawRow(result.event, { partition: 0, offset: 1n, ingestedAt: new Date(NOW) });
  const time = (row.event_time as Date).getTime();
  expect(time).toBeGreaterThanOrEqual(Date.UTC(2000, 0, 1));
  expect(time).toBeLessThanOrEqual(NOW + 7 * DAY);
}

const decode = (kind: TopicKind, text: string | Uint8Array) =>
  decodeMessage(kind, typeof text === "string" ? Buffer.from(text) : text, OPTIONS);

describe("decodeMessage never throws and always gives a row or a reason", () => {
  it("for arbitrary bytes (and says 'invalid UTF-8' exactly when they are)", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Valid events with a few arbitrary bytes spliced in somewhere.
      fc.tuple(base, fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.nat()).map(([b, junk, at]) => {
        const text = Buffer.from(JSON.stringify(b.event));
        const i = at % text.length;
        return new Uint8Array(Buffer.concat([text.subarray(0, i), junk, text.subarray(i)]));
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...TOPIC_KINDS), bytes, (kind, b) => {
        const result = decode(kind, b);
        expectWellFormed(kind, result);
        if (b.length > 0) expect(!result.ok && result.reason.startsWith("invalid UTF-8")).toBe(!isUtf8(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it("for arbitrary JSON documents", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TOPIC_KINDS),
        fc.json({ maxDepth: 6, stringUnit: anyUnit }),
        (kind, text) => {
          expectWellFormed(kind, decode(kind, text));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("for valid events with fields replaced and extra fields of any key and value, stored without loss", () => {
    const mutated = fc.tuple(
      base,
      fc.dictionary(key, jsonValue, { maxKeys: 4 }),
      fc.array(fc.tuple(fc.nat(), jsonValue), { maxLength: 2 }),
    );
    fc.assert(
      fc.property(mutated, ([b, extra, replace]) => {
        const keys = Object.keys(b.event);
        const event: Record<string, unknown> = { ...b.event };
        for (const [i, v] of replace) event[keys[i % keys.length] as string] = v;
        const text = `${JSON.stringify(event).slice(0, -1)}${Object.keys(extra).length ? "," : ""}${JSON.stringify(extra).slice(1)}`;
        const result = decode(b.kind, text);
        expectWellFormed(b.kind, result);
        if (!result.ok) return;
        // Every key the contract does not know is in attributes, as its string or its JSON text.
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const known = contractKeys(b.kind, parsed);
        const expected = Object.keys(parsed).filter((k) => !known.has(k));
        expect(Object.keys(result.event.attributes).sort()).toEqual(expected.sort());
        for (const k of expected) {
          const v = parsed[k];
          expect(result.event.attributes[k]).toBe(typeof v === "string" ? v : JSON.stringify(v));
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it("for hostile payloads: deep nesting, numbers beyond doubles, raw bytes, sizes near the limit", () => {
    const deep = fc
      .tuple(fc.integer({ min: 1, max: 120_000 }), fc.constantFrom("array", "object"))
      .map(([depth, shape]) => ({
        kind: "deep" as const,
        depth,
        json:
          shape === "array"
            ? `${"[".repeat(depth)}${"]".repeat(depth)}`
            : `${'{"a":'.repeat(depth)}0${"}".repeat(depth)}`,
      }));
    const huge = fc
      .constantFrom("1e400", "-1e400", "1e309", "-2e308")
      .chain((n) =>
        fc.constantFrom(n, `[1,${n}]`, `{"x":{"y":[${n}]}}`).map((json) => ({ kind: "huge" as const, json })),
      );
    const big = fc
      .tuple(
        fc.integer({ min: MAX_EVENT_BYTES - 600, max: MAX_EVENT_BYTES + 50 }),
        fc.constantFrom("x", "é", "🙂", "\\ud800"),
      )
      .map(([bytes, unit]) => {
        const size = Buffer.byteLength(unit);
        return { kind: "big" as const, json: `"${unit.repeat(Math.floor(bytes / size))}"` };
      });
    const field = fc.constantFrom("payload", "price", "items", "user_id", "event_type", "schema_version");
    fc.assert(
      fc.property(base, fc.oneof(deep, huge, big), field, (b, hostile, name) => {
        const text = `${JSON.stringify({ ...b.event, [name]: null }).slice(0, -1)},"${name}":${hostile.json}}`;
        const result = decode(b.kind, text);
        expectWellFormed(b.kind, result);
        const bytes = Buffer.byteLength(text);
        if (bytes > MAX_EVENT_BYTES) expect(!result.ok && result.reason).toMatch(/^message is \d+ bytes/);
        if (hostile.kind === "huge") expect(result.ok).toBe(false);
        // The event is level 1, so an attribute holding more than 63 levels is too deep.
        if (hostile.kind === "deep" && hostile.depth >= MAX_NESTING_DEPTH) expect(result.ok).toBe(false);
        if (result.ok) expect(result.text).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe("the fast contract path agrees with zod", () => {
  const edge = fc.constantFrom(
    Number.MAX_SAFE_INTEGER + 2,
    -0,
    1.5,
    "",
    "🙂",
    "\ud800",
    "USD",
    "2000-01-01T00:00:00Z",
    "1999-12-31T23:59:59.999Z",
    "9999-12-31T23:59:59Z",
    "2026-03-09T12:00:00.000Z",
    "2026-03-09T12:00:00.001Z",
    "2026-03-09T11:59:59.99999999Z",
    [{ sku: "s", qty: 1, unit_price: 1 }],
    // Schema versions: v3 exists for user-events only, v4 for no topic.
    2,
    3,
    4,
    "/products/p-1",
  );
  const nearBound = fc
    .integer({ min: -3 * DAY, max: 10 * DAY })
    .map((d) => new Date(NOW + d).toISOString().replace(/\.000Z$/, "Z"));

  it("on mutated events, at any clock: same verdict, reason, fields and attributes", () => {
    const value = fc.oneof(jsonValue, edge, nearBound);
    fc.assert(
      fc.property(
        base,
        fc.constantFrom(...TOPIC_KINDS),
        fc.array(
          fc.tuple(
            fc.constantFrom("event_time", "schema_version", "price", "items", "quantity", "page_url", "x"),
            value,
          ),
          {
            maxLength: 3,
          },
        ),
        fc.integer({ min: NOW - 10 * DAY, max: NOW + 10 * DAY }),
        (b, otherKind, changes, now) => {
          const event: Record<string, unknown> = { ...b.event };
          for (const [k, v] of changes) event[k] = v;
          const options = { now, eventTime: OPTIONS.eventTime };
          for (const kind of [b.kind, otherKind]) {
            const fast = parseEvent(kind, event, options);
            const zod = parseEventWithZod(kind, event, options);
            expect(isDeepStrictEqual(fast, zod), JSON.stringify({ kind, fast, zod })).toBe(true);
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
