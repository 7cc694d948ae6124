import type { TopicKind } from "../contracts.js";
import type { Row, RowMutation } from "./mutations.js";
import { changedEmail, personOf, unitOf } from "./people.js";

/**
 * The shop database as the event stream implies it: a pure fold from each published event (in publishing
 * order, duplicates and malformed messages left out) to the row changes the shop's own database made at
 * that moment. Same ids, amounts and times as the events; what the stream never carries is decided
 * deterministically from the run's seed and the event id, so a seed fixes the database as it fixes the
 * stream:
 *
 * - users: inserted when first seen (user-events or an order's customer), name and email from `people.ts`;
 *   an email change on 0.4 % of a live user's events; a GDPR erasure (DELETE, never re-inserted) on 0.05 %.
 * - products and inventory: inserted by product_created; product_updated changes the product's fields. The
 *   database is the stock's truth: a purchase decrements it (not below 0), and a product that falls under
 *   its low-stock threshold is restocked by {@link RESTOCK_UNITS} {@link RESTOCK_AFTER_EVENTS} events later
 *   — a change the event stream never sees (product-metadata's stock_quantity knows no restocks).
 * - orders: inserted by order_created with one order_items row per line (`<order_id>-<n>`); the status
 *   follows the order's events as the ledger does (paid unless already shipped; cancelled wins); a
 *   cancellation deletes the order's lines. An order event that comes before its order_created (a late
 *   one) inserts the order, and the late order_created then only adds its lines and creation time.
 */

export interface PublishedEvent {
  readonly kind: TopicKind;
  readonly event: Readonly<Record<string, unknown>>;
}

export const EMAIL_CHANGE_CHANCE = 0.004;
export const ERASURE_CHANCE = 0.0005;
export const LOW_STOCK_THRESHOLD = 10;
export const RESTOCK_UNITS = 100;
export const RESTOCK_AFTER_EVENTS = 500;

type Status = "created" | "paid" | "shipped" | "cancelled";

interface UserState {
  device: string | null;
  emailChanges: number;
}

interface OrderState {
  status: Status;
  /** Its order_items keys still in the database. */
  lines: string[];
  /** Whether its order_created has been seen (its lines are known). */
  created: boolean;
}

/** What the fold has done so far, for the generator's summary. */
export interface ShopDbCounts {
  inserts: number;
  updates: number;
  deletes: number;
  emailChanges: number;
  erasures: number;
  restocks: number;
  cancelledLines: number;
}

const money = (n: unknown) => Number(n).toFixed(2);
const text = (v: unknown) => (typeof v === "string" ? v : null);

export class ShopDbFold {
  private readonly users = new Map<string, UserState>();
  private readonly erased = new Set<string>();
  private readonly stock = new Map<string, number>();
  private readonly orders = new Map<string, OrderState>();
  /** Products under the threshold awaiting their restock, in the order they fell (due index ascending). */
  private readonly restockQueue: { productId: string; due: number }[] = [];
  private readonly restockPending = new Set<string>();
  private index = 0;
  private out: RowMutation[] = [];
  readonly counts: ShopDbCounts = {
    inserts: 0,
    updates: 0,
    deletes: 0,
    emailChanges: 0,
    erasures: 0,
    restocks: 0,
    cancelledLines: 0,
  };

  constructor(private readonly seed: number) {}

  /** The database's changes for one published event (possibly none). */
  add(published: PublishedEvent): RowMutation[] {
    this.out = [];
    const e = published.event;
    const at = String(e.event_time);
    this.restockDue(at);
    const type = String(e.event_type);
    if (published.kind === "user-events") this.userEvent(type, e, at);
    else if (published.kind === "product-metadata") this.productEvent(type, e, at);
    else this.orderEvent(type, e, at);
    this.index++;
    return this.out;
  }

  /** The quantity the database holds for a product (undefined if never created). */
  quantityOf(productId: string): number | undefined {
    return this.stock.get(productId);
  }

  private emit(m: RowMutation): void {
    this.out.push(m);
    if (m.op === "insert") this.counts.inserts++;
    else if (m.op === "update") this.counts.updates++;
    else this.counts.deletes++;
  }

  private userEvent(type: string, e: Readonly<Record<string, unknown>>, at: string): void {
    const userId = String(e.user_id);
    const user = this.ensureUser(userId, text(e.country), text(e.device), at);
    if (type === "purchase") this.decrement(String(e.product_id), Number(e.quantity ?? 1), at);
    if (!user) return;
    const coin = unitOf(this.seed, String(e.event_id));
    if (coin < EMAIL_CHANGE_CHANCE) {
      user.emailChanges++;
      this.counts.emailChanges++;
      const email = changedEmail(this.seed, userId, user.emailChanges);
      this.emit({ op: "update", table: "users", key: userId, set: { email, updated_at: at } });
    } else if (coin >= 1 - ERASURE_CHANCE) {
      this.users.delete(userId);
      this.erased.add(userId);
      this.counts.erasures++;
      this.emit({ op: "delete", table: "users", key: userId });
    }
  }

  /** The user's state, inserting the row when first seen; undefined for an erased user. */
  private ensureUser(
    userId: string,
    country: string | null,
    device: string | null,
    at: string,
  ): UserState | undefined {
    if (this.erased.has(userId)) return undefined;
    const known = this.users.get(userId);
    if (known) {
      if (known.device === null && device !== null) {
        known.device = device;
        this.emit({ op: "update", table: "users", key: userId, set: { device, updated_at: at } });
      }
      return known;
    }
    const person = personOf(this.seed, userId);
    const user: UserState = { device, emailChanges: 0 };
    this.users.set(userId, user);
    this.emit({
      op: "insert",
      table: "users",
      row: {
        user_id: userId,
        email: person.email,
        full_name: person.fullName,
        // The contract makes country optional on user-events; the simulation always sends it.
        country: country ?? "ZZ",
        device,
        created_at: at,
        updated_at: at,
      },
    });
    return user;
  }

  private decrement(productId: string, quantity: number, at: string): void {
    const before = this.stock.get(productId);
    if (before === undefined) return;
    const after = Math.max(0, before - quantity);
    if (after === before) return;
    this.setQuantity(productId, after, at);
    if (after < LOW_STOCK_THRESHOLD && !this.restockPending.has(productId)) {
      this.restockPending.add(productId);
      this.restockQueue.push({ productId, due: this.index + RESTOCK_AFTER_EVENTS });
    }
  }

  private restockDue(at: string): void {
    while ((this.restockQueue[0]?.due ?? Number.POSITIVE_INFINITY) <= this.index) {
      const { productId } = this.restockQueue.shift() as { productId: string };
      this.restockPending.delete(productId);
      this.counts.restocks++;
      this.setQuantity(productId, (this.stock.get(productId) ?? 0) + RESTOCK_UNITS, at);
    }
  }

  private setQuantity(productId: string, quantity: number, at: string): void {
    this.stock.set(productId, quantity);
    this.emit({ op: "update", table: "inventory", key: productId, set: { quantity, updated_at: at } });
  }

  private productEvent(type: string, e: Readonly<Record<string, unknown>>, at: string): void {
    const productId = String(e.product_id);
    if (type === "product_created") {
      if (this.stock.has(productId)) return;
      const quantity = Number(e.stock_quantity ?? 0);
      this.stock.set(productId, quantity);
      this.emit({
        op: "insert",
        table: "products",
        row: {
          product_id: productId,
          name: String(e.name),
          category: String(e.category),
          price: money(e.price),
          is_active: e.is_active !== false,
          updated_at: at,
        },
      });
      this.emit({
        op: "insert",
        table: "inventory",
        row: { product_id: productId, quantity, low_stock_threshold: LOW_STOCK_THRESHOLD, updated_at: at },
      });
      return;
    }
    // product_updated: its stock_quantity is the event stream's view (no restocks), not the database's.
    const set: Record<string, string | boolean> = {};
    if (typeof e.name === "string") set.name = e.name;
    if (typeof e.category === "string") set.category = e.category;
    if (typeof e.price === "number") set.price = money(e.price);
    if (typeof e.is_active === "boolean") set.is_active = e.is_active;
    if (Object.keys(set).length === 0 || !this.stock.has(productId)) return;
    this.emit({ op: "update", table: "products", key: productId, set: { ...set, updated_at: at } });
  }

  private orderEvent(type: string, e: Readonly<Record<string, unknown>>, at: string): void {
    const orderId = String(e.order_id);
    const userId = String(e.customer_id);
    this.ensureUser(userId, text(e.country), null, at);
    const status = statusOf(type);
    let order = this.orders.get(orderId);
    if (!order) {
      order = { status: status ?? "created", lines: [], created: false };
      this.orders.set(orderId, order);
      this.emit({
        op: "insert",
        table: "orders",
        row: {
          order_id: orderId,
          user_id: userId,
          status: order.status,
          amount: money(e.amount),
          currency: String(e.currency),
          country: text(e.country),
          created_at: at,
          updated_at: at,
        },
      });
    } else if (type === "order_created") {
      // A late order_created: the order exists from a later event; it brings the creation time.
      this.emit({ op: "update", table: "orders", key: orderId, set: { created_at: at } });
    } else if (status && status !== order.status && !(status === "paid" && order.status === "shipped")) {
      order.status = status;
      this.emit({ op: "update", table: "orders", key: orderId, set: { status, updated_at: at } });
    }
    if (type === "order_created" && !order.created) {
      order.created = true;
      if (order.status !== "cancelled") this.insertLines(orderId, order, e.items);
    }
    if (type === "order_cancelled") this.cancelLines(order);
  }

  private insertLines(orderId: string, order: OrderState, items: unknown): void {
    const lines = Array.isArray(items) ? (items as Record<string, unknown>[]) : [];
    lines.forEach((item, i) => {
      const row: Row = {
        order_item_id: `${orderId}-${i + 1}`,
        order_id: orderId,
        product_id: String(item.sku),
        quantity: Number(item.qty),
        unit_price: money(item.unit_price),
      };
      order.lines.push(String(row.order_item_id));
      this.emit({ op: "insert", table: "order_items", row });
    });
  }

  private cancelLines(order: OrderState): void {
    for (const key of order.lines) {
      this.counts.cancelledLines++;
      this.emit({ op: "delete", table: "order_items", key });
    }
    order.lines = [];
  }
}

function statusOf(type: string): Status | undefined {
  switch (type) {
    case "order_paid":
      return "paid";
    case "order_shipped":
      return "shipped";
    case "order_cancelled":
      return "cancelled";
    default:
      return undefined;
  }
}
