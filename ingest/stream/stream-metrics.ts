import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AppliedReport, Phase } from "./processor.js";

const PHASES: readonly Phase[] = ["idle", "syncing", "rebuilding", "running", "stopped"];

/** `floe stream`'s Prometheus series, on their own registry (serve's /metrics joins it to its own). */
export class StreamMetrics {
  readonly registry = new Registry();
  readonly messages = new Counter({
    name: "floe_stream_messages_total",
    help: "Messages applied to the real-time view in Redis (rate() of it is the events per second)",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly invalid = new Counter({
    name: "floe_stream_invalid_total",
    help: "Messages skipped because they are not a valid event or inventory change",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: "floe_stream_lag",
    help: "Messages behind the partition's end after the last applied batch",
    labelNames: ["topic", "partition"],
    registers: [this.registry],
  });
  readonly lastApplied = new Gauge({
    name: "floe_stream_last_applied_timestamp_seconds",
    help: "When the last batch was applied to Redis",
    registers: [this.registry],
  });
  readonly commitToRedis = new Histogram({
    name: "floe_stream_commit_to_redis_seconds",
    help: "Database commit → stock in Redis, per inventory change",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly alerts = new Counter({
    name: "floe_stream_alerts_total",
    help: "Low-stock alerts published on the alerts topic",
    registers: [this.registry],
  });
  readonly phase = new Gauge({
    name: "floe_stream_phase",
    help: "1 for the processor's current phase",
    labelNames: ["phase"],
    registers: [this.registry],
  });
  readonly rebuilds = new Counter({
    name: "floe_stream_rebuilds_total",
    help: "Times the view was rebuilt from Kafka because Redis held no offsets",
    registers: [this.registry],
  });

  recordPhase(phase: Phase): void {
    for (const p of PHASES) this.phase.set({ phase: p }, p === phase ? 1 : 0);
    if (phase === "rebuilding") this.rebuilds.inc();
  }

  recordApplied(report: AppliedReport): void {
    this.messages.inc({ topic: report.topic }, report.messages);
    this.lag.set({ topic: report.topic, partition: String(report.partition) }, report.lag);
    this.lastApplied.set(report.appliedAtMs / 1000);
    for (const commit of report.commitTimes) {
      this.commitToRedis.observe(Math.max(0, report.appliedAtMs - commit) / 1000);
    }
  }
}
