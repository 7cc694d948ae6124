import { z } from "zod";
import { ConfigError } from "../core/errors.js";

/**
 * The contract's bounds on `event_time` (issue 12). A syntactically valid time can still be absurd: one
 * event dated 9999-12-31 used to reach staging, whose incremental window then started in year 9999, so
 * every later load read nothing. An event is accepted only when
 *
 *   earliest ≤ event_time ≤ now + max future skew
 *
 * with the earliest instant 2000-01-01T00:00:00Z and the skew 7 days by default. `now` is the checker's
 * clock (the sink's when it decodes, the producer's before it publishes) and can be injected.
 *
 * Why 7 days rather than minutes: the shop generator (default start: midnight two days ago, 3 days)
 * simulates shipments and product changes up to ~36 h after its last day, so its default output reaches
 * ~2.5 days past the wall clock; a tighter default would dead-letter the demo shop. Production, whose
 * event times come from real clocks, should set it lower (e.g. `FLOE_EVENT_MAX_FUTURE_SKEW=1h`).
 *
 * Configured by environment, read once: `FLOE_EVENT_MAX_FUTURE_SKEW` (`90s`, `30m`, `36h`, `7d`) and
 * `FLOE_EVENT_MIN_TIME` (ISO-8601 UTC). A bound is not what keeps staging loading (its watermark is
 * ingestion time, see macros/lookback_predicate.sql); it keeps absurd values out of the marts.
 */

export const MAX_FUTURE_SKEW_ENV = "FLOE_EVENT_MAX_FUTURE_SKEW";
export const MIN_EVENT_TIME_ENV = "FLOE_EVENT_MIN_TIME";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface EventTimeLimits {
  /** How far after `now` an event may be dated, in ms. */
  readonly maxFutureSkewMs: number;
  /** The earliest event time accepted, epoch ms. */
  readonly minEventMs: number;
}

export const DEFAULT_EVENT_TIME_LIMITS: EventTimeLimits = {
  maxFutureSkewMs: 7 * DAY,
  minEventMs: Date.UTC(2000, 0, 1),
};

// Ten years of skew keeps now + skew inside the contract's four-digit years for any real clock.
const MAX_SKEW_MS = 3_660 * DAY;
const UNIT_MS: Record<string, number> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY };

const skewSchema = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?[smhd]$/, "must be a duration like 90s, 30m, 36h or 7d")
  .transform((text) => Number(text.slice(0, -1)) * (UNIT_MS[text.slice(-1)] ?? Number.NaN))
  .pipe(z.number().max(MAX_SKEW_MS, "must be at most 3660d"));

const minSchema = z.iso
  .datetime({ message: "must be an ISO-8601 UTC instant like 2000-01-01T00:00:00Z" })
  .transform((text) => Date.parse(text));

/** The limits an environment sets (unset = the default); a ConfigError naming the variable otherwise. */
export function eventTimeLimitsFromEnv(env: NodeJS.ProcessEnv): EventTimeLimits {
  const read = <T>(name: string, schema: z.ZodType<T>, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    throw new ConfigError(`${name}=${JSON.stringify(raw)}: ${result.error.issues[0]?.message ?? "invalid"}`, {
      hint: `unset ${name} for the default, or see ingest/README.md § Contracts`,
    });
  };
  return {
    maxFutureSkewMs: read(MAX_FUTURE_SKEW_ENV, skewSchema, DEFAULT_EVENT_TIME_LIMITS.maxFutureSkewMs),
    minEventMs: read(MIN_EVENT_TIME_ENV, minSchema, DEFAULT_EVENT_TIME_LIMITS.minEventMs),
  };
}

/** `7 days`, `36 hours`, `90 minutes`, `30 s`: the skew as the DLQ reason states it. */
export function formatSkew(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (ms % DAY === 0) return plural(ms / DAY, "day");
  if (ms % HOUR === 0) return plural(ms / HOUR, "hour");
  if (ms % MINUTE === 0) return plural(ms / MINUTE, "minute");
  return `${ms / SECOND} s`;
}

/** A value as a reason may quote it: at most 40 characters (reasons travel as Kafka headers). */
export const clip = (text: string): string => (text.length > 40 ? `${text.slice(0, 37)}...` : text);

/**
 * Checks event times against limits. Per event it is a clock read and two string comparisons: the
 * contract's format (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`, four-digit years) sorts as text exactly as in
 * time, so an event on a whole day strictly between the earliest and the latest allowed day needs no
 * parse. Only events on those two boundary days are parsed. The latest day is recomputed when the clock
 * crosses midnight (the only allocation, once a day).
 */
export class EventTimeBounds {
  readonly maxFutureSkewMs: number;
  readonly minEventMs: number;
  /** Event times `>= minDay` (a `YYYY-MM-DD` prefix) are on or after the earliest instant. */
  private readonly minDay: string;
  /** Event times `< maxDay` are on a day before the one holding now + skew. */
  private maxDay = "";
  private dayStart = Number.NaN;
  private dayEnd = Number.NaN;

  constructor(limits: EventTimeLimits = DEFAULT_EVENT_TIME_LIMITS) {
    this.maxFutureSkewMs = limits.maxFutureSkewMs;
    this.minEventMs = limits.minEventMs;
    // A minimum at midnight: its day qualifies; otherwise only the days after it do.
    const intoDay = ((limits.minEventMs % DAY) + DAY) % DAY;
    const firstWholeDay = new Date(intoDay === 0 ? limits.minEventMs : limits.minEventMs - intoDay + DAY);
    const year = firstWholeDay.getUTCFullYear();
    // Outside four-digit years the text comparison would mislead: "" admits every day, "~" none.
    if (Number.isNaN(year) || year > 9999) this.minDay = "~";
    else this.minDay = year < 0 ? "" : firstWholeDay.toISOString().slice(0, 10);
  }

  /** Undefined when `eventTime` (already valid for `z.iso.datetime()`) is within bounds at `now`; else why not. */
  check(eventTime: string, now: number): string | undefined {
    const latest = now + this.maxFutureSkewMs;
    if (!(latest >= this.dayStart && latest < this.dayEnd)) this.moveLatestDay(latest);
    if (eventTime < this.maxDay && eventTime >= this.minDay) return undefined;
    const ms = Date.parse(eventTime);
    // Negated comparisons, so that NaN (an unparsable time or clock) is rejected, never waved through.
    if (!(ms >= this.minEventMs)) {
      return (
        `event_time: ${clip(eventTime)} is before ${new Date(this.minEventMs).toISOString()}, ` +
        `the earliest event time accepted (${MIN_EVENT_TIME_ENV})`
      );
    }
    if (!(ms <= latest)) {
      const at = Number.isFinite(now) ? new Date(now).toISOString() : String(now);
      return (
        `event_time: ${clip(eventTime)} is more than ${formatSkew(this.maxFutureSkewMs)} in the future ` +
        `(now: ${at}; the limit is ${MAX_FUTURE_SKEW_ENV})`
      );
    }
    return undefined;
  }

  private moveLatestDay(latest: number): void {
    const day = new Date(latest - (((latest % DAY) + DAY) % DAY));
    const year = day.getUTCFullYear();
    if (!Number.isFinite(latest) || year < 0 || year > 9999) {
      // No four-digit day to compare with: every event takes the exact (parsing) path.
      this.maxDay = "";
      this.dayStart = Number.NaN;
      this.dayEnd = Number.NaN;
      return;
    }
    this.maxDay = day.toISOString().slice(0, 10);
    this.dayStart = day.getTime();
    this.dayEnd = this.dayStart + DAY;
  }
}

let fromEnv: EventTimeBounds | undefined;

/**
 * The bounds the process's environment configures, read once. Throws ConfigError for an invalid value:
 * the CLI calls this before it starts the sink or the generator, so a bad variable fails at start-up
 * rather than on the first event.
 */
export function configuredEventTimeBounds(): EventTimeBounds {
  fromEnv ??= new EventTimeBounds(eventTimeLimitsFromEnv(process.env));
  return fromEnv;
}
