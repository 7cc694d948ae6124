import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKey, type NewKey } from "./api-keys.js";

/** Helpers shared by the ingestion API's integration tests and `bench:api` (real HTTP, real stack). */

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `floe-api-${label}-`));
}

/** A key file in a fresh directory holding one key per spec; returns the file and the secrets by name. */
export function keysWith(
  dir: string,
  specs: readonly NewKey[],
): { file: string; secrets: Record<string, string> } {
  const file = join(dir, "api-keys.json");
  const secrets: Record<string, string> = {};
  for (const spec of specs) secrets[spec.name] = createKey(file, spec).secret;
  return { file, secrets };
}

/** A valid product_view with a fresh event_id (a minute old, so every contract bound accepts it). */
export function productView(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: "product_view",
    event_time: new Date(Date.now() - 60_000).toISOString(),
    user_id: `u${i % 997}`,
    session_id: `s${i % 97}`,
    product_id: `p${i % 31}`,
    ...extra,
  };
}

export function orderPaid(i: number): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: "order_paid",
    event_time: new Date(Date.now() - 60_000).toISOString(),
    order_id: `o${i}`,
    customer_id: `c${i % 50}`,
    amount: 10 + (i % 7),
    currency: "EUR",
    country: "FR",
  };
}

export interface Posted {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** POSTs events with Node's fetch (a real HTTP client over loopback). */
export async function postEvents(
  url: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Posted> {
  const response = await fetch(`${url}/v1/events`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
