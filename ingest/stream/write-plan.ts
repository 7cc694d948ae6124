import type { Alert } from "../../core/alert.js";
import type { InventoryChange } from "./inventory-change.js";
import type { Observation } from "./observations.js";
import { crossingOf, isBelow } from "./stock-crossing.js";
import {
  GROUP_DIMENSIONS,
  groupIndexKey,
  uniqueUsersKey,
  WINDOWS,
  type WindowKeyParts,
  windowExpiresAt,
  windowKey,
  windowStart,
} from "./windows.js";

/**
 * One batch's writes to Redis, built purely from decoded messages: the store applies it in one
 * MULTI/EXEC together with the offsets, so Redis always holds the effect of exactly the messages below
 * those offsets. Counters are summed per key first, so a batch of 1,000 events costs one HINCRBY per
 * window key, not one per event.
 */
export interface WritePlan {
  /** product id → quantity (and whether it is below its threshold), or null when the row was deleted. */
  readonly stock: ReadonlyMap<string, { quantity: number; below: boolean } | null>;
  /** window hash key → what to add, and when the key expires (epoch s). */
  readonly counters: ReadonlyMap<string, { count: number; sumCents: number; expireAtS: number }>;
  /** HyperLogLog key → users to add. */
  readonly uniques: ReadonlyMap<string, { users: Set<string>; expireAtS: number }>;
  /** Group index set key → group values to add. */
  readonly groups: ReadonlyMap<string, { values: Set<string>; expireAtS: number }>;
  /** Alerts to publish once the plan is applied (kept in Redis' outbox until they are). */
  readonly alerts: readonly Alert[];
  /** `topic:partition` → the next offset to read. */
  readonly offsets: ReadonlyMap<string, number>;
}

export class WritePlanBuilder {
  private readonly stock = new Map<string, { quantity: number; below: boolean } | null>();
  private readonly counters = new Map<string, { count: number; sumCents: number; expireAtS: number }>();
  private readonly uniques = new Map<string, { users: Set<string>; expireAtS: number }>();
  private readonly groups = new Map<string, { values: Set<string>; expireAtS: number }>();
  private readonly alerts: Alert[] = [];
  private readonly offsets = new Map<string, number>();
  /** Observations of windows already expired (late events, or a rebuild replaying old history). */
  skippedExpired = 0;

  /**
   * @param wasBelow each product's below-threshold flag before this batch (from Redis or the processor's cache)
   */
  constructor(
    private readonly prefix: string,
    private readonly nowMs: number,
    private readonly wasBelow: (productId: string) => boolean,
  ) {}

  /** `alerts` false while rebuilding: the crossings of history were announced when they happened. */
  inventory(change: InventoryChange, alerts: boolean): void {
    if (change.kind === "delete") {
      this.stock.set(change.productId, null);
      return;
    }
    const previous = this.stock.get(change.productId);
    const wasBelow = previous ? previous.below : this.wasBelow(change.productId);
    const crossing = crossingOf(wasBelow, change);
    this.stock.set(change.productId, { quantity: change.quantity, below: isBelow(change) });
    if (crossing && alerts) {
      this.alerts.push({
        kind: "low_stock",
        at: new Date(this.nowMs).toISOString(),
        severity: crossing === "recovered" ? "info" : change.quantity <= 0 ? "critical" : "warning",
        summary:
          crossing === "below"
            ? `${change.productId} is low on stock: ${change.quantity} left, threshold ${change.threshold}`
            : `${change.productId} recovered: ${change.quantity} in stock, threshold ${change.threshold}`,
        product_id: change.productId,
        quantity: change.quantity,
        threshold: change.threshold,
        state: crossing,
      });
    }
  }

  observe(observation: Observation): void {
    const nowS = this.nowMs / 1000;
    for (const window of WINDOWS) {
      const startS = windowStart(window, observation.atMs);
      const expireAtS = windowExpiresAt(window, startS);
      if (expireAtS <= nowS) {
        this.skippedExpired++;
        continue;
      }
      const base = { metric: observation.metric, window, startS };
      this.add(base, observation, expireAtS);
      for (const dimension of GROUP_DIMENSIONS) {
        this.add({ ...base, group: { dimension, value: observation[dimension] } }, observation, expireAtS);
        const index = groupIndexKey(this.prefix, base, dimension);
        const entry = this.groups.get(index) ?? { values: new Set<string>(), expireAtS };
        entry.values.add(observation[dimension]);
        this.groups.set(index, entry);
      }
    }
  }

  offset(topic: string, partition: number, next: number): void {
    this.offsets.set(`${topic}:${partition}`, next);
  }

  build(): WritePlan {
    return {
      stock: this.stock,
      counters: this.counters,
      uniques: this.uniques,
      groups: this.groups,
      alerts: this.alerts,
      offsets: this.offsets,
    };
  }

  private add(parts: WindowKeyParts, observation: Observation, expireAtS: number): void {
    const key = windowKey(this.prefix, parts);
    const counter = this.counters.get(key) ?? { count: 0, sumCents: 0, expireAtS };
    counter.count++;
    counter.sumCents += observation.sumCents ?? 0;
    this.counters.set(key, counter);
    if (observation.user !== undefined) {
      const hll = uniqueUsersKey(this.prefix, parts);
      const entry = this.uniques.get(hll) ?? { users: new Set<string>(), expireAtS };
      entry.users.add(observation.user);
      this.uniques.set(hll, entry);
    }
  }
}
