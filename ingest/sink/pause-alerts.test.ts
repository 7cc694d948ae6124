import { describe, expect, it } from "vitest";
import { alertSchema } from "../../core/alert.js";
import { PauseAlerts } from "./pause-alerts.js";

const paused = (partition: number) =>
  ({ kind: "paused", topic: "orders", partition, error: "S3 down", resumeInMs: 30_000 }) as const;
const resumed = (partition: number) => ({ kind: "resumed", topic: "orders", partition }) as const;

describe("sink pause alerts", () => {
  it("raises one alert per crossing, however many rounds a partition stays paused", () => {
    const alerts = new PauseAlerts(() => new Date("2026-12-06T12:00:00Z"));
    const raised = [paused(0), paused(0), paused(1), resumed(0), resumed(0), paused(0), resumed(1)]
      .map((e) => alerts.onEvent(e))
      .filter((a) => a !== undefined);
    expect(raised.map((a) => a.kind === "sink_paused" && `${a.partition} ${a.state}`)).toEqual([
      "0 paused",
      "1 paused",
      "0 resumed",
      "0 paused",
      "1 resumed",
    ]);
    for (const a of raised) expect(alertSchema.parse(a)).toEqual(a);
    expect(raised[0]).toMatchObject({ severity: "critical", error: "S3 down", topic: "orders" });
  });

  it("ignores every other sink event", () => {
    const alerts = new PauseAlerts();
    expect(alerts.onEvent({ kind: "warning", message: "x" })).toBeUndefined();
    expect(alerts.onEvent({ kind: "rebalance", assigned: 2 })).toBeUndefined();
  });
});
