/**
 * Durations as config and flags spell them (`30s`, `15m`, `24h`, `7d`, `2w`, `2y`; a year is 365 days), and
 * the retention cut-off day derived from one. Shared by the curated tables' retention (`floe maintain`) and
 * the raw layer's (`ingest/raw-retention.ts`), so both count a window the same way.
 */

export const DURATION = /^\s*(\d+)\s*(s|m|h|d|w|y)\s*$/;

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 7 * 86_400,
  y: 365 * 86_400,
};

/** Seconds in a duration; `undefined` when `text` is not one. */
export function durationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
}

/**
 * The first UTC day (`YYYY-MM-DD`) inside a window of `seconds` ending `now`: data of earlier days is older
 * than the window. The day holding the window's start is partly inside, so it is kept: whole days go, and a
 * row never drops on the hour it turns old.
 */
export function firstDayKept(now: Date, seconds: number): string {
  return new Date(now.getTime() - seconds * 1000).toISOString().slice(0, 10);
}
