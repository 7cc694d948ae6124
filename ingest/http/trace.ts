import { randomUUID } from "node:crypto";

/**
 * Trace ids (W3C Trace Context): a request's `traceparent` header gives its trace id; without a valid one
 * the API makes one. The id travels with each event as a Kafka `traceparent` header into the raw
 * `_trace_id` column.
 */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function traceIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : TRACEPARENT.exec(value.trim().toLowerCase());
  const id = match?.[1];
  // The spec forbids an all-zero trace id; such a header is treated as absent.
  // randomUUID draws from a cached pool of random bytes (randomBytes per request showed in profiles).
  return id && !/^0+$/.test(id) ? id : randomUUID().replaceAll("-", "");
}

/** The trace id from a Kafka `traceparent` header (the sink's `_trace_id`), or null. */
export function traceIdFromHeader(value: unknown): string | null {
  const text = value === undefined || value === null ? undefined : String(value);
  const match = text === undefined ? null : TRACEPARENT.exec(text);
  return match?.[1] ?? null;
}
