import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import {
  DEFAULT_EVENT_TIME_LIMITS,
  EventTimeBounds,
  type EventTimeLimits,
  eventTimeLimitsFromEnv,
  formatSkew,
} from "./event-time.js";

const DAY = 86_400_000;
const isoDatetime = z.iso.datetime();

/** The bounds by their definition: parse, compare. The class's text shortcut must give the same verdict. */
const reference = (limits: EventTimeLimits, eventTime: string, now: number) => {
  const ms = Date.parse(eventTime);
  return ms >= limits.minEventMs && ms <= now + limits.maxFutureSkewMs;
};

/** An instant in the contract's format (what z.iso.datetime() accepts), with 0–9 fraction digits. */
function contractTime(ms: number, digits: number, extra: number): string {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  if (digits === 0) return `${iso.slice(0, 19)}Z`;
  return `${iso.slice(0, 19)}.${`${iso.slice(20, 23)}${String(extra).padStart(6, "0")}`.slice(0, digits)}Z`;
}

const YEAR_0 = Date.parse("0000-01-01T00:00:00Z");
const YEAR_9999_END = Date.parse("9999-12-31T23:59:59.999Z");

describe("EventTimeBounds", () => {
  it("accepts [min, now + skew] inclusive, at millisecond precision", () => {
    const bounds = new EventTimeBounds();
    const now = Date.parse("2026-06-15T08:30:00Z");
    expect(bounds.check("2026-06-22T08:30:00Z", now)).toBeUndefined();
    expect(bounds.check("2026-06-22T08:30:00.001Z", now)).toMatch(/is more than 7 days in the future/);
    expect(bounds.check("2000-01-01T00:00:00Z", now)).toBeUndefined();
    expect(bounds.check("1999-12-31T23:59:59Z", now)).toMatch(/is before 2000-01-01T00:00:00.000Z/);
    // A clock that cannot be read rejects rather than admits.
    expect(bounds.check("2026-06-15T08:30:00Z", Number.NaN)).toMatch(/in the future \(now: NaN;/);
  });

  it("gives the reference verdict for any time and clock (the text shortcut never decides differently)", () => {
    const limits = fc.record({
      maxFutureSkewMs: fc.oneof(fc.constant(7 * DAY), fc.integer({ min: 0, max: 30 * DAY })),
      minEventMs: fc.oneof(
        fc.constant(DEFAULT_EVENT_TIME_LIMITS.minEventMs),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2030, 0, 1) }),
      ),
    });
    // Where an event time lies: anywhere, or near one of the edges (the latest instant, the minimum, the
    // start of the latest day), within two seconds or two days.
    const place = fc.record({
      anchor: fc.constantFrom("anywhere", "latest", "minimum", "latest-day"),
      absolute: fc.integer({ min: YEAR_0, max: YEAR_9999_END }),
      offset: fc.oneof(fc.integer({ min: -2_000, max: 2_000 }), fc.integer({ min: -2 * DAY, max: 2 * DAY })),
      digits: fc.integer({ min: 0, max: 9 }),
      extra: fc.integer({ min: 0, max: 999_999 }),
    });
    const clock = fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2040, 0, 1) });
    fc.assert(
      fc.property(limits, fc.array(fc.tuple(clock, place), { minLength: 1, maxLength: 30 }), (l, checks) => {
        // One instance over a sequence of clocks (forwards and backwards) exercises its day cache.
        const bounds = new EventTimeBounds(l);
        for (const [now, p] of checks) {
          const latest = now + l.maxFutureSkewMs;
          const base = {
            anywhere: p.absolute,
            latest,
            minimum: l.minEventMs,
            "latest-day": latest - (latest % DAY),
          };
          const ms = Math.min(
            YEAR_9999_END,
            Math.max(YEAR_0, base[p.anchor] + (p.anchor === "anywhere" ? 0 : p.offset)),
          );
          const t = contractTime(ms, p.digits, p.extra);
          expect(isoDatetime.safeParse(t).success, t).toBe(true);
          expect(bounds.check(t, now) === undefined, `${t} at ${new Date(now).toISOString()}`).toBe(
            reference(l, t, now),
          );
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("stays exact for clocks and minimums outside four-digit years", () => {
    const far = new EventTimeBounds({ maxFutureSkewMs: 0, minEventMs: Date.UTC(-5, 0, 1) });
    expect(far.check("0000-01-01T00:00:00Z", Date.UTC(20_000, 0, 1))).toBeUndefined();
    expect(far.check("9999-12-31T23:59:59Z", Date.UTC(2026, 0, 1))).toMatch(/in the future/);
    const late = new EventTimeBounds({ maxFutureSkewMs: 0, minEventMs: Date.UTC(12_000, 0, 1) });
    expect(late.check("9999-12-31T23:59:59Z", Date.UTC(13_000, 0, 1))).toMatch(/is before/);
  });
});

describe("eventTimeLimitsFromEnv (FLOE_EVENT_MAX_FUTURE_SKEW, FLOE_EVENT_MIN_TIME)", () => {
  it("defaults to 7 days and 2000-01-01", () => {
    expect(eventTimeLimitsFromEnv({})).toEqual(DEFAULT_EVENT_TIME_LIMITS);
    expect(eventTimeLimitsFromEnv({ FLOE_EVENT_MAX_FUTURE_SKEW: "" })).toEqual(DEFAULT_EVENT_TIME_LIMITS);
    expect(DEFAULT_EVENT_TIME_LIMITS).toEqual({ maxFutureSkewMs: 7 * DAY, minEventMs: Date.UTC(2000, 0, 1) });
  });

  it("reads durations and instants", () => {
    expect(eventTimeLimitsFromEnv({ FLOE_EVENT_MAX_FUTURE_SKEW: "36h" }).maxFutureSkewMs).toBe(
      36 * 3_600_000,
    );
    expect(eventTimeLimitsFromEnv({ FLOE_EVENT_MAX_FUTURE_SKEW: " 1.5d " }).maxFutureSkewMs).toBe(1.5 * DAY);
    expect(eventTimeLimitsFromEnv({ FLOE_EVENT_MAX_FUTURE_SKEW: "90s" }).maxFutureSkewMs).toBe(90_000);
    expect(eventTimeLimitsFromEnv({ FLOE_EVENT_MIN_TIME: "2015-06-01T00:00:00Z" }).minEventMs).toBe(
      Date.UTC(2015, 5, 1),
    );
  });

  it("refuses anything else with a ConfigError naming the variable", () => {
    for (const [name, value] of [
      ["FLOE_EVENT_MAX_FUTURE_SKEW", "tomorrow"],
      ["FLOE_EVENT_MAX_FUTURE_SKEW", "-1d"],
      ["FLOE_EVENT_MAX_FUTURE_SKEW", "5000d"],
      ["FLOE_EVENT_MAX_FUTURE_SKEW", "10"],
      ["FLOE_EVENT_MIN_TIME", "2015-06-01"],
      ["FLOE_EVENT_MIN_TIME", "2015-06-01T00:00:00+02:00"],
    ] as const) {
      const read = () => eventTimeLimitsFromEnv({ [name]: value });
      expect(read, `${name}=${value}`).toThrow(ConfigError);
      expect(read, `${name}=${value}`).toThrow(new RegExp(`^${name}="${value.replace(/[+.]/g, "\\$&")}": `));
    }
  });

  it("formats the skew as the DLQ reason states it", () => {
    expect([DAY, 7 * DAY, 36 * 3_600_000, 90 * 60_000, 1_500].map(formatSkew)).toEqual([
      "1 day",
      "7 days",
      "36 hours",
      "90 minutes",
      "1.5 s",
    ]);
  });
});
