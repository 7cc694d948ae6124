import { describe, expect, it } from "vitest";
import { API_LIMITS, checkEvents, parseBody } from "./request-body.js";

const now = Date.parse("2026-03-02T00:00:00Z");
const view = (i: number, extra: Record<string, unknown> = {}) => ({
  event_id: `0b8f3c9e-4a4b-4c1e-9a57-0c6f3f0f0f${String(i).padStart(2, "0")}`,
  event_type: "product_view",
  event_time: "2026-03-01T12:00:00Z",
  user_id: `u${i}`,
  session_id: "s1",
  product_id: "p1",
  ...extra,
});
const order = {
  event_id: "0b8f3c9e-4a4b-4c1e-9a57-0c6f3f0f0faa",
  event_type: "order_paid",
  event_time: "2026-03-01T12:00:00Z",
  order_id: "o1",
  customer_id: "c1",
  amount: 12.5,
  currency: "EUR",
  country: "FR",
};
const body = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
const items = (b: Buffer, type?: string) => {
  const parsed = parseBody(b, type);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.items;
};

describe("parseBody", () => {
  it("takes one event, an array, or NDJSON (by content type, or by lines when not one JSON value)", () => {
    expect(items(body(view(1)))).toHaveLength(1);
    expect(items(body([view(1), view(2), order]))).toHaveLength(3);
    const ndjson = `${JSON.stringify(view(1))}\n\n${JSON.stringify(order)}\r\n`;
    expect(items(body(ndjson), "application/x-ndjson")).toHaveLength(2);
    expect(items(body(ndjson))).toHaveLength(2);
    // The event's own JSON is kept, so the Kafka value is the bytes the client sent.
    expect(items(body(ndjson))[0]?.text).toBe(JSON.stringify(view(1)));
  });

  it("answers 400 for an empty body, broken JSON or invalid UTF-8, and 413 over the events limit", () => {
    expect(parseBody(body("  "), undefined)).toMatchObject({ ok: false, status: 400 });
    expect(parseBody(body("{nope"), undefined)).toMatchObject({ ok: false, status: 400 });
    expect(parseBody(Buffer.from([0x7b, 0xff, 0x7d]), undefined)).toMatchObject({ ok: false, status: 400 });
    const many = body(Array.from({ length: 11 }, (_, i) => view(i)));
    expect(parseBody(many, undefined, { ...API_LIMITS, maxEvents: 10 })).toMatchObject({
      ok: false,
      status: 413,
    });
  });
});

describe("checkEvents", () => {
  it("routes each event by its type, keys it by its entity and gives a reason per bad index", () => {
    const checked = checkEvents(
      items(body([view(1), { ...view(2), user_id: 7 }, order, { event_type: "teleport" }, 42])),
      now,
    );
    expect(checked.valid.map((e) => [e.kind, e.key])).toEqual([
      ["user-events", "u1"],
      ["orders", "o1"],
    ]);
    expect(checked.rejected.map((r) => r.index)).toEqual([1, 3, 4]);
    expect(checked.rejected[0]?.reason).toMatch(/user_id/);
    expect(checked.rejected[1]?.reason).toMatch(/unknown event_type "teleport"/);
    expect(checked.rejected[2]?.reason).toMatch(/JSON object/);
    expect([...checked.kinds].sort()).toEqual(["orders", "user-events"]);
  });

  it("rejects an event above the per-event byte limit and a line that is not JSON", () => {
    const big = view(1, { note: "x".repeat(200) });
    const checked = checkEvents(items(body(`${JSON.stringify(big)}\n{oops`)), now, {
      ...API_LIMITS,
      maxEventBytes: 100,
    });
    expect(checked.valid).toEqual([]);
    expect(checked.rejected.map((r) => r.index)).toEqual([0, 1]);
    expect(checked.rejected[0]?.reason).toMatch(/limited to 100 bytes/);
    expect(checked.rejected[1]?.reason).toMatch(/invalid JSON/);
  });
});
