import { describe, expect, it } from "vitest";
import { parseEvent, topicKindOf } from "./contracts.js";

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
