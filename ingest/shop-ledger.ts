import type { TopicKind } from "./contracts.js";
import { decodeMessage, EVENT_TYPES, TOPIC_KINDS } from "./contracts.js";

/**
 * The ledger: the truth the marts are compared against, as a pure fold over messages. It reads only the
 * events themselves (ids, types, times, order fields), so the same fold applies to what the generator
 * emits, to what a run actually got acknowledged by Kafka, and to rows read back from the raw tables.
 */

/** The ways a generated message can break its contract (each must end in the DLQ). */
export type MalformedKind =
  | "invalid_json"
  | "wrong_types"
  | "missing_fields"
  | "unknown_event_type"
  | "oversized";

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

/**
 * One message as the ledger sees it: a valid event or a malformed message. A valid event whose
 * `event_id` was seen before is a duplicate (a producer retry, a replay): counted as a row, not as an
 * event. `late` and `duplicate` are the generator's own marks (an event it held back, a copy it re-sent);
 * rows read back carry none.
 */
export type LedgerEntry =
  | {
      readonly kind: TopicKind;
      readonly event: Readonly<Record<string, unknown>>;
      readonly late?: boolean;
      readonly duplicate?: boolean;
    }
  | { readonly kind: TopicKind; readonly malformed: MalformedKind };

type ValidEntry = Extract<LedgerEntry, { readonly event: unknown }>;

/** The ledger's message counts and settings, without the truth about orders, sessions and revenue. */
export type LedgerCounts = Pick<ShopLedger, "seed" | "start" | "days" | "messages" | "users" | "products">;

/** What the events alone cannot tell: the run's settings and the size of the shop's catalog. */
export interface LedgerHeader {
  readonly seed: number;
  readonly start: Date;
  readonly days: number;
  readonly users: number;
  readonly products: number;
}

/** Money as the ledger books it: rounded to cents after every addition. */
export const round2 = (n: number) => Math.round(n * 100) / 100;

const MALFORMED_ZERO: Record<MalformedKind, number> = {
  invalid_json: 0,
  wrong_types: 0,
  missing_fields: 0,
  unknown_event_type: 0,
  oversized: 0,
};

/**
 * The counting half of the fold, in constant memory: it keeps counters only, nothing per event, order or
 * session, so a real-time run of any length folds what it published without growing (issue 13's soak saw
 * the full fold take the generator from 262 MB to 1 GB in 15 minutes). It tells a duplicate by the
 * generator's `duplicate` mark instead of remembering every event_id, so it is only for the generator's
 * own messages (`ledgerEntryOf`); rows read back carry no marks and need `LedgerFold`.
 */
export class LedgerCountsFold {
  private readonly counts = { total: 0, valid: 0, uniqueEvents: 0, duplicates: 0, malformed: 0, late: 0 };
  private readonly malformedByKind = { ...MALFORMED_ZERO };
  private readonly validByTopic = Object.fromEntries(TOPIC_KINDS.map((k) => [k, 0])) as Record<
    TopicKind,
    number
  >;
  private readonly uniqueByType: Record<string, number> = Object.fromEntries(
    Object.values(EVENT_TYPES).flatMap((types) => types.map((t) => [t, 0])),
  );

  constructor(protected readonly header: LedgerHeader) {}

  add(entry: LedgerEntry): void {
    this.changed();
    this.counts.total++;
    if ("malformed" in entry) {
      this.counts.malformed++;
      this.malformedByKind[entry.malformed]++;
      return;
    }
    this.counts.valid++;
    this.validByTopic[entry.kind]++;
    if (this.isDuplicate(entry)) {
      this.counts.duplicates++;
      return;
    }
    this.counts.uniqueEvents++;
    const type = String(entry.event.event_type);
    this.uniqueByType[type] = (this.uniqueByType[type] ?? 0) + 1;
    if (entry.late) this.counts.late++;
    this.recordTruth(entry.event, type);
  }

  /** A snapshot: a fresh object that later entries do not change. */
  ledger(): LedgerCounts {
    return {
      seed: this.header.seed,
      start: this.header.start.toISOString(),
      days: this.header.days,
      messages: {
        ...this.counts,
        malformedByKind: { ...this.malformedByKind },
        validByTopic: { ...this.validByTopic },
        uniqueByType: { ...this.uniqueByType },
      },
      users: this.header.users,
      products: this.header.products,
    };
  }

  protected isDuplicate(entry: ValidEntry): boolean {
    return entry.duplicate === true;
  }

  protected recordTruth(_event: Readonly<Record<string, unknown>>, _type: string): void {}

  protected changed(): void {}
}

/**
 * The whole fold: the counts and the truth (orders, revenue, funnel, same-day purchasers). `add` takes one
 * entry; `ledger()` is a snapshot, so a run that stops half-way has the ledger of exactly what it emitted.
 * It remembers every event_id (a duplicate is an id seen before, marked or not) and every order and
 * session: memory grows with the stream, which is what a ledger of everything costs.
 */
export class LedgerFold extends LedgerCountsFold {
  private readonly seen = new Set<string>();
  private readonly orders = new Map<string, LedgerOrder>();
  private readonly revenueByDay = new Map<string, number>();
  private readonly sessionSteps = new Map<string, Set<string>>();
  private readonly viewersByDay = new Map<string, Set<string>>();
  private readonly purchasersByDay = new Map<string, Set<string>>();
  private snapshot: ShopLedger | undefined;

  override ledger(): ShopLedger {
    this.snapshot ??= this.build();
    return this.snapshot;
  }

  protected override changed(): void {
    this.snapshot = undefined;
  }

  protected override isDuplicate(entry: ValidEntry): boolean {
    const id = String(entry.event.event_id);
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    return false;
  }

  protected override recordTruth(e: Readonly<Record<string, unknown>>, type: string): void {
    const day = String(e.event_time).slice(0, 10);
    if (typeof e.session_id === "string") addTo(this.sessionSteps, e.session_id, type);
    if (type === "product_view") addTo(this.viewersByDay, day, String(e.user_id));
    if (type === "purchase") addTo(this.purchasersByDay, day, String(e.user_id));
    const orderId = typeof e.order_id === "string" ? e.order_id : undefined;
    if (!type.startsWith("order_") || !orderId) return;
    let order = this.orders.get(orderId);
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
      this.orders.set(orderId, order);
    }
    // A late event may arrive after its successors: keep the furthest status.
    if (type === "order_created") order.created_date = day;
    else if (type === "order_paid") {
      order.paid = true;
      order.paid_date = day;
      if (order.status !== "shipped") order.status = "paid";
      this.revenueByDay.set(day, round2((this.revenueByDay.get(day) ?? 0) + order.amount));
    } else if (type === "order_shipped") order.status = "shipped";
    else if (type === "order_cancelled") order.status = "cancelled";
  }

  // The key order is the one `--ledger file.json` has always had.
  private build(): ShopLedger {
    const funnel = { sessions: 0, product_view: 0, add_to_cart: 0, checkout: 0, purchase: 0 };
    for (const steps of this.sessionSteps.values()) {
      funnel.sessions++;
      if (steps.has("product_view")) funnel.product_view++;
      if (steps.has("add_to_cart")) funnel.add_to_cart++;
      if (steps.has("checkout")) funnel.checkout++;
      if (steps.has("purchase")) funnel.purchase++;
    }
    const sameDayPurchasers: Record<string, number> = {};
    for (const [day, purchasers] of this.purchasersByDay) {
      const viewers = this.viewersByDay.get(day);
      let n = 0;
      for (const u of purchasers) if (viewers?.has(u)) n++;
      sameDayPurchasers[day] = n;
    }
    return {
      ...super.ledger(),
      sessions: this.sessionSteps.size,
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      revenueByDay: Object.fromEntries(this.revenueByDay),
      funnel,
      sameDayPurchasers,
    };
  }
}

/** The ledger of a sequence of entries (pure: the same entries give the same ledger). */
export function foldLedger(header: LedgerHeader, entries: Iterable<LedgerEntry>): ShopLedger {
  const fold = new LedgerFold(header);
  for (const entry of entries) fold.add(entry);
  return fold.ledger();
}

/**
 * A message read back from a topic, judged as the sink judges it: the entry of a valid event, or undefined
 * for one the sink dead-letters (which malformed kind it was cannot be told from its bytes).
 */
export function ledgerEntryOfRecord(kind: TopicKind, value: Uint8Array): LedgerEntry | undefined {
  const decoded = decodeMessage(kind, value);
  if (!decoded.ok) return undefined;
  return { kind, event: JSON.parse(decoded.text) as Record<string, unknown> };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}
