import { z } from "zod";
import { compileFastCheck, type FastCheck } from "./contract-check.js";
import { clip, configuredEventTimeBounds, type EventTimeBounds } from "./event-time.js";
import { invalidUtf8Offset, NON_FINITE_REASON, storedValueProblem } from "./json-limits.js";

/**
 * Event contracts (ingest/README.md, "Contracts"). One zod schema per (topic, event_type, schema_version); each
 * version only adds optional fields (v2: `referrer`/`campaign`, …; v3, user-events only: `page_url`), so a
 * reader of a version accepts every event of the versions before it. Fields a schema does not know are never a
 * reason to reject: `parseEvent` moves them into `attributes` (values JSON-encoded unless strings).
 * Beyond the zod shapes, the contract bounds `event_time` (event-time.ts) and what an attribute may hold
 * (json-limits.ts): values that would otherwise be stored wrong or stop a reader go to the DLQ.
 */

export const TOPIC_KINDS = ["user-events", "product-metadata", "orders"] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];
export const DLQ_TOPIC = "dlq";

export const EVENT_TYPES = {
  "user-events": ["product_view", "add_to_cart", "checkout", "purchase"],
  "product-metadata": ["product_created", "product_updated"],
  orders: ["order_created", "order_paid", "order_shipped", "order_cancelled"],
} as const satisfies Record<TopicKind, readonly string[]>;

export type EventType = (typeof EVENT_TYPES)[TopicKind][number];

/** Bytes above which a message is rejected before parsing (the broker allows 4 MiB; a raw row should not). */
export const MAX_EVENT_BYTES = 1024 * 1024;

const currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code like USD");
const country = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 code like US");
const id = z.string().min(1);
const money = z.number().finite().nonnegative();

/** The schema versions a contract may have; user-events alone has a v3 (the other topics stop at v2). */
export const SCHEMA_VERSIONS = [1, 2, 3] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];

const envelope = {
  event_id: z.uuid(),
  event_time: z.iso.datetime(),
  schema_version: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
};

const userV1 = {
  user_id: id,
  session_id: id,
  product_id: id,
  quantity: z.number().int().min(1).optional(),
  price: money.optional(),
  currency: currency.optional(),
  order_id: id.optional(),
  country: country.optional(),
  device: z.enum(["web", "ios", "android"]).optional(),
};
const userV2Extra = { referrer: z.string().optional(), campaign: z.string().optional() };
/**
 * v3 (issue 14, schema evolution): `page_url`, the page the action happened on (a product page, the cart,
 * the checkout). Every clickstream event has one — unlike a coupon code, which only a checkout carries — and
 * it answers what `referrer` (where the visit came from) cannot: which page converts, where a funnel leaks.
 * A path or a full URL, as the client sends it; optional, so every v2 event is a valid v3 one.
 */
const userV3Extra = { page_url: z.string().min(1).optional() };

const productV1Full = {
  product_id: id,
  name: z.string().min(1),
  category: z.string().min(1),
  price: money,
  currency,
  stock_quantity: z.number().int().nonnegative(),
  is_active: z.boolean(),
};
const productV1Update = {
  product_id: id,
  name: z.string().min(1).optional(),
  category: z.string().min(1).optional(),
  price: money.optional(),
  currency: currency.optional(),
  stock_quantity: z.number().int().nonnegative().optional(),
  is_active: z.boolean().optional(),
};

const item = z.object({ sku: id, qty: z.number().int().min(1), unit_price: money });
const orderV1 = {
  order_id: id,
  customer_id: id,
  amount: money,
  currency,
  country,
  items: z.array(item).optional(),
};

type Shape = Record<string, z.ZodType>;
/** An event type's contract by version; `3` only where the topic has a v3. */
export type VersionedShapes = { 1: Shape; 2: Shape; 3?: Shape };

function byVersion(v1: Shape, v2Extra: Shape, v3Extra?: Shape): VersionedShapes {
  const v2 = { ...envelope, ...v1, ...v2Extra };
  return { 1: { ...envelope, ...v1 }, 2: v2, ...(v3Extra ? { 3: { ...v2, ...v3Extra } } : {}) };
}

// product_id is the only field whose requiredness differs by type: a checkout covers a whole cart.
const checkoutV1Shape: Shape = { ...userV1, product_id: id.optional() };

/** Every contract as data: topic → event type → version → field shape. */
export const CONTRACTS: Record<TopicKind, Record<string, VersionedShapes>> = {
  "user-events": {
    product_view: byVersion(userV1, userV2Extra, userV3Extra),
    add_to_cart: byVersion(userV1, userV2Extra, userV3Extra),
    checkout: byVersion(checkoutV1Shape, userV2Extra, userV3Extra),
    purchase: byVersion(userV1, userV2Extra, userV3Extra),
  },
  "product-metadata": {
    product_created: byVersion(productV1Full, { brand: z.string().optional() }),
    product_updated: byVersion(productV1Update, { brand: z.string().optional() }),
  },
  orders: {
    order_created: byVersion(
      { ...orderV1, items: z.array(item).min(1) },
      { payment_method: z.string().optional() },
    ),
    order_paid: byVersion(orderV1, { payment_method: z.string().optional() }),
    order_shipped: byVersion(orderV1, { payment_method: z.string().optional() }),
    order_cancelled: byVersion(orderV1, { payment_method: z.string().optional() }),
  },
};

interface Compiled {
  readonly schema: z.ZodObject;
  /** The contract's field names, precomputed: the hot path must not walk zod's shape per event. */
  readonly known: ReadonlySet<string>;
  /** The same contract as a plain-JS check (contract-check.ts); zod decides whenever it declines. */
  readonly fast: FastCheck | undefined;
}

// kind → type → version → compiled contract: the hot path builds no key string per event.
const compiled = new Map<TopicKind, Map<string, Partial<Record<SchemaVersion, Compiled>>>>();
function schemaFor(kind: TopicKind, type: string, version: SchemaVersion): Compiled | undefined {
  let byKind = compiled.get(kind);
  if (!byKind) {
    byKind = new Map();
    compiled.set(kind, byKind);
  }
  let byType = byKind.get(type);
  if (!byType) {
    byType = {};
    byKind.set(type, byType);
  }
  let entry = byType[version];
  if (!entry) {
    const shape = CONTRACTS[kind][type]?.[version];
    if (!shape) return undefined;
    entry = {
      schema: z.object({ ...shape, event_type: z.literal(type) }),
      known: new Set([...Object.keys(shape), "event_type"]),
      fast: compileFastCheck(shape),
    };
    byType[version] = entry;
  }
  return entry;
}

/** A validated event: the contract's fields plus everything else, stringified, in `attributes`. */
export interface ParsedEvent {
  readonly kind: TopicKind;
  readonly eventType: string;
  readonly schemaVersion: SchemaVersion;
  readonly fields: Record<string, unknown>;
  readonly attributes: Record<string, string>;
}

export type ParseResult = { ok: true; event: ParsedEvent } | { ok: false; reason: string };

export interface ContractOptions {
  /** The clock the event-time bounds are checked against, epoch ms (default: `Date.now()`). */
  readonly now?: number;
  /** The bounds (default: the environment's, `configuredEventTimeBounds()`). */
  readonly eventTime?: EventTimeBounds;
}

/** Validates one decoded JSON value against the topic's contracts. Never throws. */
export function parseEvent(kind: TopicKind, value: unknown, options?: ContractOptions): ParseResult {
  return parseEventUsing(kind, value, true, options);
}

/** `parseEvent` with zod alone, no fast path: the reference the fast path is tested against. */
export function parseEventWithZod(kind: TopicKind, value: unknown, options?: ContractOptions): ParseResult {
  return parseEventUsing(kind, value, false, options);
}

/**
 * A value as a reason quotes it, bounded: a hostile event_type may be a megabyte string or an array
 * nested 100,000 levels deep (JSON.stringify of which overflows the stack).
 */
function quote(value: unknown): string {
  if (typeof value === "string") return clip(JSON.stringify(value));
  if (typeof value === "number") return String(value);
  if (value === null || typeof value === "boolean" || value === undefined) return String(value);
  return Array.isArray(value) ? "(an array)" : "(an object)";
}

function parseEventUsing(
  kind: TopicKind,
  value: unknown,
  fast: boolean,
  options: ContractOptions | undefined,
): ParseResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "event must be a JSON object" };
  }
  const raw = value as Record<string, unknown>;
  const type = raw.event_type;
  const known = EVENT_TYPES[kind] as readonly string[];
  if (typeof type !== "string" || !known.includes(type)) {
    return {
      ok: false,
      reason: `unknown event_type ${quote(type)} for topic ${kind} (expected one of ${known.join(", ")})`,
    };
  }
  const version = raw.schema_version ?? 1;
  // A version from the future (a producer deployed before the sink) is not lost: the DLQ keeps the message
  // and `floe ingest dlq replay` sends it back once a sink with that contract runs (ingest/README.md).
  if (version !== 1 && version !== 2 && version !== 3) {
    return {
      ok: false,
      reason: `unknown schema_version ${quote(version)} (this sink knows 1, 2, 3): deploy the contract, then replay the DLQ`,
    };
  }
  const contract = schemaFor(kind, type, version);
  if (!contract) {
    const known = Object.keys(CONTRACTS[kind][type] ?? {})
      .map((v) => `v${v}`)
      .join(", ");
    return {
      ok: false,
      reason: `no contract for ${kind}/${type} v${version} (it has ${known}): deploy the contract, then replay the DLQ`,
    };
  }
  // event_type was checked above; the fast path checks the contract's other fields.
  let fields = fast ? contract.fast?.(raw) : undefined;
  if (!fields) {
    const result = contract.schema.safeParse(raw);
    if (!result.success) return { ok: false, reason: `${type} v${version}: ${describeIssues(result.error)}` };
    fields = result.data;
  } else {
    fields.event_type = type;
  }
  // Both paths end here, so the bounds cannot make the fast path and zod disagree.
  const bounds = options?.eventTime ?? configuredEventTimeBounds();
  const late = bounds.check(fields.event_time as string, options?.now ?? Date.now());
  if (late !== undefined) return { ok: false, reason: `${type} v${version}: ${late}` };
  const attributes: Record<string, string> = {};
  for (const key in raw) {
    const v = raw[key];
    if (contract.known.has(key) || v === undefined) continue;
    let text: string;
    if (typeof v === "string") text = v;
    else {
      // Strings (the usual attribute) skip this; objects are walked once, iteratively, before encoding.
      const problem =
        typeof v === "object" ? storedValueProblem(v, 2) : Number.isFinite(v) ? undefined : NON_FINITE_REASON;
      if (problem !== undefined)
        return { ok: false, reason: `${type} v${version}: ${clip(key)}: ${problem}` };
      text = JSON.stringify(v);
    }
    // JSON.parse makes "__proto__" an own key; a plain assignment would set the prototype and drop it.
    if (key === "__proto__") {
      Object.defineProperty(attributes, key, {
        value: text,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else attributes[key] = text;
  }
  return {
    ok: true,
    event: { kind, eventType: type, schemaVersion: version, fields, attributes },
  };
}

/** `price: must be >= 0; user_id: required` — short enough for a Kafka header. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.join(".") || "(root)";
      const missing = issue.code === "invalid_type" && issue.message.endsWith("received undefined");
      const message = missing ? "required" : issue.message;
      return `${path}: ${message}`;
    })
    .join("; ");
}

/** Physical topic names may carry a prefix (`it42-user-events`); the contract is chosen by the suffix. */
export function topicKindOf(topic: string): TopicKind | undefined {
  return TOPIC_KINDS.find(
    (kind) => topic === kind || topic.endsWith(`-${kind}`) || topic.endsWith(`.${kind}`),
  );
}

/** The topic an event type belongs to. */
export function kindOfEventType(type: string): TopicKind | undefined {
  return TOPIC_KINDS.find((kind) => (EVENT_TYPES[kind] as readonly string[]).includes(type));
}

/** A decoded message; `text` is the JSON it was parsed from (the sink buffers it for DuckDB). */
export type DecodeResult = { ok: true; event: ParsedEvent; text: string } | { ok: false; reason: string };

// Fatal: invalid UTF-8 throws instead of becoming U+FFFD. ignoreBOM keeps a BOM in the text, as Buffer's
// toString did, so JSON.parse still refuses it. Also faster than Buffer.toString (~70 against ~130 ns for
// a 265-byte event): no Buffer view is created per message.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes one Kafka message value for a topic: size limit, UTF-8, JSON, then the contract. The sink routes
 * `ok: false` results to the DLQ with `reason` as the `error` header. Never throws: a value no check
 * foresaw still becomes a reason (`internal decoder error`; contracts.property.test.ts checks it never occurs).
 */
export function decodeMessage(
  kind: TopicKind,
  value: Uint8Array | null | undefined,
  options?: ContractOptions,
): DecodeResult {
  const size = value?.length ?? 0;
  if (!value || size === 0) return { ok: false, reason: "empty message (no value)" };
  if (size > MAX_EVENT_BYTES) {
    return { ok: false, reason: `message is ${size} bytes; events are limited to ${MAX_EVENT_BYTES} bytes` };
  }
  // Outside the try below: a bad FLOE_EVENT_* variable is the deployment's ConfigError, not every
  // message's DLQ reason (read once; the CLI checks it before consuming).
  if (options?.eventTime === undefined) configuredEventTimeBounds();
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, reason: `invalid UTF-8 at byte ${invalidUtf8Offset(value)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${clipError(error)}` };
  }
  try {
    const result = parseEvent(kind, json, options);
    return result.ok ? { ok: true, event: result.event, text } : result;
  } catch (error) {
    return { ok: false, reason: `internal decoder error: ${clipError(error)}` };
  }
}

const clipError = (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 197)}...` : message;
};
