import { Gauge, type Registry } from "prom-client";
import type { Alert } from "../../core/alert.js";
import type { AlertPublisher } from "../../ingest/alert-publisher.js";
import type { TrinoConnection } from "../../trino/connection.js";
import type { NodeResult } from "../log/events.js";
import { type BurnRule, burnKey, evaluateBurn, SRE_BURN_RULES, windowLabel } from "./slo-burn.js";
import { type EventTimeCount, LATENCY_BUCKETS, observeMart } from "./slo-latency.js";
import { budgetRemaining, burnRate, compliance, SloLedger, windowQuantile } from "./slo-ledger.js";
import { eventTimeCountsSql, type MeasuredMart } from "./slo-marts.js";

/**
 * `floe serve`'s freshness SLO: after each build, the measured marts' newly visible events are timed
 * (slo-latency.ts) into the ledger, which feeds `floe_event_to_mart_seconds`, the compliance, budget and
 * burn-rate gauges, `/api/status` and the burn-rate alerts (one Kafka message and one log line per
 * transition). Trino and Kafka are behind interfaces; the logic is in the pure modules.
 */

export interface SloSettings {
  /** Share of events that must be visible within the threshold (0.99). */
  readonly target: number;
  readonly thresholdSeconds: number;
  /** The compliance and error-budget window. */
  readonly windowMs: number;
  /** The dashboard's p50/p99 window. */
  readonly quantileWindowMs: number;
  /** How far back in event time each observation looks for newly visible rows. */
  readonly lookbackSeconds: number;
  readonly rules: readonly BurnRule[];
}

export const DEFAULT_SLO: SloSettings = {
  target: 0.99,
  thresholdSeconds: 300,
  windowMs: 30 * 86_400_000,
  quantileWindowMs: 15 * 60_000,
  lookbackSeconds: 3_600,
  rules: SRE_BURN_RULES,
};

/** The measured marts' events per event-time bucket: Trino in serve, a table in unit tests. */
export interface EventTimeSource {
  counts(mart: MeasuredMart, fromSeconds: number): Promise<EventTimeCount[]>;
}

/** Reads the counts with one GROUP BY per mart; `connection` must use a UTC session. */
export function trinoEventTimes(connection: TrinoConnection): EventTimeSource {
  return {
    async counts(mart, fromSeconds) {
      const result = await connection.query<{ bucket_start: number | string; events: number | string }>(
        eventTimeCountsSql(mart, fromSeconds),
      );
      return result.rows.map((r) => ({ bucketStart: Number(r.bucket_start), events: Number(r.events) }));
    },
  };
}

export interface SloMartStatus {
  readonly mart: string;
  /** Events timed in the SLO window, and the share of them within the threshold (null: none yet). */
  readonly events: number;
  readonly compliance: number | null;
  readonly budgetRemaining: number;
  /** Over the quantile window (15 minutes). */
  readonly recentEvents: number;
  readonly p50Seconds: number | null;
  readonly p99Seconds: number | null;
  readonly maxSeconds: number | null;
  readonly burn: readonly {
    readonly rule: string;
    readonly factor: number;
    readonly longWindow: string;
    readonly shortWindow: string;
    readonly burnLong: number;
    readonly burnShort: number;
    readonly firing: boolean;
  }[];
}

export interface SloStatus {
  readonly target: number;
  readonly thresholdSeconds: number;
  readonly window: string;
  readonly quantileWindow: string;
  readonly marts: readonly SloMartStatus[];
}

export interface SloMonitorOptions {
  readonly marts: readonly MeasuredMart[];
  readonly settings?: SloSettings;
  readonly source: EventTimeSource;
  readonly publisher?: AlertPublisher;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const round = (n: number, digits = 4) => Number(n.toFixed(digits));

export class SloMonitor {
  readonly settings: SloSettings;
  readonly #options: SloMonitorOptions;
  readonly #ledger: SloLedger;
  readonly #seen = new Map<string, ReadonlyMap<number, number>>();
  #firing: ReadonlySet<string> = new Set();
  /** The last alert of each firing rule, for the dashboard's alert list. */
  readonly #firingAlerts = new Map<string, Alert>();

  constructor(options: SloMonitorOptions) {
    this.#options = options;
    this.settings = options.settings ?? DEFAULT_SLO;
    const longest = Math.max(this.settings.windowMs, ...this.settings.rules.map((r) => r.longMs));
    this.#ledger = new SloLedger(longest, this.settings.quantileWindowMs);
    for (const mart of options.marts) this.#ledger.watch(mart.name);
  }

  get marts(): readonly MeasuredMart[] {
    return this.#options.marts;
  }

  /**
   * Times the newly visible events of each measured mart this build rebuilt successfully, then evaluates
   * the burn rules. A failed query skips that mart this time (its events are counted at the next build,
   * later and so never flattered).
   */
  async afterBuild(results: readonly NodeResult[], finishedAt: number): Promise<void> {
    for (const mart of this.#options.marts) {
      const result = results.find((r) => r.uniqueId === mart.uniqueId);
      if (result?.status !== "success") continue;
      const completed = result.completedAt ? Date.parse(result.completedAt) : Number.NaN;
      const visibleAt = Number.isFinite(completed) ? completed : finishedAt;
      let rows: EventTimeCount[];
      try {
        rows = await this.#options.source.counts(mart, visibleAt / 1000 - this.settings.lookbackSeconds);
      } catch (error) {
        this.#options.log(`serve: slo: cannot read ${mart.name}'s event times: ${message(error)}`);
        continue;
      }
      const { seen, observation } = observeMart(
        this.#seen.get(mart.name),
        rows,
        visibleAt,
        this.settings.thresholdSeconds,
      );
      this.#seen.set(mart.name, seen);
      if (observation) this.#ledger.add(mart.name, observation);
    }
    await this.evaluate();
  }

  /** Runs the burn rules now (also on a timer: windows slide and rules resolve without a build). */
  async evaluate(): Promise<void> {
    const now = this.#now();
    this.#ledger.prune(now);
    const readings = this.#options.marts.flatMap((mart) =>
      this.settings.rules.map((rule) => ({
        mart: mart.name,
        rule,
        burnLong: burnRate(this.#ledger.window(mart.name, now, rule.longMs), this.settings.target),
        burnShort: burnRate(this.#ledger.window(mart.name, now, rule.shortMs), this.settings.target),
      })),
    );
    const { state, alerts } = evaluateBurn(this.#firing, readings, now);
    this.#firing = state;
    for (const alert of alerts) {
      if (alert.kind !== "slo_burn") continue;
      const key = `${alert.mart}|${alert.long_window}|${alert.short_window}`;
      if (alert.state === "firing") this.#firingAlerts.set(key, alert);
      else this.#firingAlerts.delete(key);
      this.#options.log(`serve: alert ${alert.state} (${alert.severity}): ${alert.summary}`);
      try {
        await this.#options.publisher?.publish(alert);
      } catch (error) {
        this.#options.log(`serve: slo: could not publish the alert to Kafka: ${message(error)}`);
      }
    }
  }

  firingAlerts(): Alert[] {
    return [...this.#firingAlerts.values()];
  }

  status(): SloStatus {
    const now = this.#now();
    const { target, windowMs, quantileWindowMs } = this.settings;
    return {
      target,
      thresholdSeconds: this.settings.thresholdSeconds,
      window: windowLabel(windowMs),
      quantileWindow: windowLabel(quantileWindowMs),
      marts: this.#options.marts.map((mart) => {
        const whole = this.#ledger.window(mart.name, now, windowMs);
        const recent = this.#ledger.window(mart.name, now, quantileWindowMs);
        const share = compliance(whole);
        const p50 = windowQuantile(recent, 0.5);
        const p99 = windowQuantile(recent, 0.99);
        return {
          mart: mart.name,
          events: whole.total,
          compliance: share === undefined ? null : round(share),
          budgetRemaining: round(budgetRemaining(whole, target)),
          recentEvents: recent.total,
          p50Seconds: p50 === undefined ? null : round(p50, 1),
          p99Seconds: p99 === undefined ? null : round(p99, 1),
          maxSeconds: recent.total === 0 ? null : round(recent.maxSeconds, 1),
          burn: this.settings.rules.map((rule) => ({
            rule: rule.name,
            factor: rule.factor,
            longWindow: windowLabel(rule.longMs),
            shortWindow: windowLabel(rule.shortMs),
            burnLong: round(burnRate(this.#ledger.window(mart.name, now, rule.longMs), target), 2),
            burnShort: round(burnRate(this.#ledger.window(mart.name, now, rule.shortMs), target), 2),
            firing: this.#firing.has(burnKey(mart.name, rule)),
          })),
        };
      }),
    };
  }

  /** `floe_event_to_mart_seconds{mart}` and the SLO gauges, read from the ledger at scrape time. */
  register(registry: Registry): void {
    const ledger = this.#ledger;
    const monitor = this;
    registry.registerMetric(
      eventToMartHistogram(() => ledger.marts().map((m) => [m, ledger.cumulative(m)] as const)) as never,
    );
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

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

/**
 * `floe_event_to_mart_seconds` as a collector prom-client renders like its own Histogram: one observation
 * here is thousands of events at once, which prom-client's `observe` would take one call per event for.
 */
export function eventToMartHistogram(
  read: () => readonly (readonly [
    string,
    { readonly counts: readonly number[]; readonly sum: number; readonly total: number } | undefined,
  ])[],
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
