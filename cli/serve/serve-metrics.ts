import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ServeRecorder } from "./serve-status.js";
import type { SupervisorState } from "./supervisor.js";

/**
 * `floe serve`'s own Prometheus series, on their own registry (the sink's registry is appended to the
 * scrape by `metricsText`). Child and model series are read from the supervisor and the recorder at scrape
 * time, so they can never disagree with `/api/status`.
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly buildDuration = new Histogram({
    name: "floe_build_duration_seconds",
    help: "Wall time of one scheduled floe build",
    buckets: [1, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly builds = new Counter({
    name: "floe_builds_total",
    help: "Scheduled builds by outcome",
    labelNames: ["status"],
    registers: [this.registry],
  });
  readonly dueSkipped = new Counter({
    name: "floe_due_skipped_total",
    help: "Models, seeds and snapshots a scheduled --due build did not rebuild (not due, or upstream unchanged)",
    registers: [this.registry],
  });
  readonly maintenanceRuns = new Counter({
    name: "floe_maintenance_runs_total",
    help: "Scheduled floe maintain runs by outcome",
    labelNames: ["status"],
    registers: [this.registry],
  });

  constructor(state: () => SupervisorState, recorder: ServeRecorder, now: () => number = Date.now) {
    const restartsSeen = new Map<string, number>();
    new Gauge({
      name: "floe_serve_child_up",
      help: "1 when the supervised child is running (degraded counts as up), else 0",
      labelNames: ["child"],
      registers: [this.registry],
      collect() {
        for (const child of state().children) {
          this.set({ child: child.name }, child.state === "running" || child.state === "degraded" ? 1 : 0);
        }
      },
    });
    new Counter({
      name: "floe_serve_child_restarts_total",
      help: "Restarts of the supervised child after a crash",
      labelNames: ["child"],
      registers: [this.registry],
      collect() {
        for (const child of state().children) {
          const seen = restartsSeen.get(child.name) ?? 0;
          this.inc({ child: child.name }, child.restarts - seen);
          restartsSeen.set(child.name, child.restarts);
        }
      },
    });
    new Gauge({
      name: "floe_serve_trino_up",
      help: "1 when the last Trino probe passed",
      registers: [this.registry],
      collect() {
        this.set(recorder.probe?.ok ? 1 : 0);
      },
    });
    new Gauge({
      name: "floe_model_last_build_timestamp_seconds",
      help: "When the model's last build finished (Unix seconds)",
      labelNames: ["model"],
      registers: [this.registry],
      collect() {
        for (const m of recorder.models.values()) this.set({ model: m.name }, m.lastBuildAt / 1000);
      },
    });
    new Gauge({
      name: "floe_model_freshness_seconds",
      help: "Age of the model's data: seconds since its last successful build",
      labelNames: ["model"],
      registers: [this.registry],
      collect() {
        const at = now();
        for (const m of recorder.models.values()) {
          if (m.lastSuccessAt !== undefined) this.set({ model: m.name }, (at - m.lastSuccessAt) / 1000);
        }
      },
    });
  }
}

/** One scrape: serve's series, then each extra registry's (the sink's). */
export async function metricsText(registries: readonly Registry[]): Promise<string> {
  const texts = await Promise.all(registries.map((r) => r.metrics()));
  return texts.map((t) => (t.endsWith("\n") ? t : `${t}\n`)).join("");
}
