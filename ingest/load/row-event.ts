import {
  type ContractOptions,
  kindOfEventType,
  MAX_EVENT_BYTES,
  type ParsedEvent,
  parseEvent,
  type TopicKind,
} from "../contracts.js";
import { type ColumnType, RAW_COLUMNS } from "../raw-schema.js";

/**
 * A file's row → the Kafka message it becomes, or the reason it goes to the DLQ. Pure.
 *
 * NDJSON lines are JSON already: the line is checked and published as its own bytes, like a producer's
 * message. CSV cells are all strings and Parquet columns are whatever the writer chose (ids as int64,
 * times as TIMESTAMP), so those rows are first typed by the topic's raw columns (`raw-schema.ts`, the
 * union of the contracts' fields): the same column type table the sink writes Parquet with decides what a
 * cell means. A cell that does not read as its column's type is left as it is, so the contract names the
 * field in the DLQ reason instead of the loader guessing.
 */

export type RoutedRow =
  | {
      readonly ok: true;
      readonly kind: TopicKind;
      readonly key: string;
      readonly value: string;
      readonly eventId: string;
    }
  | { readonly ok: false; readonly reason: string; readonly value: string };

/** The entity a topic's messages are keyed by, as the generator keys them: one entity's events in order. */
const KEY_FIELD: Record<TopicKind, string> = {
  "user-events": "user_id",
  "product-metadata": "product_id",
  orders: "customer_id",
};

/** Column name → type, per topic, from the raw schema. */
const COLUMN_TYPES = new Map<TopicKind, Map<string, ColumnType>>(
  (Object.keys(RAW_COLUMNS) as TopicKind[]).map((kind) => [
    kind,
    new Map(RAW_COLUMNS[kind].map((c) => [c.name, c.type])),
  ]),
);

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A JS value DuckDB or a CSV parser produced, as JSON can carry it (bigint → number or string, Date → ISO). */
export function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonValue(v);
    return out;
  }
  return value;
}

/** One cell as its column's type, or unchanged when it does not read as one (the contract says why). */
export function typeCell(type: ColumnType | undefined, value: unknown): unknown {
  const v = jsonValue(value);
  switch (type) {
    case "string":
      return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
    case "int":
    case "bigint":
      return typeof v === "string" && INTEGER.test(v.trim()) ? Number(v.trim()) : v;
    case "double":
      return typeof v === "string" && DECIMAL.test(v.trim()) ? Number(v.trim()) : v;
    case "boolean":
      if (typeof v !== "string") return v;
      if (/^true$/i.test(v.trim())) return true;
      if (/^false$/i.test(v.trim())) return false;
      return v;
    case "items":
    case "map":
      if (typeof v !== "string") return v;
      try {
        return JSON.parse(v);
      } catch {
        return v;
      }
    default:
      return v;
  }
}

/**
 * A CSV record or Parquet row typed for its topic: empty and null cells are left out (an absent optional
 * field, not an empty string the contract would refuse), known columns typed, unknown ones kept as they
 * are (the contract moves them into `attributes`). A row whose event_type names no topic is only cleaned.
 */
export function typeRow(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const type = row.event_type;
  const kind = typeof type === "string" ? kindOfEventType(type.trim()) : undefined;
  const columns = kind ? COLUMN_TYPES.get(kind) : undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value === null || value === undefined || value === "") continue;
    const typed = name === "event_type" && typeof value === "string" ? value.trim() : value;
    out[name] = typeCell(columns?.get(name), typed);
  }
  return out;
}

/** A decoded JSON value routed to its topic by event_type and checked against that topic's contract. */
export function routeValue(value: unknown, text: string, options?: ContractOptions): RoutedRow {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_EVENT_BYTES) {
    return {
      ok: false,
      reason: `row is ${bytes} bytes; events are limited to ${MAX_EVENT_BYTES} bytes`,
      value: text,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "event must be a JSON object", value: text };
  }
  const type = (value as Record<string, unknown>).event_type;
  const kind = typeof type === "string" ? kindOfEventType(type) : undefined;
  if (!kind) {
    const shown = typeof type === "string" ? JSON.stringify(type.slice(0, 100)) : String(type);
    return { ok: false, reason: `unknown event_type ${shown}: it names no topic`, value: text };
  }
  const parsed = parseEvent(kind, value, options);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, value: text };
  return {
    ok: true,
    kind,
    key: keyOf(parsed.event),
    value: text,
    eventId: String(parsed.event.fields.event_id),
  };
}

function keyOf(event: ParsedEvent): string {
  const key = event.fields[KEY_FIELD[event.kind]];
  return typeof key === "string" ? key : String(event.fields.event_id);
}

/** One NDJSON line: published as its own bytes when it passes. */
export function routeLine(text: string, options?: ContractOptions): RoutedRow {
  // Measured before parsing: a multi-megabyte line is not worth a JSON.parse to be refused.
  if (text.length * 3 > MAX_EVENT_BYTES && Buffer.byteLength(text) > MAX_EVENT_BYTES) {
    return routeValue(undefined, text, options);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `invalid JSON: ${message.slice(0, 200)}`, value: text };
  }
  return routeValue(value, text, options);
}

/** One CSV record or Parquet row: typed, then published as the JSON of the typed row. */
export function routeRecord(row: Readonly<Record<string, unknown>>, options?: ContractOptions): RoutedRow {
  const typed = typeRow(row);
  return routeValue(typed, JSON.stringify(typed), options);
}
