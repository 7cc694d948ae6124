import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BreakerState } from "./breaker.js";

/** The API's Prometheus metrics, on their own registry (several APIs may share a process, as in tests). */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "floe_api_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "floe_api_request_seconds",
    help: "Time from a request's arrival to its response, by route",
    labelNames: ["route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: "floe_api_events_total",
    help: "Events by outcome (accepted = durable in the spool); rate() gives events/s",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly forwarded = new Counter({
    name: "floe_api_forwarded_total",
    help: "Events the forwarder delivered to Kafka",
    registers: [this.registry],
  });
  readonly forwardFailures = new Counter({
    name: "floe_api_forward_failures_total",
    help: "Failed sends or reconciliations with Kafka",
    registers: [this.registry],
  });
  /** Accepted events over the last 10 s, per second (for a dashboard without PromQL). */
  private readonly window = new Float64Array(10);
  private windowAt = Math.floor(Date.now() / 1000);

  constructor(probe: { spool(): { bytes: number; records: number }; breaker(): BreakerState }) {
    const self = this;
    new Gauge({
      name: "floe_api_events_per_second",
      help: "Accepted events per second over the last 10 s",
      registers: [this.registry],
      collect() {
        self.advance(Math.floor(Date.now() / 1000));
        this.set(self.window.reduce((a, b) => a + b, 0) / self.window.length);
      },
    });
    new Gauge({
      name: "floe_api_spool_bytes",
      help: "Bytes in the spool not yet acknowledged by Kafka",
      registers: [this.registry],
      collect() {
        this.set(probe.spool().bytes);
      },
    });
    new Gauge({
      name: "floe_api_spool_records",
      help: "Events in the spool not yet acknowledged by Kafka",
      registers: [this.registry],
      collect() {
        this.set(probe.spool().records);
      },
    });
    new Gauge({
      name: "floe_api_breaker_state",
      help: "The forwarder's circuit breaker: 0 closed, 1 half-open, 2 open",
      registers: [this.registry],
      collect() {
        const state = probe.breaker();
        this.set(state === "closed" ? 0 : state === "half-open" ? 1 : 2);
      },
    });
  }

  accepted(events: number, now = Date.now()): void {
    this.events.inc({ outcome: "accepted" }, events);
    this.advance(Math.floor(now / 1000));
    const slot = this.windowAt % this.window.length;
    this.window[slot] = (this.window[slot] ?? 0) + events;
  }

  private advance(second: number): void {
    for (let s = Math.max(this.windowAt + 1, second - this.window.length + 1); s <= second; s++) {
      this.window[s % this.window.length] = 0;
    }
    if (second > this.windowAt) this.windowAt = second;
  }
}
