import { Random } from "./random.js";
import { LedgerFold, type LedgerHeader, type ShopLedger } from "./shop-ledger.js";
import { ShopSimulation } from "./shop-simulation.js";
import { type GeneratedMessage, ledgerEntryOf, mixStream } from "./stream-mixer.js";

export type { LedgerEntry, LedgerOrder, MalformedKind, ShopLedger } from "./shop-ledger.js";
export type { GeneratedMessage } from "./stream-mixer.js";

/**
 * A deterministic synthetic shop, in three parts: the simulation yields the shop's events
 * (`shop-simulation.ts`), the mixer adds duplicates, malformed and late messages (`stream-mixer.ts`), and
 * the ledger is a pure fold over the messages (`shop-ledger.ts`). Publishing lives in `producer.ts`. Same
 * options ⇒ same messages, byte for byte, and the same ledger.
 */

export interface GenerateOptions {
  /** Messages in all (valid, duplicate and malformed). */
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
  /** Share of sessions whose user-events are v3, with `page_url` (default 0: the stream of before v3). */
  readonly v3Share?: number;
}

export interface GeneratedShop {
  /** The messages, lazily: a run of millions never holds them all. */
  readonly messages: Iterable<GeneratedMessage>;
  /** The ledger of the messages iterated so far: complete once `messages` is exhausted. */
  readonly ledger: ShopLedger;
}

export function defaultStart(now = new Date()): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - 2 * 86_400_000);
}

/** The message stream of a shop and what its ledger needs beyond the messages (settings, catalog size). */
export function shopStream(options: GenerateOptions): {
  messages: Generator<GeneratedMessage>;
  header: LedgerHeader;
  /** The shop behind the stream: its users, products and pending follow-ups are the stream's state. */
  simulation: ShopSimulation;
} {
  const seed = options.seed ?? 42;
  const start = options.start ?? defaultStart();
  const days = options.days ?? 3;
  const total = Math.max(0, Math.floor(options.events));
  // One PRNG for the simulation and the mixer: their draws interleave, and that order is the seed's output.
  const rng = new Random(seed);
  const shop = new ShopSimulation(rng, { total, start, days, v3Share: options.v3Share ?? 0 });
  const messages = mixStream(rng, shop, {
    total,
    duplicates: options.duplicates ?? 0,
    malformed: options.malformed ?? 0,
    late: options.late ?? 0,
    oversized: options.oversized ?? true,
  });
  return {
    messages,
    header: { seed, start, days, users: shop.users.length, products: shop.productCount },
    simulation: shop,
  };
}

export function generateShop(options: GenerateOptions): GeneratedShop {
  const { messages: mixed, header } = shopStream(options);
  const fold = new LedgerFold(header);
  function* messages(): Generator<GeneratedMessage> {
    for (const message of mixed) {
      fold.add(ledgerEntryOf(message));
      yield message;
    }
  }
  return { messages: messages(), ledger: liveLedger(fold) };
}

/**
 * A ledger whose every field reads the fold's current snapshot, so a caller may take `ledger` before
 * iterating (as callers always have) and read it after: it is never a half-filled object, only the ledger
 * of the messages iterated so far.
 */
function liveLedger(fold: LedgerFold): ShopLedger {
  const fields = Object.keys(fold.ledger()) as (keyof ShopLedger)[];
  const live = {};
  for (const field of fields) {
    Object.defineProperty(live, field, { enumerable: true, get: () => fold.ledger()[field] });
  }
  return live as ShopLedger;
}
