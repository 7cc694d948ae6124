import type { ParsedEvent } from "../contracts.js";
import { groupValue } from "./windows.js";

/**
 * What one event adds to the real-time windows (seed 003), as data: the metrics it counts in, the amount
 * it adds to a metric's sum (in cents, so sums are exact integers as the marts' decimals are), the user it
 * adds to the metric's unique users, and its groups. The names follow the minute mart's columns
 * (models/marts/metrics, macros/event_metrics.sql) so the query API can serve older ranges from it.
 */
export interface Observation {
  readonly metric: string;
  /** Event time, epoch ms: the window is chosen by when it happened, not when it arrived. */
  readonly atMs: number;
  readonly user: string | undefined;
  readonly sumCents: number | undefined;
  readonly country: string;
  readonly device: string;
}

/** Per metric: the event it counts and where the query API finds it in `metrics_by_minute`. */
export interface MetricDefinition {
  readonly description: string;
  /** Whether the metric adds up an amount (its windows' `sum`); the others only count. */
  readonly sums?: boolean;
  /** The mart column of the count (absent: Redis only). */
  readonly countColumn?: string;
  readonly sumColumn?: string;
  readonly uniqueUsersColumn?: string;
}

export const METRICS: Readonly<Record<string, MetricDefinition>> = {
  events: {
    description: "every clickstream event",
    countColumn: "events",
    uniqueUsersColumn: "active_users",
  },
  product_views: { description: "product_view events", countColumn: "product_views" },
  add_to_carts: { description: "add_to_cart events", countColumn: "add_to_carts" },
  checkouts: { description: "checkout events", countColumn: "checkouts" },
  purchases: { description: "purchase events", countColumn: "purchases" },
  purchase_revenue: {
    description: "purchase lines, sum = price × quantity",
    sums: true,
    countColumn: "purchases",
    sumColumn: "purchase_revenue",
  },
  orders: { description: "order_created events on the orders topic, sum = amount", sums: true },
};
export const METRIC_NAMES = Object.keys(METRICS);

const PER_TYPE: Readonly<Record<string, string>> = {
  product_view: "product_views",
  add_to_cart: "add_to_carts",
  checkout: "checkouts",
  purchase: "purchases",
};

const cents = (amount: number) => Math.round(amount * 100);
const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** The observations of one validated event; none for an event whose time cannot be read. */
export function observe(event: ParsedEvent): Observation[] {
  const f = event.fields;
  const atMs = Date.parse(String(f.event_time));
  if (!Number.isFinite(atMs)) return [];
  const base = { atMs, country: groupValue(f.country), device: groupValue(f.device) };
  if (event.kind === "user-events") {
    const user = text(f.user_id);
    const out: Observation[] = [{ metric: "events", ...base, user, sumCents: undefined }];
    const perType = PER_TYPE[event.eventType];
    if (perType) out.push({ metric: perType, ...base, user, sumCents: undefined });
    if (event.eventType === "purchase" && typeof f.price === "number") {
      const quantity = typeof f.quantity === "number" ? f.quantity : 1;
      out.push({ metric: "purchase_revenue", ...base, user, sumCents: cents(f.price * quantity) });
    }
    return out;
  }
  if (event.kind === "orders" && event.eventType === "order_created") {
    const amount = typeof f.amount === "number" ? cents(f.amount) : undefined;
    return [{ metric: "orders", ...base, user: text(f.customer_id), sumCents: amount }];
  }
  return [];
}
