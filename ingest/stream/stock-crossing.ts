/**
 * Low-stock crossings as a pure function: an alert fires when a product's stock goes from at or above
 * its threshold to below it, and a `recovered` when it comes back — never on every change while low.
 * A product seen for the first time counts as "not below", so one that starts low alerts once.
 */
export interface StockLevel {
  readonly quantity: number;
  readonly threshold: number;
}

export type Crossing = "below" | "recovered" | undefined;

export const isBelow = (level: StockLevel) => level.quantity < level.threshold;

export function crossingOf(wasBelow: boolean, next: StockLevel): Crossing {
  const below = isBelow(next);
  if (below && !wasBelow) return "below";
  if (!below && wasBelow) return "recovered";
  return undefined;
}
