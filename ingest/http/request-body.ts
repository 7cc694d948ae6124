import { kindOfEventType, MAX_EVENT_BYTES, parseEvent, type TopicKind } from "../contracts.js";

/**
 * `POST /v1/events` bodies, pure: one JSON event, a JSON array of events, or NDJSON (one event a line;
 * chosen by a content type naming ndjson/jsonl, or when the body is not one JSON value but has lines).
 * Every event is checked with the producer's contracts (`parseEvent`); the topic follows its event type.
 */

export interface ApiLimits {
  /** Bytes of one request body (413 above). */
  readonly maxBodyBytes: number;
  /** Events in one request (413 above). */
  readonly maxEvents: number;
  /** Bytes of one event's JSON (that event rejected above; the sink's and the topics' limit). */
  readonly maxEventBytes: number;
}

export const API_LIMITS: ApiLimits = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxEvents: 10_000,
  maxEventBytes: MAX_EVENT_BYTES,
};

interface Item {
  readonly value: unknown;
  /** The event's own JSON when the body held it alone or on its own line (no re-encoding). */
  readonly text?: string;
  readonly error?: string;
}

export type ParsedBody =
  | { readonly ok: true; readonly items: readonly Item[] }
  | { readonly ok: false; readonly status: 400 | 413; readonly error: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function parseBody(
  body: Uint8Array,
  contentType: string | undefined,
  limits: ApiLimits = API_LIMITS,
): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, status: 400, error: "the body is not valid UTF-8" };
  }
  if (text.trim().length === 0) return { ok: false, status: 400, error: "the body is empty" };
  const ndjson = contentType !== undefined && /ndjson|jsonl/i.test(contentType);
  const items = ndjson ? lines(text) : jsonOrLines(text);
  if (!Array.isArray(items)) return items;
  if (items.length > limits.maxEvents) {
    return {
      ok: false,
      status: 413,
      error: `${items.length} events in one request; the limit is ${limits.maxEvents}`,
    };
  }
  return { ok: true, items };
}

/** One JSON value (an event or an array of them); failing that, NDJSON when the body has lines. */
function jsonOrLines(text: string): Item[] | ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (text.trim().includes("\n")) return lines(text);
    return { ok: false, status: 400, error: `invalid JSON: ${(error as Error).message.slice(0, 200)}` };
  }
  return Array.isArray(value) ? value.map((v) => ({ value: v })) : [{ value, text }];
}

function lines(text: string): Item[] {
  const items: Item[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0) continue;
    try {
      items.push({ value: JSON.parse(line), text: line });
    } catch (error) {
      items.push({ value: undefined, error: `invalid JSON: ${(error as Error).message.slice(0, 200)}` });
    }
  }
  return items;
}

/** An event that passed its contract, ready for the spool. */
export interface ValidEvent {
  readonly kind: TopicKind;
  /** The partition key: the entity the event is about, as the generator keys it. */
  readonly key: string;
  readonly value: string;
}

export interface Rejection {
  readonly index: number;
  readonly reason: string;
}

export interface CheckedEvents {
  readonly valid: ValidEvent[];
  readonly rejected: Rejection[];
  /** Every topic the request's events name (valid or not), for the key's topic check. */
  readonly kinds: ReadonlySet<TopicKind>;
}

const KEY_FIELD: Record<TopicKind, string> = {
  "user-events": "user_id",
  "product-metadata": "product_id",
  orders: "order_id",
};

export function checkEvents(
  items: readonly Item[],
  now: number,
  limits: ApiLimits = API_LIMITS,
): CheckedEvents {
  const valid: ValidEvent[] = [];
  const rejected: Rejection[] = [];
  const kinds = new Set<TopicKind>();
  items.forEach((item, index) => {
    if (item.error !== undefined) {
      rejected.push({ index, reason: item.error });
      return;
    }
    const value = item.value;
    const type =
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>).event_type
        : undefined;
    const kind = typeof type === "string" ? kindOfEventType(type) : undefined;
    if (!kind) {
      rejected.push({
        index,
        reason:
          typeof type === "string"
            ? `unknown event_type ${JSON.stringify(type.slice(0, 40))}`
            : "event must be a JSON object with an event_type",
      });
      return;
    }
    kinds.add(kind);
    const result = parseEvent(kind, value, { now });
    if (!result.ok) {
      rejected.push({ index, reason: result.reason });
      return;
    }
    const text = item.text ?? JSON.stringify(value);
    const bytes = Buffer.byteLength(text);
    if (bytes > limits.maxEventBytes) {
      rejected.push({
        index,
        reason: `event is ${bytes} bytes; events are limited to ${limits.maxEventBytes} bytes`,
      });
      return;
    }
    valid.push({ kind, key: String(result.event.fields[KEY_FIELD[kind]] ?? ""), value: text });
  });
  return { valid, rejected, kinds };
}
