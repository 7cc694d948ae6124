import { z } from "zod";
import { ALERTS_TOPIC } from "../../core/alert.js";
import { DURATION as CALENDAR_DURATION, durationSeconds } from "../../core/duration.js";
import { scaledRules } from "../serve/slo-burn.js";
import { DEFAULT_SLO, type SloSettings } from "../serve/slo-monitor.js";
import { DURATION, readFlag } from "./flag-values.js";

/**
 * `floe serve`'s SLO flags: the target, the latency threshold, the compliance window, the burn windows'
 * scale for short local runs, and the alerts topic. Flags rather than floe_project.yml keys: the SLO is
 * the deployment's promise, not the project's, and a local soak changes it per run. The burn scale
 * divides every window of the SRE workbook's rules (12: 5m/25s, 30m/150s, 6h/30m).
 */
export const SLO_DEFAULTS = {
  target: "99",
  latency: "5m",
  window: "30d",
  burnScale: "1",
  alertsTopic: ALERTS_TOPIC,
} as const;

export const sloFlags = {
  sloTarget: z.coerce.number().gt(50).lt(100).default(Number(SLO_DEFAULTS.target)),
  sloLatency: z.string().default(SLO_DEFAULTS.latency),
  sloWindow: z
    .string()
    .regex(CALENDAR_DURATION, "a duration like 30d, 7d or 1h")
    .default(SLO_DEFAULTS.window),
  sloBurnScale: z.coerce.number().positive().default(Number(SLO_DEFAULTS.burnScale)),
  alertsTopic: z.string().min(1).default(ALERTS_TOPIC),
};

export function sloSettingsFromFlags(flags: {
  readonly sloTarget: number;
  readonly sloLatency: string;
  readonly sloWindow: string;
  readonly sloBurnScale: number;
}): SloSettings {
  return {
    ...DEFAULT_SLO,
    target: flags.sloTarget / 100,
    thresholdSeconds: readFlag("--slo-latency", flags.sloLatency, DURATION) / 1000,
    windowMs: (durationSeconds(flags.sloWindow) ?? 0) * 1000,
    rules: scaledRules(flags.sloBurnScale),
  };
}
