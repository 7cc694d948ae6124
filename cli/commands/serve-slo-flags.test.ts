import { describe, expect, it } from "vitest";
import { z } from "zod";
import { windowLabel } from "../serve/slo-burn.js";
import { sloFlags, sloSettingsFromFlags } from "./serve-slo-flags.js";

const parse = (raw: Record<string, unknown>) => sloSettingsFromFlags(z.object(sloFlags).parse(raw));

describe("floe serve's SLO flags", () => {
  it("default to the seed's SLO and the SRE workbook's burn windows", () => {
    const s = parse({});
    expect(s).toMatchObject({ target: 0.99, thresholdSeconds: 300, windowMs: 30 * 86_400_000 });
    expect(s.rules.map((r) => `${r.factor}:${windowLabel(r.longMs)}/${windowLabel(r.shortMs)}`)).toEqual([
      "14.4:1h/5m",
      "6:6h/30m",
      "1:3d/6h",
    ]);
  });

  it("read a percentage, durations and a burn scale", () => {
    const s = parse({ sloTarget: "99.5", sloLatency: "2m", sloWindow: "7d", sloBurnScale: "12" });
    expect(s.target).toBeCloseTo(0.995);
    expect(s.thresholdSeconds).toBe(120);
    expect(s.windowMs).toBe(7 * 86_400_000);
    expect(windowLabel(s.rules[0]?.longMs ?? 0)).toBe("5m");
  });
});
