import { describe, expect, it } from "vitest";
import { alertSchema } from "../../core/alert.js";
import { type BurnRule, evaluateBurn, SRE_BURN_RULES, scaledRules, windowLabel } from "./slo-burn.js";

const page: BurnRule = {
  name: "page",
  severity: "critical",
  factor: 14.4,
  longMs: 3_600_000,
  shortMs: 300_000,
};
const at = Date.UTC(2026, 11, 6, 12);

describe("multi-window burn-rate alerts", () => {
  it("fires only when both windows burn at the factor, once per transition", () => {
    const onlyLong = evaluateBurn(new Set(), [{ mart: "m", rule: page, burnLong: 20, burnShort: 2 }], at);
    expect(onlyLong.alerts).toEqual([]);
    const both = evaluateBurn(onlyLong.state, [{ mart: "m", rule: page, burnLong: 20, burnShort: 30 }], at);
    expect(both.alerts).toHaveLength(1);
    expect(both.alerts[0]).toMatchObject({
      kind: "slo_burn",
      state: "firing",
      severity: "critical",
      mart: "m",
      long_window: "1h",
      short_window: "5m",
      burn_rate_long: 20,
      burn_rate_short: 30,
    });
    const still = evaluateBurn(both.state, [{ mart: "m", rule: page, burnLong: 25, burnShort: 40 }], at);
    expect(still.alerts).toEqual([]);
    const resolved = evaluateBurn(still.state, [{ mart: "m", rule: page, burnLong: 16, burnShort: 1 }], at);
    expect(resolved.alerts).toHaveLength(1);
    expect(resolved.alerts[0]).toMatchObject({ state: "resolved", severity: "info" });
    expect(resolved.state.size).toBe(0);
  });

  it("keeps each mart and rule apart", () => {
    const ticket: BurnRule = { ...page, name: "ticket", severity: "warning", factor: 1 };
    const { state, alerts } = evaluateBurn(
      new Set(),
      [
        { mart: "a", rule: page, burnLong: 2, burnShort: 2 },
        { mart: "a", rule: ticket, burnLong: 2, burnShort: 2 },
        { mart: "b", rule: ticket, burnLong: 0.5, burnShort: 3 },
      ],
      at,
    );
    expect(alerts.map((a) => (a.kind === "slo_burn" ? `${a.mart}:${a.severity}` : ""))).toEqual([
      "a:warning",
    ]);
    expect(state.size).toBe(1);
  });

  it("writes alerts the alerts topic's schema accepts", () => {
    const { alerts } = evaluateBurn(
      new Set(),
      [{ mart: "m", rule: page, burnLong: 15.123, burnShort: 99 }],
      at,
    );
    expect(alertSchema.parse(alerts[0])).toEqual(alerts[0]);
    expect(alerts[0]?.summary).toContain("15.12× over 1h");
  });

  it("scales the workbook's windows for a short local run", () => {
    expect(scaledRules(12).map((r) => [windowLabel(r.longMs), windowLabel(r.shortMs)])).toEqual([
      ["5m", "25s"],
      ["30m", "150s"],
      ["6h", "30m"],
    ]);
    expect(SRE_BURN_RULES.map((r) => r.factor)).toEqual([14.4, 6, 1]);
  });
});
