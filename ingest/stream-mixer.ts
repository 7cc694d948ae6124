import type { TopicKind } from "./contracts.js";
import type { Random } from "./random.js";
import type { LedgerEntry, MalformedKind } from "./shop-ledger.js";
import type { ShopEvent, ShopUser } from "./shop-simulation.js";

/**
 * The stream as Kafka sees it: the shop's events mixed with what real producers also send. Each slot is,
 * in this order of chance, a malformed message (bypasses the contract, must end in the DLQ), a duplicate
 * (the same bytes and key as a recent valid message, like a producer retry) or the shop's next event. A
 * late event keeps its event_time but is held back and published 1,000–20,000 slots later.
 */

export interface GeneratedMessage {
  readonly kind: TopicKind;
  readonly key: string;
  readonly value: string;
  /** The event object for valid messages (the producer validates it against the contract). */
  readonly event?: Record<string, unknown>;
  readonly malformed?: MalformedKind;
  readonly duplicate?: boolean;
  readonly late?: boolean;
}

/** Where the mixer takes the shop's events from (`ShopSimulation`). */
export interface EventSource {
  /** The next event; `progress` (0–1) is how far through the run the stream is. */
  next(progress: number): ShopEvent;
  /** Users a malformed message may name. */
  readonly users: readonly ShopUser[];
}

export interface MixOptions {
  /** Messages in all (slots). */
  readonly total: number;
  /** Probabilities in [0, 1]. */
  readonly duplicates: number;
  readonly malformed: number;
  readonly late: number;
  /** The first malformed message is a ~2 MB one. */
  readonly oversized: boolean;
}

const MALFORMED_KINDS: readonly MalformedKind[] = [
  "invalid_json",
  "wrong_types",
  "missing_fields",
  "unknown_event_type",
];

/** Recent valid messages a duplicate may copy (so what a restamper must remember to re-send one). */
export const DUPLICATE_REACH = 200;

/** Exactly `options.total` messages. Draws from `rng`, the same `Random` the source draws from. */
export function* mixStream(
  rng: Random,
  source: EventSource,
  options: MixOptions,
): Generator<GeneratedMessage> {
  const { total } = options;
  let oversizedLeft = options.oversized && options.malformed > 0 ? 1 : 0;
  const late: { releaseAt: number; e: ShopEvent }[] = [];
  const recent: GeneratedMessage[] = [];
  const valid = (e: ShopEvent, isLate: boolean): GeneratedMessage => {
    const message: GeneratedMessage = {
      kind: e.kind,
      key: e.key,
      value: JSON.stringify(e.event),
      event: e.event,
      ...(isLate ? { late: true } : {}),
    };
    recent.push(message);
    if (recent.length > DUPLICATE_REACH) recent.shift();
    return message;
  };

  let slot = 0;
  while (slot < total) {
    let message: GeneratedMessage;
    const dueLate = late[0];
    const remainingForNew = total - slot - late.length;
    if (dueLate && (dueLate.releaseAt <= slot || remainingForNew <= 0)) {
      late.shift();
      message = valid(dueLate.e, true);
    } else if (rng.chance(options.malformed)) {
      const kind = oversizedLeft > 0 ? "oversized" : rng.pick(MALFORMED_KINDS);
      if (kind === "oversized") oversizedLeft--;
      message = malformedMessage(kind, rng, source.users);
    } else if (recent.length > 0 && rng.chance(options.duplicates)) {
      const original = recent[Math.floor(rng.next() * recent.length)] as GeneratedMessage;
      message = { kind: original.kind, key: original.key, value: original.value, duplicate: true };
    } else {
      const e = source.next(Math.min(1, slot / Math.max(1, total)));
      // Held back: the slot is filled by whatever comes next, the event goes out later.
      if (rng.chance(options.late) && remainingForNew > 1) {
        late.push({ releaseAt: slot + rng.int(1_000, 20_000), e });
        late.sort((a, b) => a.releaseAt - b.releaseAt);
        continue;
      }
      message = valid(e, false);
    }
    slot++;
    yield message;
  }
}

/**
 * A generated message as a ledger entry. A duplicate carries only its bytes: its event is parsed, and it
 * is marked, so a fold that keeps no event_ids (`LedgerCountsFold`) still counts it as one.
 */
export function ledgerEntryOf(message: GeneratedMessage): LedgerEntry {
  if (message.malformed) return { kind: message.kind, malformed: message.malformed };
  if (message.event) return { kind: message.kind, event: message.event, late: message.late === true };
  const event = JSON.parse(message.value) as Record<string, unknown>;
  return { kind: message.kind, event, ...(message.duplicate ? { duplicate: true } : {}) };
}

function malformedMessage(kind: MalformedKind, rng: Random, users: readonly ShopUser[]): GeneratedMessage {
  const user = rng.pick(users);
  const good = {
    event_id: rng.uuid(),
    event_type: "product_view",
    event_time: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    user_id: user.id,
    session_id: "s-bad",
    product_id: "p-1",
  };
  const topic: TopicKind = "user-events";
  switch (kind) {
    case "invalid_json":
      return { kind: topic, key: user.id, value: JSON.stringify(good).slice(0, 40), malformed: kind };
    case "wrong_types":
      return {
        kind: topic,
        key: user.id,
        value: JSON.stringify({ ...good, price: "cheap", quantity: 1.5 }),
        malformed: kind,
      };
    case "missing_fields": {
      const { user_id: _u, session_id: _s, ...rest } = good;
      return { kind: topic, key: user.id, value: JSON.stringify(rest), malformed: kind };
    }
    case "unknown_event_type":
      return {
        kind: topic,
        key: user.id,
        value: JSON.stringify({ ...good, event_type: "page_scroll" }),
        malformed: kind,
      };
    case "oversized":
      return {
        kind: topic,
        key: user.id,
        value: JSON.stringify({ ...good, blob: "x".repeat(2 * 1024 * 1024) }),
        malformed: kind,
      };
  }
}
