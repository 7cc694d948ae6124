import { describe, expect, it } from "vitest";
import { decodeMessage, MAX_EVENT_BYTES, parseEvent, topicKindOf } from "./contracts.js";

const view = {
  event_id: "0b5f6c1e-8a4e-4b2a-9a51-3c2d1e0f9a77",
  event_type: "product_view",
  event_time: "2026-01-05T10:00:00.000Z",
  user_id: "u-1",
  session_id: "s-1",
  product_id: "p-1",
};

describe("parseEvent", () => {
  it("accepts a v1 event and defaults schema_version to 1", () => {
    const r = parseEvent("user-events", view);
    expect(r.ok && r.event.schemaVersion).toBe(1);
  });

  it("keeps unknown fields in attributes instead of rejecting", () => {
    const r = parseEvent("user-events", { ...view, color: "red", nested: { a: 1 } });
    expect(r.ok && r.event.attributes).toEqual({ color: "red", nested: '{"a":1}' });
  });

  it("knows v2 fields only in v2", () => {
    const v2 = parseEvent("user-events", { ...view, schema_version: 2, referrer: "google" });
    expect(v2.ok && v2.event.fields.referrer).toBe("google");
    const v1 = parseEvent("user-events", { ...view, referrer: "google" });
    expect(v1.ok && v1.event.attributes).toEqual({ referrer: "google" });
  });

  it("knows v3's page_url on every user-events type, only in v3, and keeps v2's fields", () => {
    const { product_id: _p, ...checkout } = { ...view, event_type: "checkout" };
    for (const event of [
      view,
      { ...view, event_type: "add_to_cart" },
      { ...view, event_type: "purchase" },
      checkout,
    ]) {
      const v3 = parseEvent("user-events", {
        ...event,
        schema_version: 3,
        page_url: "/p/1",
        referrer: "ads",
      });
      expect(v3.ok && v3.event.schemaVersion).toBe(3);
      expect(v3.ok && v3.event.fields.page_url).toBe("/p/1");
      expect(v3.ok && v3.event.fields.referrer).toBe("ads");
      expect(v3.ok && v3.event.attributes).toEqual({});
      // Optional: a v3 event without it is valid (every v2 event is a valid v3 one).
      expect(parseEvent("user-events", { ...event, schema_version: 3 }).ok).toBe(true);
    }
    // v1 and v2 readers are unchanged: the field is an attribute there, as any unknown field.
    const v2 = parseEvent("user-events", { ...view, schema_version: 2, page_url: "/p/1" });
    expect(v2.ok && v2.event.fields.page_url).toBeUndefined();
    expect(v2.ok && v2.event.attributes).toEqual({ page_url: "/p/1" });
    const empty = parseEvent("user-events", { ...view, schema_version: 3, page_url: "" });
    expect(!empty.ok && empty.reason).toMatch(/^product_view v3: page_url: /);
  });

  it("dead-letters a schema version it has no contract for, naming the fix", () => {
    const v4 = parseEvent("user-events", { ...view, schema_version: 4, page_url: "/p/1" });
    expect(v4).toEqual({
      ok: false,
      reason: "unknown schema_version 4 (this sink knows 1, 2, 3): deploy the contract, then replay the DLQ",
    });
    const product = {
      event_id: view.event_id,
      event_type: "product_updated",
      event_time: view.event_time,
      product_id: "p-1",
    };
    expect(parseEvent("product-metadata", { ...product, schema_version: 2 }).ok).toBe(true);
    expect(parseEvent("product-metadata", { ...product, schema_version: 3 })).toEqual({
      ok: false,
      reason:
        "no contract for product-metadata/product_updated v3 (it has v1, v2): deploy the contract, then replay the DLQ",
    });
  });

  it("gives readable reasons", () => {
    const missing = parseEvent("user-events", { ...view, user_id: undefined });
    expect(missing).toEqual({ ok: false, reason: "product_view v1: user_id: required" });
    const wrong = parseEvent("user-events", { ...view, price: "cheap" });
    expect(!wrong.ok && wrong.reason).toMatch(/price: Invalid input: expected number/);
    const unknown = parseEvent("user-events", { ...view, event_type: "page_scroll" });
    expect(!unknown.ok && unknown.reason).toMatch(/unknown event_type "page_scroll"/);
    expect(parseEvent("orders", [1]).ok).toBe(false);
  });

  it("requires product_id except on checkout, and items on order_created", () => {
    const { product_id: _p, ...noProduct } = view;
    expect(parseEvent("user-events", { ...noProduct, event_type: "checkout" }).ok).toBe(true);
    expect(parseEvent("user-events", noProduct).ok).toBe(false);
    const order = {
      event_id: view.event_id,
      event_type: "order_created",
      event_time: view.event_time,
      order_id: "o-1",
      customer_id: "u-1",
      amount: 10,
      currency: "USD",
      country: "US",
    };
    expect(parseEvent("orders", order).ok).toBe(false);
    expect(parseEvent("orders", { ...order, items: [{ sku: "p-1", qty: 1, unit_price: 10 }] }).ok).toBe(true);
  });
});

describe("topicKindOf", () => {
  it("maps prefixed physical topics to their contract", () => {
    expect(topicKindOf("user-events")).toBe("user-events");
    expect(topicKindOf("it42-orders")).toBe("orders");
    expect(topicKindOf("payments")).toBeUndefined();
  });
});

describe("decodeMessage (what the sink dead-letters, and why)", () => {
  const bytes = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
  const reason = (r: ReturnType<typeof decodeMessage>) => (r.ok ? "ok" : r.reason);

  it("names each kind of bad input", () => {
    expect(reason(decodeMessage("user-events", bytes('{"event_id": "x"')))).toMatch(/^invalid JSON: /);
    expect(reason(decodeMessage("user-events", bytes({ ...view, price: "cheap" })))).toBe(
      "product_view v1: price: Invalid input: expected number, received string",
    );
    expect(reason(decodeMessage("user-events", bytes({ ...view, session_id: undefined })))).toBe(
      "product_view v1: session_id: required",
    );
    expect(reason(decodeMessage("orders", bytes(view)))).toMatch(
      /unknown event_type "product_view" for topic orders/,
    );
    const big = bytes({ ...view, blob: "x".repeat(2 * 1024 * 1024) });
    expect(reason(decodeMessage("user-events", big))).toBe(
      `message is ${big.length} bytes; events are limited to ${MAX_EVENT_BYTES} bytes`,
    );
    expect(reason(decodeMessage("user-events", null))).toBe("empty message (no value)");
    expect(decodeMessage("user-events", bytes(view)).ok).toBe(true);
  });
});

/**
 * Issue 12's hostile events: each of these was accepted (or threw) before the decoder was hardened. The
 * property tests in contracts.property.test.ts generalise them.
 */
describe("hostile events go to the DLQ with a reason, never through and never as an exception", () => {
  const bytes = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
  const reason = (r: ReturnType<typeof decodeMessage>) => (r.ok ? "ok" : r.reason);
  const now = Date.parse("2026-01-05T12:00:00Z");
  const at = (event_time: string) => ({ ...view, event_time });

  it("rejects an event_time far in the future (9999-12-31) whatever the clock says", () => {
    expect(reason(decodeMessage("user-events", bytes(at("9999-12-31T23:59:59Z"))))).toMatch(
      /^product_view v1: event_time: 9999-12-31T23:59:59Z is more than 7 days in the future \(now: /,
    );
    expect(parseEvent("orders", { ...at("9999-12-31T23:59:59Z"), event_type: "order_paid" }).ok).toBe(false);
  });

  it("bounds event_time to [2000-01-01, now + the allowed skew], both ends inclusive", () => {
    const verdict = (t: string) => {
      const r = parseEvent("user-events", at(t), { now });
      return r.ok ? "ok" : r.reason;
    };
    expect(verdict("2026-01-12T12:00:00Z")).toBe("ok");
    expect(verdict("2026-01-12T12:00:00.000999Z")).toBe("ok");
    expect(verdict("2026-01-12T12:00:00.001Z")).toBe(
      "product_view v1: event_time: 2026-01-12T12:00:00.001Z is more than 7 days in the future " +
        "(now: 2026-01-05T12:00:00.000Z; the limit is FLOE_EVENT_MAX_FUTURE_SKEW)",
    );
    expect(verdict("2000-01-01T00:00:00Z")).toBe("ok");
    expect(verdict("1999-12-31T23:59:59.999Z")).toBe(
      "product_view v1: event_time: 1999-12-31T23:59:59.999Z is before 2000-01-01T00:00:00.000Z, " +
        "the earliest event time accepted (FLOE_EVENT_MIN_TIME)",
    );
    expect(verdict("0000-01-01T00:00:00Z")).toMatch(/is before 2000-01-01/);
  });

  it("rejects nesting deeper than 64 levels instead of overflowing the stack", () => {
    for (const depth of [65, 5_000, 100_000]) {
      const arrays = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      const objects = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      for (const deep of [arrays, objects]) {
        const text = `${JSON.stringify(view).slice(0, -1)},"payload":${deep}}`;
        expect(reason(decodeMessage("user-events", bytes(text))), `depth ${depth}`).toBe(
          "product_view v1: payload: nesting deeper than 64 levels",
        );
      }
    }
    // The event is level 1, so an attribute may hold 63 levels.
    const ok = `${JSON.stringify(view).slice(0, -1)},"payload":${"[".repeat(63)}${"]".repeat(63)}}`;
    expect(reason(decodeMessage("user-events", bytes(ok)))).toBe("ok");
    const deepType = `{"event_type":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    expect(reason(decodeMessage("user-events", bytes(deepType)))).toMatch(/^unknown event_type \(an array\)/);
  });

  it("rejects invalid UTF-8 instead of rewriting it to U+FFFD", () => {
    const text = JSON.stringify({ ...view, user_id: "u-\u0001" });
    const at1 = text.indexOf("\\u0001");
    const withBytes = (bad: number[]) =>
      Buffer.concat([Buffer.from(text.slice(0, at1)), Buffer.from(bad), Buffer.from(text.slice(at1 + 6))]);
    expect(reason(decodeMessage("user-events", withBytes([0xff])))).toBe(`invalid UTF-8 at byte ${at1}`);
    expect(reason(decodeMessage("user-events", withBytes([0xc0, 0xaf])))).toBe(
      `invalid UTF-8 at byte ${at1}`,
    );
    expect(reason(decodeMessage("user-events", withBytes([0xed, 0xa0, 0x80])))).toBe(
      `invalid UTF-8 at byte ${at1}`,
    );
    expect(reason(decodeMessage("user-events", withBytes([0x61, 0xe2, 0x82])))).toBe(
      `invalid UTF-8 at byte ${at1 + 1}`,
    );
    const valid = decodeMessage("user-events", withBytes([0xe2, 0x82, 0xac]));
    expect(valid.ok && valid.event.fields.user_id).toBe("u-€");
  });

  it("rejects numbers beyond the double range instead of storing them as null", () => {
    const with_ = (extra: string) => bytes(`${JSON.stringify(view).slice(0, -1)},${extra}}`);
    expect(reason(decodeMessage("user-events", with_('"score":-1e400')))).toBe(
      "product_view v1: score: number beyond the double range (±1.8e308)",
    );
    expect(reason(decodeMessage("user-events", with_('"scores":{"a":[1,2,1e999]}')))).toBe(
      "product_view v1: scores: number beyond the double range (±1.8e308)",
    );
    expect(reason(decodeMessage("user-events", with_('"price":1e400')))).toMatch(/^product_view v1: price: /);
    expect(reason(decodeMessage("user-events", with_('"schema_version":1e400')))).toBe(
      "unknown schema_version Infinity (this sink knows 1, 2, 3): deploy the contract, then replay the DLQ",
    );
    const fine = decodeMessage("user-events", with_('"score":-1.7e308'));
    expect(fine.ok && fine.event.attributes).toEqual({ score: "-1.7e+308" });
  });
});
