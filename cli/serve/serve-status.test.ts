import { describe, expect, it } from "vitest";
import type { NodeResult } from "../log/events.js";
import { metricsText, ServeMetrics } from "./serve-metrics.js";
import { alertsOf, readiness, ServeRecorder, statusSnapshot, throughputSample } from "./serve-status.js";
import { initialSupervisor, reduce, type SupervisorState } from "./supervisor.js";

const THRESHOLDS = { staleAfterSeconds: 600, maxLag: 1_000 };

function runningSupervisor(): SupervisorState {
  let { state } = initialSupervisor(["sink", "scheduler"]);
  for (const child of ["sink", "scheduler"])
    state = reduce(state, { type: "child-running", child, at: 0 }).state;
  return state;
}

function result(uniqueId: string, status: NodeResult["status"], seconds: number): NodeResult {
  return {
    uniqueId,
    resourceType: "model",
    displayName: `marts.${uniqueId.split(".").at(-1)}`,
    description: "table model",
    status,
    message: status,
    startedAt: undefined,
    completedAt: undefined,
    executionTime: seconds,
    trinoMillis: 0,
    queryIds: [],
  };
}

describe("throughput", () => {
  it("reads out from rows written and in from the growth of written + lag", () => {
    const sample = throughputSample(
      { at: 0, written: 1_000, lag: 500 },
      { at: 2_000, written: 3_000, lag: 1_500 },
    );
    expect(sample).toEqual({ at: 2_000, inPerSecond: 1_500, outPerSecond: 1_000, lag: 1_500 });
  });

  it("never reports negative rates (a restarted sink's lag drops)", () => {
    const sample = throughputSample({ at: 0, written: 10, lag: 900 }, { at: 1_000, written: 10, lag: 0 });
    expect(sample.inPerSecond).toBe(0);
    expect(sample.outPerSecond).toBe(0);
  });
});

describe("readiness", () => {
  it("is ready only with every child running and a passing probe", () => {
    const state = runningSupervisor();
    expect(readiness(state, { ok: true, at: 1 })).toEqual({ ready: true, reasons: [] });
    expect(readiness(state, undefined).reasons).toEqual(["Trino has not been probed yet"]);
    const degraded = reduce(state, {
      type: "child-degraded",
      child: "scheduler",
      reason: "Trino unreachable: x",
    });
    const crashed = reduce(degraded.state, { type: "child-crashed", child: "sink", error: "kafka", at: 5 });
    expect(readiness(crashed.state, { ok: false, at: 1, error: "refused" }).reasons).toEqual([
      "sink is restarting (kafka)",
      "scheduler is degraded (Trino unreachable: x)",
      "Trino probe failed: refused",
    ]);
  });
});

describe("status and alerts", () => {
  it("keeps each model's last build and the age of its last successful build", () => {
    const recorder = new ServeRecorder();
    recorder.recordBuild({ startedAt: 0, finishedAt: 10_000, status: "success", models: 2, errors: 0 }, [
      result("model.shop.fct_orders", "success", 3.456),
      result("model.shop.dim_users", "success", 1),
    ]);
    recorder.recordBuild({ startedAt: 60_000, finishedAt: 70_000, status: "error", models: 2, errors: 1 }, [
      result("model.shop.fct_orders", "error", 0.5),
      result("model.shop.dim_users", "success", 1.25),
    ]);
    recorder.probe = { ok: true, at: 70_000 };
    const status = statusSnapshot(runningSupervisor(), recorder, THRESHOLDS, 100_000);
    expect(status.models).toEqual([
      {
        uniqueId: "model.shop.dim_users",
        name: "marts.dim_users",
        status: "success",
        lastBuildAt: new Date(70_000).toISOString(),
        durationSeconds: 1.25,
        freshnessSeconds: 30,
      },
      {
        uniqueId: "model.shop.fct_orders",
        name: "marts.fct_orders",
        status: "error",
        lastBuildAt: new Date(70_000).toISOString(),
        durationSeconds: 0.5,
        freshnessSeconds: 90, // its data is still the first build's
      },
    ]);
    expect(status.builds.total).toBe(2);
    expect(status.builds.last).toMatchObject({ status: "error", durationSeconds: 10 });
    expect(status.ready).toBe(true);
    expect(status.alerts).toEqual([{ severity: "warning", message: "last build failed: 1 errors" }]);
    expect(status.builds.runningSeconds).toBeNull();
  });

  it("shows how long the build in progress has run, until it is recorded", () => {
    const recorder = new ServeRecorder();
    recorder.buildingSince = 40_000;
    expect(statusSnapshot(runningSupervisor(), recorder, THRESHOLDS, 100_000).builds.runningSeconds).toBe(60);
    recorder.recordBuild(
      { startedAt: 40_000, finishedAt: 100_000, status: "success", models: 0, errors: 0 },
      [],
    );
    expect(
      statusSnapshot(runningSupervisor(), recorder, THRESHOLDS, 100_000).builds.runningSeconds,
    ).toBeNull();
  });

  it("alerts on a crashed child, an unreachable Trino, stale data and high lag", () => {
    const recorder = new ServeRecorder();
    recorder.recordBuild({ startedAt: 0, finishedAt: 1_000, status: "success", models: 1, errors: 0 }, [
      result("model.shop.fct_orders", "success", 1),
    ]);
    recorder.probe = { ok: false, at: 1, error: "connection refused" };
    recorder.recordSinkReading({ at: 0, written: 0, lag: 0 });
    recorder.recordSinkReading({ at: 1_000, written: 0, lag: 5_000 });
    const crashed = reduce(runningSupervisor(), {
      type: "child-crashed",
      child: "sink",
      error: "boom",
      at: 1,
    });
    const messages = alertsOf(crashed.state, recorder, THRESHOLDS, 1_000 + 601_000).map(
      (a) => `${a.severity}: ${a.message}`,
    );
    expect(messages).toEqual([
      "critical: Trino unreachable: connection refused",
      "critical: sink crashed (restart 1): boom",
      "warning: marts.fct_orders is stale: data 601 s old",
      "warning: consumer lag 5000 messages",
    ]);
  });
});

describe("metrics", () => {
  it("exposes child, build, model and maintenance series beside another registry's", async () => {
    let state = runningSupervisor();
    const recorder = new ServeRecorder();
    const metrics = new ServeMetrics(
      () => state,
      recorder,
      () => 25_000,
    );
    recorder.recordBuild({ startedAt: 0, finishedAt: 5_000, status: "success", models: 1, errors: 0 }, [
      result("model.shop.fct_orders", "success", 2),
    ]);
    metrics.builds.inc({ status: "success" });
    metrics.buildDuration.observe(5);
    metrics.maintenanceRuns.inc({ status: "success" });
    state = reduce(state, { type: "child-crashed", child: "sink", error: "x", at: 1 }).state;
    const other = new ServeMetrics(() => state, new ServeRecorder());
    const text = await metricsText([metrics.registry, other.registry]);
    expect(text).toContain('floe_serve_child_up{child="sink"} 0');
    expect(text).toContain('floe_serve_child_up{child="scheduler"} 1');
    expect(text).toContain('floe_serve_child_restarts_total{child="sink"} 1');
    expect(text).toContain('floe_builds_total{status="success"} 1');
    expect(text).toContain("floe_build_duration_seconds_count 1");
    expect(text).toContain('floe_model_freshness_seconds{model="marts.fct_orders"} 20');
    expect(text).toContain('floe_model_last_build_timestamp_seconds{model="marts.fct_orders"} 5');
    expect(text).toContain('floe_maintenance_runs_total{status="success"} 1');
    // Scraping twice does not count a restart twice.
    expect(await metrics.registry.metrics()).toContain('floe_serve_child_restarts_total{child="sink"} 1');
  });
});
