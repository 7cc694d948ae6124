import type { EventType, TopicKind } from "./contracts.js";
import type { Random } from "./random.js";
import { round2 } from "./shop-ledger.js";

/**
 * The shop itself: users, products, sessions walking the funnel (product_view → add_to_cart → checkout →
 * purchase), orders (created, paid, shipped or cancelled) and product changes, as contract-valid events in
 * simulated-time order. It knows nothing of duplicates, malformed or late messages (`stream-mixer.ts`) nor
 * of the ledger (`shop-ledger.ts`).
 *
 * Deterministic: it draws only from the `Random` it is given. The mixer draws from the same one between
 * events, so a seed fixes both together; that interleaving is what every seed's output has always been.
 */

/** One event of the shop, due at simulated instant `at`. */
export interface ShopEvent {
  readonly at: number;
  readonly kind: TopicKind;
  readonly key: string;
  readonly event: Record<string, unknown>;
}

export interface ShopUser {
  readonly id: string;
  readonly country: string;
  readonly device: "web" | "ios" | "android";
}

interface Product {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  price: number;
  stock: number;
}

interface CartLine {
  readonly product: Product;
  readonly qty: number;
}

/** A session in progress: who, which schema version its events use, and the time of its last action. */
interface Session {
  readonly user: ShopUser;
  readonly v2: boolean;
  /** Its user-events are v3, with `page_url` (`--v3-share`). */
  readonly v3: boolean;
  readonly common: Record<string, unknown>;
  at: number;
}

interface OrderFields {
  readonly order_id: string;
  readonly customer_id: string;
  readonly amount: number;
  readonly currency: string;
  readonly country: string;
}

export interface SimulationOptions {
  /** Messages the run will publish: sizes the catalog (users, products). */
  readonly total: number;
  readonly start: Date;
  /** Simulated days the events spread over. */
  readonly days: number;
  /** Share of sessions whose user-events are schema_version 3, with `page_url` (default 0). */
  readonly v3Share?: number;
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

/**
 * The shop as an endless source of events. `next(progress)` returns the next event in simulated time,
 * starting a new session when nothing is due; `progress` (0–1, how far through the run the stream is)
 * moves the session clock across the run's days.
 */
export class ShopSimulation {
  readonly users: readonly ShopUser[];
  private readonly products: Product[];
  /** A session's events, in the order they happen. */
  private readonly queue: ShopEvent[] = [];
  /** Follow-ups (shipping, cancellations, product changes) hours later, sorted by `at`. */
  private readonly scheduled: ShopEvent[] = [];
  private readonly t0: number;
  private readonly span: number;
  private clock: number;
  private sessionNo = 0;
  private orderNo = 0;
  private readonly v3Share: number;

  constructor(
    private readonly rng: Random,
    options: SimulationOptions,
  ) {
    this.t0 = options.start.getTime();
    this.clock = this.t0;
    this.span = options.days * 86_400_000;
    this.v3Share = options.v3Share ?? 0;
    const userCount = Math.max(20, Math.round(options.total / 60));
    const productCount = Math.max(10, Math.min(2_000, Math.round(options.total / 500)));
    const users: ShopUser[] = [];
    for (let i = 0; i < userCount; i++) {
      users.push({ id: `u-${i + 1}`, country: rng.weighted(COUNTRIES), device: rng.weighted(DEVICES) });
    }
    this.users = users;
    this.products = [];
    for (let i = 0; i < productCount; i++) {
      const category = rng.pick(CATEGORIES);
      this.products.push({
        id: `p-${i + 1}`,
        name: `${category} item ${i + 1}`,
        category,
        price: round2(rng.int(199, 29_999) / 100),
        stock: rng.int(20, 500),
      });
    }
    for (const p of this.products) {
      this.queue.push({
        at: this.t0,
        kind: "product-metadata",
        key: p.id,
        event: {
          ...this.base("product_created", this.t0, false),
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
  }

  get productCount(): number {
    return this.products.length;
  }

  next(progress: number): ShopEvent {
    let e = this.nextPending();
    while (!e) {
      this.newSession(progress);
      e = this.nextPending();
    }
    return e;
  }

  private nextPending(): ShopEvent | undefined {
    const due = this.scheduled[0];
    const q = this.queue[0];
    if (due && (!q || due.at <= q.at)) return this.scheduled.shift();
    if (q) return this.queue.shift();
    return undefined;
  }

  private schedule(e: ShopEvent): void {
    let lo = 0;
    let hi = this.scheduled.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.scheduled[mid]?.at ?? 0) <= e.at) lo = mid + 1;
      else hi = mid;
    }
    this.scheduled.splice(lo, 0, e);
  }

  private base(type: EventType, at: number, v2: boolean): Record<string, unknown> {
    return {
      event_id: this.rng.uuid(),
      event_type: type,
      event_time: new Date(at).toISOString(),
      ...(v2 ? { schema_version: 2 } : {}),
    };
  }

  /**
   * The envelope of a session's user-event: v3 (with the page it happened on) for a v3 session, else v1/v2
   * as before. `schema_version` keeps its key position, so v1/v2 events are byte for byte what they were.
   */
  private userBase(type: EventType, at: number, session: Session, page: string): Record<string, unknown> {
    const base = this.base(type, at, session.v2 || session.v3);
    return session.v3 ? { ...base, schema_version: 3, page_url: page } : base;
  }

  private newSession(progress: number): void {
    const rng = this.rng;
    this.sessionNo++;
    const sessionNo = this.sessionNo;
    this.clock = Math.max(this.clock, this.t0 + progress * this.span + rng.int(0, 60_000));
    const user = rng.pick(this.users);
    const v2 = rng.chance(0.3);
    // Drawn only when asked for: the default stream (v3Share 0) takes the same draws, so stays the same.
    const v3 = this.v3Share > 0 && rng.chance(this.v3Share);
    const common = {
      user_id: user.id,
      session_id: `s-${sessionNo}`,
      country: user.country,
      device: user.device,
      ...(v2
        ? { referrer: rng.pick(REFERRERS), ...(rng.chance(0.4) ? { campaign: `cmp-${rng.int(1, 9)}` } : {}) }
        : {}),
      // Mobile apps send a field no contract knows: it must land in `attributes`, not be rejected.
      ...(user.device === "web" ? {} : { app_version: `3.${user.id.length % 4}.${sessionNo % 7}` }),
    };
    const session: Session = { user, v2, v3, common, at: this.clock };
    const cart = this.browse(session);
    if (cart.length === 0 || !rng.chance(0.55)) return;
    this.order(session, cart);
    if (rng.chance(0.02)) this.changePrice(session.at + 1_000);
  }

  /** The user's next action, seconds to a minute and a half after the last one. */
  private step(session: Session): number {
    session.at += this.rng.int(3_000, 90_000);
    return session.at;
  }

  /** Product views, some followed by an add to cart; returns the cart. */
  private browse(session: Session): CartLine[] {
    const { rng, products } = this;
    const { user, common } = session;
    const views = 1 + Math.min(12, Math.floor(-Math.log(1 - rng.next()) * 3));
    const cart: CartLine[] = [];
    for (let i = 0; i < views; i++) {
      const product = products[Math.floor(rng.next() ** 2 * products.length)] ?? rng.pick(products);
      const t = this.step(session);
      this.queue.push({
        at: t,
        kind: "user-events",
        key: user.id,
        event: {
          ...this.userBase("product_view", t, session, `/products/${product.id}`),
          ...common,
          product_id: product.id,
          price: product.price,
          currency: CURRENCY,
        },
      });
      if (rng.chance(0.3)) {
        const qty = rng.int(1, 3);
        cart.push({ product, qty });
        const t2 = this.step(session);
        this.queue.push({
          at: t2,
          kind: "user-events",
          key: user.id,
          event: {
            ...this.userBase("add_to_cart", t2, session, `/products/${product.id}`),
            ...common,
            product_id: product.id,
            quantity: qty,
            price: product.price,
            currency: CURRENCY,
          },
        });
      }
    }
    return cart;
  }

  /** Checkout and order_created, then payment (80 %) or perhaps a cancellation hours later. */
  private order(session: Session, cart: readonly CartLine[]): void {
    const rng = this.rng;
    const { user, common } = session;
    this.orderNo++;
    const orderId = `o-${this.orderNo}`;
    const items = cart.map((c) => ({ sku: c.product.id, qty: c.qty, unit_price: c.product.price }));
    const amount = round2(items.reduce((s, i) => s + i.qty * i.unit_price, 0));
    const tc = this.step(session);
    this.queue.push({
      at: tc,
      kind: "user-events",
      key: user.id,
      event: {
        ...this.userBase("checkout", tc, session, "/checkout"),
        ...common,
        order_id: orderId,
        price: amount,
        currency: CURRENCY,
      },
    });
    const order: OrderFields = {
      order_id: orderId,
      customer_id: user.id,
      amount,
      currency: CURRENCY,
      country: user.country,
    };
    const tco = tc + 500;
    this.queue.push({
      at: tco,
      kind: "orders",
      key: orderId,
      event: { ...this.base("order_created", tco, false), ...order, items },
    });
    if (rng.chance(0.8)) this.pay(session, cart, order);
    else if (rng.chance(0.6)) {
      const tx = tco + rng.int(1, 3) * 3_600_000;
      this.schedule({
        at: tx,
        kind: "orders",
        key: orderId,
        event: { ...this.base("order_cancelled", tx, false), ...order },
      });
    }
  }

  /** Purchases and order_paid; shipping hours later (95 %); stock changes (10 % a line). */
  private pay(session: Session, cart: readonly CartLine[], order: OrderFields): void {
    const rng = this.rng;
    const { user, v2, common } = session;
    const tp = this.step(session);
    for (const c of cart) {
      this.queue.push({
        at: tp,
        kind: "user-events",
        key: user.id,
        event: {
          ...this.userBase("purchase", tp, session, "/checkout/confirmation"),
          ...common,
          product_id: c.product.id,
          quantity: c.qty,
          price: c.product.price,
          currency: CURRENCY,
          order_id: order.order_id,
        },
      });
    }
    const tpaid = tp + 1_000;
    this.queue.push({
      at: tpaid,
      kind: "orders",
      key: order.order_id,
      event: {
        ...this.base("order_paid", tpaid, v2),
        ...order,
        ...(v2 ? { payment_method: rng.pick(["card", "paypal", "apple_pay"]) } : {}),
      },
    });
    if (rng.chance(0.95)) {
      const ts = tpaid + rng.int(2, 36) * 3_600_000;
      this.schedule({
        at: ts,
        kind: "orders",
        key: order.order_id,
        event: { ...this.base("order_shipped", ts, false), ...order },
      });
    }
    for (const c of cart) {
      c.product.stock = Math.max(0, c.product.stock - c.qty);
      if (rng.chance(0.1)) {
        const tu = tpaid + rng.int(60_000, 600_000);
        this.schedule({
          at: tu,
          kind: "product-metadata",
          key: c.product.id,
          event: {
            ...this.base("product_updated", tu, false),
            product_id: c.product.id,
            stock_quantity: c.product.stock,
          },
        });
      }
    }
  }

  /** Now and then a product's price moves by up to ±20 % (a v2 event, with a brand). */
  private changePrice(at: number): void {
    const product = this.rng.pick(this.products);
    product.price = round2(product.price * (0.8 + this.rng.next() * 0.4));
    this.schedule({
      at,
      kind: "product-metadata",
      key: product.id,
      event: {
        ...this.base("product_updated", at, true),
        product_id: product.id,
        price: product.price,
        brand: "floe",
      },
    });
  }
}
