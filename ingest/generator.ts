import type { EventType, TopicKind } from "./contracts.js";
import { EVENT_TYPES, TOPIC_KINDS } from "./contracts.js";
import { Random } from "./random.js";

/**
 * A deterministic synthetic shop. Pure: it yields messages (topic kind, key, bytes) and keeps a ledger of
 * the truth it produced; publishing lives in `producer.ts`. Same options ⇒ same messages, byte for byte.
 *
 * Counting: `events` is the number of messages published. Each slot is, in this order of chance, a
 * malformed message (bypasses the contract, must end in the DLQ), a duplicate (the same bytes and key as a
 * recent valid message, like a producer retry) or the next event of the shop. A `late` event keeps its
 * event_time but is held back and published thousands of messages later.
 */

export interface GenerateOptions {
  readonly events: number;
  readonly seed?: number;
  /** Probabilities in [0, 1]. */
  readonly duplicates?: number;
  readonly malformed?: number;
  readonly late?: number;
  /** First simulated instant (default: UTC midnight two days before today). */
  readonly start?: Date;
  /** Simulated days the events spread over (default 3). */
  readonly days?: number;
  /** Publish one ~2 MB message as the first malformed one (default true when malformed > 0). */
  readonly oversized?: boolean;
}

export type MalformedKind =
  | "invalid_json"
  | "wrong_types"
  | "missing_fields"
  | "unknown_event_type"
  | "oversized";

export interface GeneratedMessage {
  readonly kind: TopicKind;
  readonly key: string;
  readonly value: string;
  /** The event object for valid messages (the producer validates it against the contract). */
  readonly event?: Record<string, unknown>;
  readonly malformed?: MalformedKind;
  readonly duplicate?: boolean;
  readonly late?: boolean;
}

export interface LedgerOrder {
  readonly order_id: string;
  readonly customer_id: string;
  readonly amount: number;
  readonly currency: string;
  readonly country: string;
  /** UTC date of order_created. */
  created_date: string;
  paid: boolean;
  /** UTC date of order_paid, when paid. */
  paid_date: string | null;
  status: "created" | "paid" | "shipped" | "cancelled";
}

/** The generator's own record of what it produced: the truth marts are compared against. */
export interface ShopLedger {
  readonly seed: number;
  readonly start: string;
  readonly days: number;
  readonly messages: {
    total: number;
    /** Valid messages = unique events + duplicates: exactly the rows the raw tables must hold. */
    valid: number;
    uniqueEvents: number;
    duplicates: number;
    malformed: number;
    late: number;
    malformedByKind: Record<MalformedKind, number>;
    /** Valid messages (incl. duplicates) per topic kind, and unique events per type. */
    validByTopic: Record<TopicKind, number>;
    uniqueByType: Record<string, number>;
  };
  users: number;
  products: number;
  sessions: number;
  orders: LedgerOrder[];
  /** Sum of paid order amounts by UTC date of payment (paid orders are never cancelled), cents-rounded. */
  revenueByDay: Record<string, number>;
  /** Sessions reaching each funnel step (a session counts once per step). */
  funnel: { sessions: number; product_view: number; add_to_cart: number; checkout: number; purchase: number };
  /** Distinct users per UTC date who both viewed a product and purchased on that date. */
  sameDayPurchasers: Record<string, number>;
}

const COUNTRIES = [
  ["US", 30],
  ["DE", 12],
  ["GB", 10],
  ["FR", 9],
  ["BR", 8],
  ["IN", 8],
  ["ES", 6],
  ["JP", 6],
  ["CA", 6],
  ["MX", 5],
] as const;
const DEVICES = [
  ["web", 50],
  ["ios", 28],
  ["android", 22],
] as const;
const CATEGORIES = ["electronics", "books", "home", "fashion", "sports", "toys", "beauty", "garden"] as const;
const CURRENCY = "USD";
const REFERRERS = ["google", "newsletter", "instagram", "direct", "partner"] as const;

interface User {
  id: string;
  country: string;
  device: "web" | "ios" | "android";
}
interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  stock: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

interface Pending {
  readonly at: number;
  readonly kind: TopicKind;
  readonly key: string;
  readonly event: Record<string, unknown>;
}

export function emptyLedger(seed: number, start: Date, days: number): ShopLedger {
  const zeroTopics = Object.fromEntries(TOPIC_KINDS.map((k) => [k, 0])) as Record<TopicKind, number>;
  const zeroTypes = Object.fromEntries(
    Object.values(EVENT_TYPES).flatMap((types) => types.map((t) => [t, 0])),
  );
  return {
    seed,
    start: start.toISOString(),
    days,
    messages: {
      total: 0,
      valid: 0,
      uniqueEvents: 0,
      duplicates: 0,
      malformed: 0,
      late: 0,
      malformedByKind: {
        invalid_json: 0,
        wrong_types: 0,
        missing_fields: 0,
        unknown_event_type: 0,
        oversized: 0,
      },
      validByTopic: zeroTopics,
      uniqueByType: zeroTypes,
    },
    users: 0,
    products: 0,
    sessions: 0,
    orders: [],
    revenueByDay: {},
    funnel: { sessions: 0, product_view: 0, add_to_cart: 0, checkout: 0, purchase: 0 },
    sameDayPurchasers: {},
  };
}

export function defaultStart(now = new Date()): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - 2 * 86_400_000);
}

/** The shop as a lazy message stream; `ledger` is complete once the iterator is exhausted. */
export function generateShop(options: GenerateOptions): {
  messages: Iterable<GeneratedMessage>;
  ledger: ShopLedger;
} {
  const seed = options.seed ?? 42;
  const start = options.start ?? defaultStart();
  const days = options.days ?? 3;
  const ledger = emptyLedger(seed, start, days);
  return { messages: run(options, seed, start, days, ledger), ledger };
}

function* run(
  options: GenerateOptions,
  seed: number,
  start: Date,
  days: number,
  ledger: ShopLedger,
): Generator<GeneratedMessage> {
  const rng = new Random(seed);
  const total = Math.max(0, Math.floor(options.events));
  const pDup = options.duplicates ?? 0;
  const pBad = options.malformed ?? 0;
  const pLate = options.late ?? 0;
  let oversizedLeft = (options.oversized ?? true) && pBad > 0 ? 1 : 0;
  const t0 = start.getTime();
  const span = days * 86_400_000;

  const userCount = Math.max(20, Math.round(total / 60));
  const productCount = Math.max(10, Math.min(2_000, Math.round(total / 500)));
  const users: User[] = [];
  for (let i = 0; i < userCount; i++) {
    users.push({ id: `u-${i + 1}`, country: rng.weighted(COUNTRIES), device: rng.weighted(DEVICES) });
  }
  const products: Product[] = [];
  for (let i = 0; i < productCount; i++) {
    const category = rng.pick(CATEGORIES);
    products.push({
      id: `p-${i + 1}`,
      name: `${category} item ${i + 1}`,
      category,
      price: round2(rng.int(199, 29_999) / 100),
      stock: rng.int(20, 500),
    });
  }
  ledger.users = userCount;
  ledger.products = productCount;

  // Follow-up events (shipping, cancellations, product changes) scheduled by simulated time.
  const scheduled: Pending[] = [];
  const schedule = (p: Pending) => {
    let lo = 0;
    let hi = scheduled.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((scheduled[mid]?.at ?? 0) <= p.at) lo = mid + 1;
      else hi = mid;
    }
    scheduled.splice(lo, 0, p);
  };
  const queue: Pending[] = [];
  const late: { releaseAt: number; p: Pending }[] = [];
  const recent: GeneratedMessage[] = [];
  const ordersById = new Map<string, LedgerOrder>();
  const viewersByDay = new Map<string, Set<string>>();
  const purchasersByDay = new Map<string, Set<string>>();
  let sessionNo = 0;
  let orderNo = 0;
  let clock = t0;

  const base = (type: EventType, at: number, v2: boolean): Record<string, unknown> => ({
    event_id: rng.uuid(),
    event_type: type,
    event_time: new Date(at).toISOString(),
    ...(v2 ? { schema_version: 2 } : {}),
  });

  for (const p of products) {
    queue.push({
      at: t0,
      kind: "product-metadata",
      key: p.id,
      event: {
        ...base("product_created", t0, false),
        product_id: p.id,
        name: p.name,
        category: p.category,
        price: p.price,
        currency: CURRENCY,
        stock_quantity: p.stock,
        is_active: true,
      },
    });
  }

  const newSession = () => {
    sessionNo++;
    const progress = Math.min(1, ledger.messages.total / Math.max(1, total));
    clock = Math.max(clock, t0 + progress * span + rng.int(0, 60_000));
    let at = clock;
    const user = rng.pick(users);
    const v2 = rng.chance(0.3);
    const sessionId = `s-${sessionNo}`;
    const common = {
      user_id: user.id,
      session_id: sessionId,
      country: user.country,
      device: user.device,
      ...(v2
        ? { referrer: rng.pick(REFERRERS), ...(rng.chance(0.4) ? { campaign: `cmp-${rng.int(1, 9)}` } : {}) }
        : {}),
    };
    const step = () => {
      at += rng.int(3_000, 90_000);
      return at;
    };
    const views = 1 + Math.min(12, Math.floor(-Math.log(1 - rng.next()) * 3));
    const cart: { product: Product; qty: number }[] = [];
    for (let i = 0; i < views; i++) {
      const product = products[Math.floor(rng.next() ** 2 * products.length)] ?? rng.pick(products);
      const t = step();
      queue.push({
        at: t,
        kind: "user-events",
        key: user.id,
        event: {
          ...base("product_view", t, v2),
          ...common,
          product_id: product.id,
          price: product.price,
          currency: CURRENCY,
        },
      });
      if (rng.chance(0.3)) {
        const qty = rng.int(1, 3);
        cart.push({ product, qty });
        const t2 = step();
        queue.push({
          at: t2,
          kind: "user-events",
          key: user.id,
          event: {
            ...base("add_to_cart", t2, v2),
            ...common,
            product_id: product.id,
            quantity: qty,
            price: product.price,
            currency: CURRENCY,
          },
        });
      }
    }
    if (cart.length === 0 || !rng.chance(0.55)) return;
    orderNo++;
    const orderId = `o-${orderNo}`;
    const items = cart.map((c) => ({ sku: c.product.id, qty: c.qty, unit_price: c.product.price }));
    const amount = round2(items.reduce((s, i) => s + i.qty * i.unit_price, 0));
    const tc = step();
    queue.push({
      at: tc,
      kind: "user-events",
      key: user.id,
      event: { ...base("checkout", tc, v2), ...common, order_id: orderId, price: amount, currency: CURRENCY },
    });
    const orderFields = {
      order_id: orderId,
      customer_id: user.id,
      amount,
      currency: CURRENCY,
      country: user.country,
    };
    const tco = tc + 500;
    queue.push({
      at: tco,
      kind: "orders",
      key: orderId,
      event: { ...base("order_created", tco, false), ...orderFields, items },
    });
    if (rng.chance(0.8)) {
      const tp = step();
      for (const c of cart) {
        queue.push({
          at: tp,
          kind: "user-events",
          key: user.id,
          event: {
            ...base("purchase", tp, v2),
            ...common,
            product_id: c.product.id,
            quantity: c.qty,
            price: c.product.price,
            currency: CURRENCY,
            order_id: orderId,
          },
        });
      }
      const tpaid = tp + 1_000;
      queue.push({
        at: tpaid,
        kind: "orders",
        key: orderId,
        event: {
          ...base("order_paid", tpaid, v2),
          ...orderFields,
          ...(v2 ? { payment_method: rng.pick(["card", "paypal", "apple_pay"]) } : {}),
        },
      });
      if (rng.chance(0.95)) {
        const ts = tpaid + rng.int(2, 36) * 3_600_000;
        schedule({
          at: ts,
          kind: "orders",
          key: orderId,
          event: { ...base("order_shipped", ts, false), ...orderFields },
        });
      }
      for (const c of cart) {
        c.product.stock = Math.max(0, c.product.stock - c.qty);
        if (rng.chance(0.1)) {
          const tu = tpaid + rng.int(60_000, 600_000);
          schedule({
            at: tu,
            kind: "product-metadata",
            key: c.product.id,
            event: {
              ...base("product_updated", tu, false),
              product_id: c.product.id,
              stock_quantity: c.product.stock,
            },
          });
        }
      }
    } else if (rng.chance(0.6)) {
      const tx = tco + rng.int(1, 3) * 3_600_000;
      schedule({
        at: tx,
        kind: "orders",
        key: orderId,
        event: { ...base("order_cancelled", tx, false), ...orderFields },
      });
    }
    if (rng.chance(0.02)) {
      const product = rng.pick(products);
      product.price = round2(product.price * (0.8 + rng.next() * 0.4));
      const tu = at + 1_000;
      schedule({
        at: tu,
        kind: "product-metadata",
        key: product.id,
        event: {
          ...base("product_updated", tu, true),
          product_id: product.id,
          price: product.price,
          brand: "floe",
        },
      });
    }
  };

  // The ledger's truth is taken from emitted events only, so it matches the stream even when the run ends
  // with follow-ups (shipping, payment) still unpublished.
  const sessionSteps = new Map<string, Set<string>>();
  const recordTruth = (e: Record<string, unknown>) => {
    const type = String(e.event_type);
    const day = String(e.event_time).slice(0, 10);
    if (typeof e.session_id === "string") addTo(sessionSteps, e.session_id, type);
    if (type === "product_view") addTo(viewersByDay, day, String(e.user_id));
    if (type === "purchase") addTo(purchasersByDay, day, String(e.user_id));
    const orderId = typeof e.order_id === "string" ? e.order_id : undefined;
    if (isOrderEvent(type) && orderId) {
      let order = ordersById.get(orderId);
      if (!order) {
        order = {
          order_id: orderId,
          customer_id: String(e.customer_id),
          amount: Number(e.amount),
          currency: String(e.currency),
          country: String(e.country),
          created_date: day,
          paid: false,
          paid_date: null,
          status: "created",
        };
        ordersById.set(orderId, order);
        ledger.orders.push(order);
      }
      // A late event may arrive after its successors: keep the furthest status.
      if (type === "order_created") order.created_date = day;
      else if (type === "order_paid") {
        order.paid = true;
        order.paid_date = day;
        if (order.status !== "shipped") order.status = "paid";
        ledger.revenueByDay[day] = round2((ledger.revenueByDay[day] ?? 0) + order.amount);
      } else if (type === "order_shipped") order.status = "shipped";
      else if (type === "order_cancelled") order.status = "cancelled";
    }
  };

  const emitValid = (p: Pending, isLate: boolean): GeneratedMessage => {
    const message: GeneratedMessage = {
      kind: p.kind,
      key: p.key,
      value: JSON.stringify(p.event),
      event: p.event,
      ...(isLate ? { late: true } : {}),
    };
    ledger.messages.valid++;
    ledger.messages.uniqueEvents++;
    ledger.messages.validByTopic[p.kind]++;
    const type = String(p.event.event_type);
    ledger.messages.uniqueByType[type] = (ledger.messages.uniqueByType[type] ?? 0) + 1;
    if (isLate) ledger.messages.late++;
    recordTruth(p.event);
    recent.push(message);
    if (recent.length > 200) recent.shift();
    return message;
  };

  const nextPending = (): Pending | undefined => {
    const due = scheduled[0];
    const q = queue[0];
    if (due && (!q || due.at <= q.at)) return scheduled.shift();
    if (q) return queue.shift();
    return undefined;
  };

  while (ledger.messages.total < total) {
    const slot = ledger.messages.total;
    let message: GeneratedMessage | undefined;
    const dueLate = late[0];
    const remainingForNew = total - slot - late.length;
    if (dueLate && (dueLate.releaseAt <= slot || remainingForNew <= 0)) {
      late.shift();
      message = emitValid(dueLate.p, true);
    } else if (rng.chance(pBad)) {
      const kind = oversizedLeft > 0 ? "oversized" : rng.pick(MALFORMED_KINDS);
      if (kind === "oversized") oversizedLeft--;
      message = malformedMessage(kind, rng, users);
      ledger.messages.malformed++;
      ledger.messages.malformedByKind[kind]++;
    } else if (recent.length > 0 && rng.chance(pDup)) {
      const original = recent[Math.floor(rng.next() * recent.length)] as GeneratedMessage;
      message = { kind: original.kind, key: original.key, value: original.value, duplicate: true };
      ledger.messages.valid++;
      ledger.messages.duplicates++;
      ledger.messages.validByTopic[original.kind]++;
    } else {
      let p = nextPending();
      while (!p) {
        newSession();
        p = nextPending();
      }
      if (rng.chance(pLate) && remainingForNew > 1) {
        late.push({ releaseAt: slot + rng.int(1_000, 20_000), p });
        late.sort((a, b) => a.releaseAt - b.releaseAt);
        continue;
      }
      message = emitValid(p, false);
    }
    ledger.messages.total++;
    yield message;
  }

  for (const [day, purchasers] of purchasersByDay) {
    const viewers = viewersByDay.get(day);
    let n = 0;
    for (const u of purchasers) if (viewers?.has(u)) n++;
    ledger.sameDayPurchasers[day] = n;
  }
  for (const steps of sessionSteps.values()) {
    ledger.sessions++;
    ledger.funnel.sessions++;
    if (steps.has("product_view")) ledger.funnel.product_view++;
    if (steps.has("add_to_cart")) ledger.funnel.add_to_cart++;
    if (steps.has("checkout")) ledger.funnel.checkout++;
    if (steps.has("purchase")) ledger.funnel.purchase++;
  }
}

const isOrderEvent = (type: string) => type.startsWith("order_");

const MALFORMED_KINDS: readonly MalformedKind[] = [
  "invalid_json",
  "wrong_types",
  "missing_fields",
  "unknown_event_type",
];

function addTo(map: Map<string, Set<string>>, day: string, user: string): void {
  let set = map.get(day);
  if (!set) {
    set = new Set();
    map.set(day, set);
  }
  set.add(user);
}

function malformedMessage(kind: MalformedKind, rng: Random, users: readonly User[]): GeneratedMessage {
  const user = rng.pick(users);
  const good = {
    event_id: rng.uuid(),
    event_type: "product_view",
    event_time: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    user_id: user.id,
    session_id: "s-bad",
    product_id: "p-1",
  };
  const topic: TopicKind = "user-events";
  switch (kind) {
    case "invalid_json":
      return { kind: topic, key: user.id, value: JSON.stringify(good).slice(0, 40), malformed: kind };
    case "wrong_types":
      return {
        kind: topic,
        key: user.id,
        value: JSON.stringify({ ...good, price: "cheap", quantity: 1.5 }),
        malformed: kind,
      };
    case "missing_fields": {
      const { user_id: _u, session_id: _s, ...rest } = good;
      return { kind: topic, key: user.id, value: JSON.stringify(rest), malformed: kind };
    }
    case "unknown_event_type":
      return {
        kind: topic,
        key: user.id,
        value: JSON.stringify({ ...good, event_type: "page_scroll" }),
        malformed: kind,
      };
    case "oversized":
      return {
        kind: topic,
        key: user.id,
        value: JSON.stringify({ ...good, blob: "x".repeat(2 * 1024 * 1024) }),
        malformed: kind,
      };
  }
}
