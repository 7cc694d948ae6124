import type { NodeResult } from "../log/events.js";
import type { SloStatus } from "./slo-monitor.js";
import type { ChildStatus, SupervisorState } from "./supervisor.js";

/**
 * What `floe serve` remembers while it runs (builds, per-model results, maintenance runs, throughput
 * samples, the last Trino probe) and the pure shaping of it into `/api/status`, `/readyz` and the alerts.
 */

export interface ModelBuild {
  readonly uniqueId: string;
  readonly name: string;
  readonly status: string;
  /** Epoch ms when the model's last build finished. */
  readonly lastBuildAt: number;
  readonly durationSeconds: number;
  /** Epoch ms of its last successful build: the age of the data in it. */
  readonly lastSuccessAt?: number;
}

export interface BuildRecord {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly status: "success" | "error" | "cancelled";
  readonly models: number;
  readonly errors: number;
  readonly error?: string;
}

export interface MaintenanceRecord {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly status: "success" | "error";
  readonly tables: number;
  readonly failed: number;
  readonly filesBefore: number;
  readonly filesAfter: number;
  /** Raw partitions past the raw retention, unregistered and deleted. */
  readonly rawPartitionsDeleted: number;
  readonly error?: string;
}

export interface ThroughputSample {
  readonly at: number;
  readonly inPerSecond: number;
  readonly outPerSecond: number;
  readonly lag: number;
}

/** Cumulative sink counters at one moment: two of them make a throughput sample. */
export interface SinkReading {
  readonly at: number;
  /** Rows written to durable raw files so far. */
  readonly written: number;
  /** Messages between the log end and durable raw files (consumer lag + records held in open files). */
  readonly lag: number;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly at: number;
  readonly error?: string;
}

const HISTORY = 50;
/** Five minutes of samples at the dashboard's 2 s poll. */
const SAMPLES = 150;

export class ServeRecorder {
  readonly models = new Map<string, ModelBuild>();
  readonly builds: BuildRecord[] = [];
  readonly maintenance: MaintenanceRecord[] = [];
  readonly samples: ThroughputSample[] = [];
  probe: ProbeResult | undefined;
  /** Builds since start (`builds` keeps only the last ones). */
  buildsTotal = 0;
  /** Epoch ms the build in progress started; undefined between builds (recording a build clears it). */
  buildingSince: number | undefined;
  #lastReading: SinkReading | undefined;

  recordBuild(record: BuildRecord, results: readonly NodeResult[]): void {
    this.buildingSince = undefined;
    push(this.builds, record, HISTORY);
    this.buildsTotal++;
    for (const result of results) {
      if (
        result.resourceType !== "model" &&
        result.resourceType !== "seed" &&
        result.resourceType !== "snapshot"
      )
        continue;
      if (result.status === "skipped") continue;
      const previous = this.models.get(result.uniqueId);
      const ok = result.status === "success";
      const lastSuccessAt = ok ? record.finishedAt : previous?.lastSuccessAt;
      this.models.set(result.uniqueId, {
        uniqueId: result.uniqueId,
        name: result.displayName,
        status: result.status,
        lastBuildAt: record.finishedAt,
        durationSeconds: result.executionTime,
        ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }),
      });
    }
  }

  recordMaintenance(record: MaintenanceRecord): void {
    push(this.maintenance, record, HISTORY);
  }

  recordSinkReading(reading: SinkReading): void {
    if (this.#lastReading) push(this.samples, throughputSample(this.#lastReading, reading), SAMPLES);
    this.#lastReading = reading;
  }
}

/**
 * Events out = rows made durable per second; events in = what reached Kafka per second, read as the growth
 * of (written + lag): the log end moves by what was published, whether the sink kept up or not. Rows
 * buffered but not yet durable count as lag, so both rates are per-file steps, smoothed by the window.
 */
export function throughputSample(previous: SinkReading, next: SinkReading): ThroughputSample {
  const seconds = Math.max((next.at - previous.at) / 1000, 0.001);
  const out = Math.max(next.written - previous.written, 0) / seconds;
  const arrived = next.written + next.lag - (previous.written + previous.lag);
  return { at: next.at, inPerSecond: Math.max(arrived, 0) / seconds, outPerSecond: out, lag: next.lag };
}

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** 200 only when every enabled child runs (not degraded, not restarting) and the last Trino probe passed. */
export function readiness(supervisor: SupervisorState, probe: ProbeResult | undefined): Readiness {
  const reasons: string[] = [];
  if (supervisor.phase !== "running") reasons.push(`serve is ${supervisor.phase}`);
  for (const child of supervisor.children) {
    if (child.state !== "running") reasons.push(`${child.name} is ${child.state}${childWhy(child)}`);
  }
  if (!probe) reasons.push("Trino has not been probed yet");
  else if (!probe.ok) reasons.push(`Trino probe failed: ${probe.error ?? "unknown error"}`);
  return { ready: reasons.length === 0, reasons };
}

function childWhy(child: ChildStatus): string {
  const why = child.state === "degraded" ? child.degradedReason : child.lastError;
  return why ? ` (${why})` : "";
}

export interface Alert {
  readonly severity: "critical" | "warning";
  readonly message: string;
}

export interface AlertThresholds {
  /** A model whose data is older than this is stale. */
  readonly staleAfterSeconds: number;
  /** Consumer lag above this many messages. */
  readonly maxLag: number;
}

export function alertsOf(
  supervisor: SupervisorState,
  recorder: Pick<ServeRecorder, "probe" | "builds" | "models" | "samples" | "maintenance">,
  thresholds: AlertThresholds,
  now: number,
): Alert[] {
  const alerts: Alert[] = [];
  if (recorder.probe && !recorder.probe.ok) {
    alerts.push({ severity: "critical", message: `Trino unreachable: ${recorder.probe.error ?? ""}`.trim() });
  }
  for (const child of supervisor.children) {
    if (child.state === "restarting") {
      alerts.push({
        severity: "critical",
        message: `${child.name} crashed (restart ${child.restarts}): ${child.lastError ?? "unknown error"}`,
      });
    } else if (child.state === "degraded") {
      alerts.push({
        severity: "warning",
        message: `${child.name} degraded: ${child.degradedReason ?? ""}`.trim(),
      });
    }
  }
  const lastBuild = recorder.builds.at(-1);
  if (lastBuild?.status === "error") {
    alerts.push({
      severity: "warning",
      message: `last build failed: ${lastBuild.error ?? `${lastBuild.errors} errors`}`,
    });
  }
  for (const model of recorder.models.values()) {
    const age = model.lastSuccessAt === undefined ? undefined : (now - model.lastSuccessAt) / 1000;
    if (age !== undefined && age > thresholds.staleAfterSeconds) {
      alerts.push({ severity: "warning", message: `${model.name} is stale: data ${Math.round(age)} s old` });
    }
  }
  const lag = recorder.samples.at(-1)?.lag ?? 0;
  if (lag > thresholds.maxLag) alerts.push({ severity: "warning", message: `consumer lag ${lag} messages` });
  const lastMaintenance = recorder.maintenance.at(-1);
  if (lastMaintenance?.status === "error") {
    alerts.push({
      severity: "warning",
      message: `last maintenance failed: ${lastMaintenance.error ?? ""}`.trim(),
    });
  }
  return alerts;
}

export interface ServeStatus {
  readonly now: string;
  readonly phase: SupervisorState["phase"];
  readonly ready: boolean;
  readonly notReady: readonly string[];
  readonly children: readonly {
    readonly name: string;
    readonly state: string;
    readonly restarts: number;
    readonly lastError: string | null;
    readonly degradedReason: string | null;
  }[];
  readonly trino: { readonly ok: boolean; readonly at: string; readonly error: string | null } | null;
  readonly throughput: {
    readonly inPerSecond: number;
    readonly outPerSecond: number;
    readonly lag: number;
    /** Oldest first: [epoch seconds, in/s, out/s, lag]. */
    readonly series: readonly (readonly [number, number, number, number])[];
  };
  readonly models: readonly {
    readonly uniqueId: string;
    readonly name: string;
    readonly status: string;
    readonly lastBuildAt: string;
    readonly durationSeconds: number;
    readonly freshnessSeconds: number | null;
  }[];
  readonly builds: {
    readonly total: number;
    /** Seconds the build in progress has run; null between builds. */
    readonly runningSeconds: number | null;
    readonly last: (BuildRecord & { readonly durationSeconds: number }) | null;
    readonly recent: readonly {
      readonly at: string;
      readonly status: string;
      readonly durationSeconds: number;
    }[];
  };
  readonly maintenance: readonly {
    readonly at: string;
    readonly status: string;
    readonly tables: number;
    readonly failed: number;
    readonly filesBefore: number;
    readonly filesAfter: number;
    readonly rawPartitionsDeleted: number;
    readonly durationSeconds: number;
    readonly error: string | null;
  }[];
  readonly alerts: readonly Alert[];
  /** The event→mart SLO (start-serve.ts adds it when a mart is measured). */
  readonly slo?: SloStatus;
  /** The ingestion API while it runs (null: not running or `--no-api`); start-serve.ts adds it. */
  readonly api?: { readonly url: string; readonly pending: number } | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** `/api/status`: the recorder and the supervisor as JSON for the dashboard and scripts. */
export function statusSnapshot(
  supervisor: SupervisorState,
  recorder: ServeRecorder,
  thresholds: AlertThresholds,
  now: number,
): ServeStatus {
  const ready = readiness(supervisor, recorder.probe);
  const latest = recorder.samples.at(-1);
  const last = recorder.builds.at(-1);
  return {
    now: iso(now),
    phase: supervisor.phase,
    ready: ready.ready,
    notReady: ready.reasons,
    children: supervisor.children.map((c) => ({
      name: c.name,
      state: c.state,
      restarts: c.restarts,
      lastError: c.lastError ?? null,
      degradedReason: c.degradedReason ?? null,
    })),
    trino: recorder.probe
      ? { ok: recorder.probe.ok, at: iso(recorder.probe.at), error: recorder.probe.error ?? null }
      : null,
    throughput: {
      inPerSecond: round(latest?.inPerSecond ?? 0, 1),
      outPerSecond: round(latest?.outPerSecond ?? 0, 1),
      lag: latest?.lag ?? 0,
      series: recorder.samples.map((s) => [
        Math.round(s.at / 1000),
        round(s.inPerSecond, 1),
        round(s.outPerSecond, 1),
        s.lag,
      ]),
    },
    models: [...recorder.models.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({
        uniqueId: m.uniqueId,
        name: m.name,
        status: m.status,
        lastBuildAt: iso(m.lastBuildAt),
        durationSeconds: round(m.durationSeconds),
        freshnessSeconds: m.lastSuccessAt === undefined ? null : round((now - m.lastSuccessAt) / 1000, 0),
      })),
    builds: {
      total: recorder.buildsTotal,
      runningSeconds:
        recorder.buildingSince === undefined ? null : round((now - recorder.buildingSince) / 1000, 0),
      last: last ? { ...last, durationSeconds: round((last.finishedAt - last.startedAt) / 1000) } : null,
      recent: recorder.builds.slice(-20).map((b) => ({
        at: iso(b.finishedAt),
        status: b.status,
        durationSeconds: round((b.finishedAt - b.startedAt) / 1000),
      })),
    },
    maintenance: recorder.maintenance
      .slice(-20)
      .reverse()
      .map((m) => ({
        at: iso(m.finishedAt),
        status: m.status,
        tables: m.tables,
        failed: m.failed,
        filesBefore: m.filesBefore,
        filesAfter: m.filesAfter,
        rawPartitionsDeleted: m.rawPartitionsDeleted,
        durationSeconds: round((m.finishedAt - m.startedAt) / 1000),
        error: m.error ?? null,
      })),
    alerts: alertsOf(supervisor, recorder, thresholds, now),
  };
}

function push<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}
