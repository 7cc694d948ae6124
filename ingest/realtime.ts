import { DUPLICATE_REACH, type GeneratedMessage } from "./stream-mixer.js";

/**
 * Real-time publishing (`floe ingest generate --realtime`): the shop's messages go out at a steady rate
 * with bursts, stamped with the wall clock as they leave, so the pipeline downstream sees events that
 * happen now (what the freshness SLO is measured on). Pure: the pace says when the n-th message is due, the
 * restamp rewrites an event's time; the publish loop applies both.
 */

/** When each message of a run may go, in ms after the run's start. */
export interface Pace {
  /** The due time of the message with this index (0-based, counted from the run's start). */
  dueMs(index: number): number;
}

export interface BurstSettings {
  /** Messages per second during a burst. */
  readonly rate: number;
  /** A burst starts this long after the previous one started (the period). */
  readonly everyMs: number;
  /** And lasts this long, at the end of each period. */
  readonly forMs: number;
}

/** `rate` messages a second; with `burst`, each period ends with `burst.forMs` at `burst.rate`. */
export function pace(rate: number, burst?: BurstSettings): Pace {
  if (!burst) return { dueMs: (index) => (index / rate) * 1000 };
  const steadyMs = burst.everyMs - burst.forMs;
  const steadyCount = (rate * steadyMs) / 1000;
  const perPeriod = steadyCount + (burst.rate * burst.forMs) / 1000;
  return {
    dueMs(index) {
      const period = Math.floor(index / perPeriod);
      const within = index - period * perPeriod;
      const offset =
        within < steadyCount
          ? (within / rate) * 1000
          : steadyMs + ((within - steadyCount) / burst.rate) * 1000;
      return period * burst.everyMs + offset;
    },
  };
}

/** How many messages are due within `durationMs` of the start. */
export function messagesWithin(p: Pace, durationMs: number): number {
  // dueMs is increasing: the first index due at or after durationMs is the count.
  let low = 0;
  let high = 1;
  while (p.dueMs(high) < durationMs) high *= 2;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (p.dueMs(mid) < durationMs) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The message with its event stamped `nowMs` (a late one `lateByMs` earlier: it happened then and arrives
 * now). Malformed messages go as they are: they exist to test the DLQ. The event keeps its fields' order.
 */
export function restamp(message: GeneratedMessage, nowMs: number, lateByMs: number): GeneratedMessage {
  if (!message.event || message.malformed) return message;
  const eventTime = new Date(nowMs - (message.late ? lateByMs : 0)).toISOString();
  const event = { ...message.event, event_time: eventTime };
  return { ...message, event, value: JSON.stringify(event) };
}

/**
 * Restamps a run's messages in order. A duplicate re-sends a recent event's bytes (an at-least-once
 * producer's retry), so it gets the bytes its original went out with, not a new time; the originals of the
 * last `remember` events are kept for that: as many as the mixer lets a duplicate reach back, no more (a
 * run's memory must not grow with its length).
 */
export class Restamper {
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly lateByMs: number,
    private readonly remember = DUPLICATE_REACH,
  ) {}

  /** Originals kept (at most `remember`). */
  get remembered(): number {
    return this.sent.size;
  }

  stamp(message: GeneratedMessage, nowMs: number): GeneratedMessage {
    if (message.duplicate && !message.event) {
      const id = eventIdOf(message.value);
      const original = id === undefined ? undefined : this.sent.get(id);
      return original === undefined ? message : { ...message, value: original };
    }
    const out = restamp(message, nowMs, this.lateByMs);
    const id = out.event?.event_id;
    if (out !== message && typeof id === "string") {
      this.sent.set(id, out.value);
      if (this.sent.size > this.remember) this.sent.delete(this.sent.keys().next().value as string);
    }
    return out;
  }
}

function eventIdOf(value: string): string | undefined {
  try {
    const id = (JSON.parse(value) as { event_id?: unknown }).event_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/** How late a `--late` event arrives in real time: older than the sink's one-minute flush, inside a lookback. */
export const REALTIME_LATE_MS = 10 * 60_000;
