import { Gauge, type Registry } from "prom-client";
import { LATENCY_BUCKETS } from "./slo-latency.js";
import type { CumulativeHistogram } from "./slo-ledger.js";
import type { SloMonitor } from "./slo-monitor.js";

/**
 * The SLO's Prometheus series (pure shaping over the monitor): the latency histogram and the compliance,
 * budget, burn-rate and alert gauges, computed when scraped so they never disagree with `/api/status`.
 */

/** `floe_event_to_mart_seconds{mart}` and the SLO gauges, read from the monitor at scrape time. */
export function registerSloMetrics(registry: Registry, monitor: SloMonitor): void {
  registry.registerMetric(eventToMartHistogram(() => monitor.histograms()) as never);
  new Gauge({
    name: "floe_slo_target_ratio",
    help: "Share of events that must reach their mart within floe_slo_latency_threshold_seconds",
    registers: [registry],
    collect() {
      this.set(monitor.settings.target);
    },
  });
  new Gauge({
    name: "floe_slo_latency_threshold_seconds",
    help: "The SLO's event→mart latency threshold",
    registers: [registry],
    collect() {
      this.set(monitor.settings.thresholdSeconds);
    },
  });
  new Gauge({
    name: "floe_slo_compliance_ratio",
    help: "Share of events timed in the SLO window that reached the mart within the threshold",
    labelNames: ["mart"],
    registers: [registry],
    collect() {
      for (const m of monitor.status().marts)
        if (m.compliance !== null) this.set({ mart: m.mart }, m.compliance);
    },
  });
  new Gauge({
    name: "floe_slo_error_budget_remaining_ratio",
    help: "Share of the SLO window's error budget not spent (1 untouched, 0 spent, negative overspent)",
    labelNames: ["mart"],
    registers: [registry],
    collect() {
      for (const m of monitor.status().marts) this.set({ mart: m.mart }, m.budgetRemaining);
    },
  });
  new Gauge({
    name: "floe_slo_burn_rate",
    help: "Error-budget burn rate over the window (1 = spending exactly the budget)",
    labelNames: ["mart", "window"],
    registers: [registry],
    collect() {
      for (const m of monitor.status().marts) {
        for (const b of m.burn) {
          this.set({ mart: m.mart, window: b.longWindow }, b.burnLong);
          this.set({ mart: m.mart, window: b.shortWindow }, b.burnShort);
        }
      }
    },
  });
  new Gauge({
    name: "floe_slo_burn_alert_firing",
    help: "1 while the multi-window burn-rate rule fires",
    labelNames: ["mart", "rule", "long_window", "short_window"],
    registers: [registry],
    collect() {
      for (const m of monitor.status().marts) {
        for (const b of m.burn) {
          this.set(
            { mart: m.mart, rule: b.rule, long_window: b.longWindow, short_window: b.shortWindow },
            b.firing ? 1 : 0,
          );
        }
      }
    },
  });
}

/**
 * `floe_event_to_mart_seconds` as a collector prom-client renders like its own Histogram: one observation
 * here is thousands of events at once, which prom-client's `observe` would take one call per event for.
 */
export function eventToMartHistogram(
  read: () => readonly (readonly [string, CumulativeHistogram | undefined])[],
) {
  const name = "floe_event_to_mart_seconds";
  return {
    name,
    help: "Event→mart latency: from an event's time to its row becoming visible in the mart",
    type: "histogram",
    aggregator: "sum",
    labelNames: ["mart"],
    reset() {},
    async get() {
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      for (const [mart, h] of read()) {
        if (!h) continue;
        let cumulative = 0;
        LATENCY_BUCKETS.forEach((bound, i) => {
          cumulative += h.counts[i] ?? 0;
          values.push({ metricName: `${name}_bucket`, labels: { mart, le: bound }, value: cumulative });
        });
        values.push({ metricName: `${name}_bucket`, labels: { mart, le: "+Inf" }, value: h.total });
        values.push({ metricName: `${name}_sum`, labels: { mart }, value: h.sum });
        values.push({ metricName: `${name}_count`, labels: { mart }, value: h.total });
      }
      return { name, help: this.help, type: "histogram", values, aggregator: "sum" };
    },
  };
}
