import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { Alert } from "../../core/alert.js";
import type { AlertPublisher } from "../../ingest/alert-publisher.js";
import type { NodeResult } from "../log/events.js";
import { scaledRules } from "./slo-burn.js";
import type { EventTimeCount } from "./slo-latency.js";
import type { MeasuredMart } from "./slo-marts.js";
import { DEFAULT_SLO, type EventTimeSource, SloMonitor } from "./slo-monitor.js";

const mart: MeasuredMart = {
  uniqueId: "model.shop.fct_orders",
  name: "fct_orders",
  relation: '"iceberg"."marts"."fct_orders"',
  eventTime: "created_at",
  count: undefined,
  grainSeconds: 5,
};
const T0 = Date.UTC(2026, 11, 6, 12);

/** The mart's table as the fake Trino sees it: events per event-time bucket, changed by the test. */
class FakeMart implements EventTimeSource {
  rows: EventTimeCount[] = [];
  queries: number[] = [];
  async counts(_: MeasuredMart, fromSeconds: number) {
    this.queries.push(fromSeconds);
    return this.rows;
  }
}

class RecordingPublisher implements AlertPublisher {
  sent: Alert[] = [];
  async publish(alert: Alert) {
    this.sent.push(alert);
  }
  async close() {}
}

const built = (status: NodeResult["status"], completedAt: number) =>
  [{ uniqueId: mart.uniqueId, status, completedAt: new Date(completedAt).toISOString() }] as NodeResult[];

function setup() {
  let now = T0;
  const source = new FakeMart();
  const publisher = new RecordingPublisher();
  const lines: string[] = [];
  const monitor = new SloMonitor({
    marts: [mart],
    settings: { ...DEFAULT_SLO, rules: scaledRules(12) },
    source,
    publisher,
    log: (l) => lines.push(l),
    now: () => now,
  });
  return { monitor, source, publisher, lines, advance: (ms: number) => (now += ms), at: () => now };
}

describe("the SLO monitor", () => {
  it("times the events each build made visible and reports compliance, budget and quantiles", async () => {
    const { monitor, source, advance, at } = setup();
    source.rows = [{ bucketStart: T0 / 1000 - 60, events: 50 }];
    await monitor.afterBuild(built("success", at()), at());
    expect(monitor.status().marts[0]?.events).toBe(0); // the baseline
    expect(source.queries[0]).toBe(T0 / 1000 - DEFAULT_SLO.lookbackSeconds);

    advance(60_000);
    source.rows = [
      { bucketStart: T0 / 1000 - 60, events: 50 },
      { bucketStart: T0 / 1000, events: 99 }, // 60 s old when visible
      { bucketStart: T0 / 1000 - 600, events: 1 }, // 660 s: outside the 300 s SLO
    ];
    await monitor.afterBuild(built("success", at()), at());
    const status = monitor.status().marts[0];
    expect(status).toMatchObject({ mart: "fct_orders", events: 100, compliance: 0.99, maxSeconds: 660 });
    expect(status?.budgetRemaining).toBeCloseTo(0);
    expect(status?.p50Seconds).toBeGreaterThan(45);
    expect(status?.p50Seconds).toBeLessThanOrEqual(60);
  });

  it("does not look at a mart the build did not rebuild successfully", async () => {
    const { monitor, source, at } = setup();
    await monitor.afterBuild(built("error", at()), at());
    await monitor.afterBuild([], at());
    expect(source.queries).toEqual([]);
  });

  it("fires a burn alert once on Kafka and in the log, and resolves it when the windows recover", async () => {
    const { monitor, source, publisher, lines, advance, at } = setup();
    source.rows = [];
    await monitor.afterBuild(built("success", at()), at());
    advance(30_000);
    // Every event 10 minutes late: burn rate 100× over every window.
    source.rows = [{ bucketStart: (at() - 600_000) / 1000, events: 100 }];
    await monitor.afterBuild(built("success", at()), at());
    const fired = publisher.sent.filter((a) => a.kind === "slo_burn" && a.state === "firing");
    expect(fired.map((a) => (a.kind === "slo_burn" ? a.long_window : ""))).toEqual(["5m", "30m", "6h"]);
    expect(lines.filter((l) => l.includes("alert firing"))).toHaveLength(3);
    expect(monitor.firingAlerts()).toHaveLength(3);

    await monitor.evaluate();
    expect(publisher.sent).toHaveLength(3);

    // Then only good events for longer than the short windows of the page rules.
    for (let i = 1; i <= 40; i++) {
      advance(30_000);
      source.rows = [
        { bucketStart: (T0 - 570_000) / 1000, events: 100 },
        { bucketStart: Math.floor(at() / 1000) - 10, events: 1_000 * i },
      ];
      await monitor.afterBuild(built("success", at()), at());
    }
    const resolved = publisher.sent.filter((a) => a.kind === "slo_burn" && a.state === "resolved");
    // 100 bad among 40,100 events: every rule's windows are under its factor again.
    expect(resolved.map((a) => (a.kind === "slo_burn" ? a.long_window : ""))).toEqual(["5m", "30m", "6h"]);
    expect(monitor.firingAlerts()).toEqual([]);
  });

  it("logs and carries on when Kafka or Trino fails", async () => {
    const { monitor, source, lines, at } = setup();
    source.counts = async () => {
      throw new Error("Trino is down");
    };
    await monitor.afterBuild(built("success", at()), at());
    expect(lines).toContain("serve: slo: cannot read fct_orders's event times: Trino is down");
  });

  it("exports the histogram and the SLO gauges in Prometheus text", async () => {
    const { monitor, source, advance, at } = setup();
    await monitor.afterBuild(built("success", at()), at());
    advance(20_000);
    source.rows = [{ bucketStart: T0 / 1000, events: 7 }];
    await monitor.afterBuild(built("success", at()), at());
    const registry = new Registry();
    monitor.register(registry);
    const text = await registry.metrics();
    expect(text).toContain("# TYPE floe_event_to_mart_seconds histogram");
    expect(text).toContain('floe_event_to_mart_seconds_bucket{mart="fct_orders",le="15"} 0');
    expect(text).toContain('floe_event_to_mart_seconds_bucket{mart="fct_orders",le="30"} 7');
    expect(text).toContain('floe_event_to_mart_seconds_bucket{mart="fct_orders",le="+Inf"} 7');
    expect(text).toContain('floe_event_to_mart_seconds_sum{mart="fct_orders"} 140');
    expect(text).toContain('floe_event_to_mart_seconds_count{mart="fct_orders"} 7');
    expect(text).toContain('floe_slo_compliance_ratio{mart="fct_orders"} 1');
    expect(text).toContain('floe_slo_error_budget_remaining_ratio{mart="fct_orders"} 1');
    expect(text).toContain('floe_slo_burn_rate{mart="fct_orders",window="5m"} 0');
    expect(text).toContain("floe_slo_target_ratio 0.99");
  });
});
