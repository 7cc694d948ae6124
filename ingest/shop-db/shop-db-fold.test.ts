import { describe, expect, it } from "vitest";
import { generateShop } from "../generator.js";
import { round2 } from "../shop-ledger.js";
import { MemoryShopDb } from "./memory-writer.js";
import type { RowMutation } from "./mutations.js";
import { personOf } from "./people.js";
import {
  LOW_STOCK_THRESHOLD,
  type PublishedEvent,
  RESTOCK_AFTER_EVENTS,
  RESTOCK_UNITS,
  ShopDbFold,
} from "./shop-db-fold.js";
import { publishedEventOf } from "./shop-db-follower.js";

const T = "2026-03-01T10:00:00.000Z";
let n = 0;
/** An event with a fresh id (with seed 1 none of these ids' coins changes an email or erases a user). */
const ev = (kind: PublishedEvent["kind"], fields: Record<string, unknown>): PublishedEvent => ({
  kind,
  event: { event_id: `e-${++n}`, event_time: T, ...fields },
});
const created = (id: string, stock: number) =>
  ev("product-metadata", {
    event_type: "product_created",
    product_id: id,
    name: `item ${id}`,
    category: "books",
    price: 12.5,
    currency: "USD",
    stock_quantity: stock,
    is_active: true,
  });
const view = (user: string, product = "p-1") =>
  ev("user-events", {
    event_type: "product_view",
    user_id: user,
    session_id: "s-1",
    product_id: product,
    country: "DE",
    device: "ios",
  });
const purchase = (user: string, product: string, quantity: number) =>
  ev("user-events", {
    event_type: "purchase",
    user_id: user,
    session_id: "s-1",
    product_id: product,
    quantity,
    country: "DE",
    device: "ios",
  });
const order = (type: string, id: string, extra: Record<string, unknown> = {}) =>
  ev("orders", {
    event_type: type,
    order_id: id,
    customer_id: "u-1",
    amount: 27,
    currency: "USD",
    country: "DE",
    ...extra,
  });

describe("ShopDbFold", () => {
  it("inserts a product with its inventory, a user when first seen, and decrements stock on purchase", () => {
    const fold = new ShopDbFold(1);
    expect(fold.add(created("p-1", 30))).toEqual([
      {
        op: "insert",
        table: "products",
        row: {
          product_id: "p-1",
          name: "item p-1",
          category: "books",
          price: "12.50",
          is_active: true,
          updated_at: T,
        },
      },
      {
        op: "insert",
        table: "inventory",
        row: { product_id: "p-1", quantity: 30, low_stock_threshold: LOW_STOCK_THRESHOLD, updated_at: T },
      },
    ]);
    const person = personOf(1, "u-1");
    expect(fold.add(view("u-1"))).toEqual([
      {
        op: "insert",
        table: "users",
        row: {
          user_id: "u-1",
          email: person.email,
          full_name: person.fullName,
          country: "DE",
          device: "ios",
          created_at: T,
          updated_at: T,
        },
      },
    ]);
    expect(fold.add(purchase("u-1", "p-1", 3))).toEqual([
      { op: "update", table: "inventory", key: "p-1", set: { quantity: 27, updated_at: T } },
    ]);
    // Not below zero; a purchase of a product never created changes nothing.
    fold.add(purchase("u-1", "p-1", 100));
    expect(fold.quantityOf("p-1")).toBe(0);
    expect(fold.add(purchase("u-1", "p-404", 1))).toEqual([]);
  });

  it("restocks a product that fell under its threshold, once, some events later", () => {
    const fold = new ShopDbFold(1);
    fold.add(created("p-1", 12));
    fold.add(purchase("u-1", "p-1", 3));
    fold.add(purchase("u-1", "p-1", 1));
    expect(fold.quantityOf("p-1")).toBe(8);
    const restocks: RowMutation[] = [];
    for (let i = 0; i < RESTOCK_AFTER_EVENTS; i++) {
      restocks.push(...fold.add(view("u-1")).filter((m) => m.table === "inventory"));
    }
    expect(restocks).toEqual([
      { op: "update", table: "inventory", key: "p-1", set: { quantity: 8 + RESTOCK_UNITS, updated_at: T } },
    ]);
    expect(fold.counts.restocks).toBe(1);
  });

  it("follows an order's status as its events say, and a cancellation deletes its lines", () => {
    const fold = new ShopDbFold(1);
    const items = [
      { sku: "p-1", qty: 1, unit_price: 12 },
      { sku: "p-2", qty: 1, unit_price: 15 },
    ];
    const ins = fold.add(order("order_created", "o-1", { items }));
    expect(
      ins.map((m) => (m.op === "insert" ? `${m.table}:${m.row.status ?? m.row.order_item_id}` : m.op)),
    ).toEqual(["users:undefined", "orders:created", "order_items:o-1-1", "order_items:o-1-2"]);
    expect(ins[1]).toMatchObject({ row: { amount: "27.00", user_id: "u-1", created_at: T } });
    expect(fold.add(order("order_paid", "o-1"))).toEqual([
      { op: "update", table: "orders", key: "o-1", set: { status: "paid", updated_at: T } },
    ]);
    fold.add(order("order_shipped", "o-1"));
    // A late order_paid after the shipping does not move the status back.
    expect(fold.add(order("order_paid", "o-1"))).toEqual([]);

    fold.add(order("order_created", "o-2", { items }));
    expect(fold.add(order("order_cancelled", "o-2"))).toEqual([
      { op: "update", table: "orders", key: "o-2", set: { status: "cancelled", updated_at: T } },
      { op: "delete", table: "order_items", key: "o-2-1" },
      { op: "delete", table: "order_items", key: "o-2-2" },
    ]);
    expect(fold.counts.cancelledLines).toBe(2);
  });

  it("inserts an order from an event that overtook its order_created, which then adds its lines", () => {
    const fold = new ShopDbFold(1);
    fold.add(view("u-1"));
    expect(fold.add(order("order_paid", "o-9"))).toEqual([
      expect.objectContaining({
        op: "insert",
        table: "orders",
        row: expect.objectContaining({ status: "paid" }),
      }),
    ]);
    const late = fold.add(
      order("order_created", "o-9", { items: [{ sku: "p-1", qty: 2, unit_price: 13.5 }] }),
    );
    expect(late).toEqual([
      { op: "update", table: "orders", key: "o-9", set: { created_at: T } },
      {
        op: "insert",
        table: "order_items",
        row: { order_item_id: "o-9-1", order_id: "o-9", product_id: "p-1", quantity: 2, unit_price: "13.50" },
      },
    ]);
  });
});

describe("ShopDbFold over a generated shop", { timeout: 60_000 }, () => {
  const options = {
    events: 20_000,
    seed: 7,
    start: new Date("2026-02-01T00:00:00Z"),
    days: 3,
    duplicates: 0.02,
    late: 0.01,
    malformed: 0.002,
  };

  it("agrees with the ledger: orders, statuses, revenue, and lines summing to each live order's amount", async () => {
    const shop = generateShop(options);
    const fold = new ShopDbFold(options.seed);
    const db = new MemoryShopDb();
    for (const message of shop.messages) {
      const e = publishedEventOf(message);
      if (e) await db.apply(fold.add(e));
    }
    const ledger = shop.ledger;
    const orders = db.rows("orders");
    expect(orders).toHaveLength(ledger.orders.length);
    const byId = new Map(orders.map((o) => [o.order_id, o]));
    for (const o of ledger.orders) {
      expect(byId.get(o.order_id)).toMatchObject({
        status: o.status,
        amount: o.amount.toFixed(2),
        user_id: o.customer_id,
      });
    }
    const revenue = orders
      .filter((o) => o.status === "paid" || o.status === "shipped")
      .reduce((s, o) => round2(s + Number(o.amount)), 0);
    expect(revenue).toBe(Object.values(ledger.revenueByDay).reduce((s, v) => round2(s + v), 0));
    const lineTotals = new Map<string, number>();
    for (const l of db.rows("order_items")) {
      const id = String(l.order_id);
      lineTotals.set(id, round2((lineTotals.get(id) ?? 0) + Number(l.quantity) * Number(l.unit_price)));
    }
    for (const o of orders) {
      expect(lineTotals.get(String(o.order_id))).toBe(
        o.status === "cancelled" ? undefined : Number(o.amount),
      );
    }
    expect(db.rows("products")).toHaveLength(ledger.products);
    expect(db.rows("inventory").every((r) => Number(r.quantity) >= 0)).toBe(true);
    // The changes the event stream does not carry all happen in a shop of this size.
    const c = fold.counts;
    expect(c.emailChanges).toBeGreaterThan(10);
    expect(c.erasures).toBeGreaterThan(0);
    expect(c.restocks).toBeGreaterThan(0);
    expect(c.cancelledLines).toBeGreaterThan(0);
    expect(db.rows("users").length).toBe(
      new Set(orders.map((o) => o.user_id)).size > 0 ? db.rows("users").length : 0,
    );
    expect(db.rows("users").length + c.erasures).toBeLessThanOrEqual(ledger.users);
  });

  it("is deterministic: the same seed gives the same changes", () => {
    const changes = () => {
      const fold = new ShopDbFold(3);
      const all: RowMutation[] = [];
      for (const m of generateShop({ ...options, events: 3_000, seed: 3 }).messages) {
        const e = publishedEventOf(m);
        if (e) all.push(...fold.add(e));
      }
      return all;
    };
    expect(changes()).toEqual(changes());
  });
});
