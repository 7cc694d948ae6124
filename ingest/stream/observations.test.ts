import { describe, expect, it } from "vitest";
import type { ParsedEvent } from "../contracts.js";
import { observe } from "./observations.js";

const event = (
  kind: ParsedEvent["kind"],
  eventType: string,
  fields: Record<string, unknown>,
): ParsedEvent => ({
  kind,
  eventType,
  schemaVersion: 1,
  fields: { event_time: "2026-12-06T10:00:30Z", ...fields },
  attributes: {},
});

describe("observations of an event", () => {
  it("counts a view in events and product_views, by its user, country and device", () => {
    const obs = observe(
      event("user-events", "product_view", { user_id: "u-1", country: "US", device: "ios" }),
    );
    expect(obs.map((o) => o.metric)).toEqual(["events", "product_views"]);
    expect(obs[0]).toEqual({
      metric: "events",
      atMs: Date.parse("2026-12-06T10:00:30Z"),
      user: "u-1",
      sumCents: undefined,
      country: "US",
      device: "ios",
    });
  });

  it("adds a purchase's line amount in cents to purchase_revenue", () => {
    const obs = observe(
      event("user-events", "purchase", { user_id: "u-2", price: 19.99, quantity: 3, country: "DE" }),
    );
    expect(obs.map((o) => o.metric)).toEqual(["events", "purchases", "purchase_revenue"]);
    expect(obs[2]).toMatchObject({ sumCents: 5997, device: "unknown" });
  });

  it("counts created orders with their amount, by customer", () => {
    const obs = observe(
      event("orders", "order_created", { customer_id: "u-3", amount: 12.5, country: "FR" }),
    );
    expect(obs).toEqual([expect.objectContaining({ metric: "orders", sumCents: 1250, user: "u-3" })]);
    expect(observe(event("orders", "order_paid", { customer_id: "u-3", amount: 12.5 }))).toEqual([]);
    expect(observe(event("product-metadata", "product_created", {}))).toEqual([]);
  });
});
