import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES } from "../contracts.js";
import { jsonValue, routeLine, routeRecord, typeCell, typeRow } from "./row-event.js";
import { SAMPLE_VIEW } from "./test-files.js";

const view = SAMPLE_VIEW;

describe("CSV typing", () => {
  it("types cells by the topic's raw columns", () => {
    const row = typeRow({
      ...view,
      event_type: "add_to_cart",
      quantity: "3",
      price: "19.90",
      device: "web",
      schema_version: "2",
      referrer: "",
      app_version: "7",
    });
    expect(row).toEqual({
      ...view,
      event_type: "add_to_cart",
      quantity: 3,
      price: 19.9,
      device: "web",
      schema_version: 2,
      // An unknown column stays a string (it becomes an attribute); an empty cell is no field at all.
      app_version: "7",
    });
  });

  it("reads booleans and item lists for product and order rows", () => {
    expect(typeCell("boolean", "TRUE")).toBe(true);
    expect(typeCell("boolean", "false")).toBe(false);
    expect(typeCell("boolean", "yes")).toBe("yes");
    expect(typeCell("items", '[{"sku":"p-1","qty":1,"unit_price":2}]')).toEqual([
      { sku: "p-1", qty: 1, unit_price: 2 },
    ]);
    expect(typeCell("items", "[oops")).toBe("[oops");
  });

  it("leaves a cell that is not its column's type for the contract to name", () => {
    expect(typeCell("int", "3.5")).toBe("3.5");
    expect(typeCell("double", "cheap")).toBe("cheap");
    const routed = routeRecord({ ...view, price: "cheap" });
    expect(!routed.ok && routed.reason).toMatch(/price: Invalid input: expected number/);
  });

  it("turns Parquet's ints, bigints and timestamps into the contract's strings and numbers", () => {
    expect(typeCell("string", 42)).toBe("42");
    expect(typeCell("string", 42n)).toBe("42");
    expect(typeCell("int", 7n)).toBe(7);
    expect(jsonValue(new Date("2026-01-05T10:00:00Z"))).toBe("2026-01-05T10:00:00.000Z");
    expect(jsonValue(2n ** 60n)).toBe("1152921504606846976");
    const routed = routeRecord({ ...view, user_id: 17n, event_time: new Date("2026-01-05T10:00:00Z") });
    expect(routed.ok && JSON.parse(routed.value)).toEqual({
      ...view,
      user_id: "17",
      event_time: "2026-01-05T10:00:00.000Z",
    });
  });
});

describe("row → event", () => {
  it("routes by event_type and keys by the topic's entity", () => {
    const line = JSON.stringify(view);
    expect(routeLine(line)).toEqual({
      ok: true,
      kind: "user-events",
      key: "u-1",
      value: line,
      eventId: view.event_id,
    });
    const order = {
      event_id: "1b5f6c1e-8a4e-4b2a-9a51-3c2d1e0f9a77",
      event_type: "order_paid",
      event_time: "2026-01-05T10:00:00.000Z",
      order_id: "o-1",
      customer_id: "u-9",
      amount: 10,
      currency: "USD",
      country: "US",
    };
    const routed = routeLine(JSON.stringify(order));
    expect(routed.ok && [routed.kind, routed.key]).toEqual(["orders", "u-9"]);
  });

  it("gives the DLQ reason for a bad line, an unknown type and a contract violation", () => {
    expect(routeLine("{not json")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid JSON/),
    });
    expect(routeLine("[1,2]")).toMatchObject({ ok: false, reason: "event must be a JSON object" });
    expect(routeLine(JSON.stringify({ ...view, event_type: "page_scroll" }))).toMatchObject({
      ok: false,
      reason: 'unknown event_type "page_scroll": it names no topic',
    });
    expect(routeLine(JSON.stringify({ ...view, user_id: undefined }))).toMatchObject({
      ok: false,
      reason: "product_view v1: user_id: required",
    });
  });

  it("refuses a row over the event size limit before parsing it", () => {
    const big = JSON.stringify({ ...view, note: "x".repeat(MAX_EVENT_BYTES) });
    const routed = routeLine(big);
    expect(!routed.ok && routed.reason).toMatch(/events are limited to 1048576 bytes/);
  });
});
