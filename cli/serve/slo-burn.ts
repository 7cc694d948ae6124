import type { Alert } from "../../core/alert.js";

/**
 * Multi-window burn-rate alerting (Google SRE workbook, "Alerting on SLOs", recipe 6), pure: a rule holds
 * when the error budget burns at least `factor` times too fast over both its long window (enough budget
 * is gone to matter) and its short one (it is still happening, so it resolves soon after recovery). Each
 * (mart, rule) is a two-state machine, firing or resolved, and yields one alert per transition.
 */

export interface BurnRule {
  /** `page` or `ticket`: the workbook's two responses. */
  readonly name: string;
  readonly severity: "critical" | "warning";
  readonly factor: number;
  readonly longMs: number;
  readonly shortMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The workbook's rules for a 30-day 99.9 %-style SLO: 2 % of the budget in 1 h, 5 % in 6 h, 10 % in 3 d. */
export const SRE_BURN_RULES: readonly BurnRule[] = [
  { name: "page", severity: "critical", factor: 14.4, longMs: HOUR, shortMs: 5 * MINUTE },
  { name: "page", severity: "critical", factor: 6, longMs: 6 * HOUR, shortMs: 30 * MINUTE },
  { name: "ticket", severity: "warning", factor: 1, longMs: 72 * HOUR, shortMs: 6 * HOUR },
];

/** The rules with every window divided by `scale` (a local run of minutes sees its alerts fire). */
export function scaledRules(scale: number, rules: readonly BurnRule[] = SRE_BURN_RULES): BurnRule[] {
  return rules.map((r) => ({ ...r, longMs: r.longMs / scale, shortMs: r.shortMs / scale }));
}

/** `1h`, `5m`, `3d`, `25s`: a window as alerts and metric labels name it. */
export function windowLabel(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "d"],
    [HOUR, "h"],
    [MINUTE, "m"],
    [1_000, "s"],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

/** One rule's burn rates for one mart at one moment. */
export interface BurnReading {
  readonly mart: string;
  readonly rule: BurnRule;
  readonly burnLong: number;
  readonly burnShort: number;
}

/** Firing (mart, rule) pairs, by `burnKey`. */
export type BurnState = ReadonlySet<string>;

export const burnKey = (mart: string, rule: BurnRule) =>
  `${mart}|${rule.name}|${windowLabel(rule.longMs)}|${windowLabel(rule.shortMs)}`;

/** The next state and one `slo_burn` alert for each rule that started or stopped holding. */
export function evaluateBurn(
  state: BurnState,
  readings: readonly BurnReading[],
  at: number,
): { readonly state: Set<string>; readonly alerts: Alert[] } {
  const next = new Set(state);
  const alerts: Alert[] = [];
  for (const { mart, rule, burnLong, burnShort } of readings) {
    const key = burnKey(mart, rule);
    const holds = burnLong >= rule.factor && burnShort >= rule.factor;
    const firing = next.has(key);
    if (holds === firing) continue;
    if (holds) next.add(key);
    else next.delete(key);
    const long = windowLabel(rule.longMs);
    const short = windowLabel(rule.shortMs);
    const rates = `${round(burnLong)}× over ${long}, ${round(burnShort)}× over ${short}`;
    alerts.push({
      kind: "slo_burn",
      at: new Date(at).toISOString(),
      severity: holds ? rule.severity : "info",
      summary: holds
        ? `${mart}: event→mart SLO error budget burning ${rates} (${rule.name} at ${rule.factor}×)`
        : `${mart}: event→mart SLO burn resolved, ${rates} (${rule.name} at ${rule.factor}×)`,
      mart,
      long_window: long,
      short_window: short,
      burn_rate_long: round(burnLong),
      burn_rate_short: round(burnShort),
      state: holds ? "firing" : "resolved",
    });
  }
  return { state: next, alerts };
}

const round = (n: number) => Math.round(n * 100) / 100;
