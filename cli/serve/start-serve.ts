import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { listenOn } from "../../core/listen.js";
import type { AlertPublisher } from "../../ingest/alert-publisher.js";
import type { IngestApi } from "../../ingest/http/server.js";
import { SinkMetrics } from "../../ingest/sink/metrics.js";
import type { SinkEvent, SinkOptions } from "../../ingest/sink.js";
import type { TrinoConnection } from "../../trino/connection.js";
import type { ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import { apiChild, apiStatusOf, type ServeApiOptions } from "./api-child.js";
import { serveRoutes } from "./http-routes.js";
import { type JobContext, probeTrino, scheduledBuild, scheduledMaintenance } from "./jobs.js";
import { periodicChild } from "./periodic-child.js";
import { type ChildSpec, type Clock, SupervisorRuntime } from "./run-supervisor.js";
import { metricsText, ServeMetrics } from "./serve-metrics.js";
import {
  type AlertThresholds,
  readiness,
  ServeRecorder,
  type ServeStatus,
  statusSnapshot,
} from "./serve-status.js";
import { measuredMarts } from "./slo-marts.js";
import { registerSloMetrics } from "./slo-metrics.js";
import { type EventTimeSource, SloMonitor, type SloSettings, trinoEventTimes } from "./slo-monitor.js";
import type { BackoffPolicy, SupervisorEvent, SupervisorState } from "./supervisor.js";

/** The sink as serve runs it: `runSink`'s options without what serve decides (stop, metrics, events). */
export type ServeSinkOptions = Omit<
  SinkOptions,
  "signal" | "metrics" | "metricsPort" | "untilIdle" | "onEvent"
>;

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly project: ParsedProject;
  readonly selected: ReadonlySet<string>;
  /** The target's Trino: probes, builds and maintenance. */
  readonly connection: TrinoConnection;
  /** Maintenance's connection (a UTC session: retention cut-offs are UTC days); default `connection`. */
  readonly maintenanceConnection?: TrinoConnection;
  /** Where each build's node lines go. */
  readonly buildLogger: RunLogger;
  /** Absent: `--no-sink`. */
  readonly sink?: ServeSinkOptions;
  /** The ingestion API on its own port; absent: `--no-api`. */
  readonly api?: ServeApiOptions;
  /** Injected for tests (a fake API): default the real `startIngestApi`. */
  readonly startApi?: Parameters<typeof apiChild>[1]["start"];
  /** Absent: `--no-schedule`. */
  readonly buildEveryMs?: number;
  /** Absent: `--no-maintenance`. */
  readonly maintainEveryMs?: number;
  /** false (`--no-due`): every scheduled build builds everything, not only what is due. */
  readonly due?: boolean;
  /** Raw retention in each maintenance run; absent: `--no-raw`. */
  readonly rawRetention?: JobContext["rawRetention"];
  /** Raw compaction of closed partitions in each maintenance run, after retention; absent: `--no-raw`. */
  readonly rawCompaction?: JobContext["rawCompaction"];
  readonly probeEveryMs?: number;
  readonly thresholds?: AlertThresholds;
  readonly policy?: BackoffPolicy;
  readonly clock?: Clock;
  /** Children of later features (the ingestion API, the stream processor), supervised like the rest. */
  readonly extraChildren?: readonly ChildSpec[];
  /** Their HTTP routes on the same port: true when the route answered. */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Their Prometheus registries, served on /metrics with serve's own. */
  readonly extraMetrics?: readonly Registry[];
  /** One line per supervisor transition and sink warning. */
  readonly log: (line: string) => void;
  readonly onSinkEvent?: (event: SinkEvent) => void;
  /** The event→mart SLO on the models with `meta.slo`; absent: defaults, no Kafka alerts. */
  readonly slo?: {
    readonly settings?: SloSettings;
    /** Where burn-rate alerts go (the `alerts` topic); closed when serve stops. */
    readonly publisher?: AlertPublisher;
    /** Default: `maintenanceConnection` (a UTC session) through `trinoEventTimes`. */
    readonly source?: EventTimeSource;
  };
}

export interface ServeHandle {
  readonly url: string;
  readonly port: number;
  status(): ServeStatus;
  /** SIGTERM/SIGINT: the first drains and stops the children in order; a second exits at once (130). */
  signal(): void;
  /** Resolves with the exit code once every child stopped and the HTTP server closed. */
  readonly done: Promise<number>;
}

const DEFAULT_THRESHOLDS: AlertThresholds = { staleAfterSeconds: 600, maxLag: 100_000 };
const RETRY_BASE_MS = 5_000;

/**
 * `floe serve`'s programmatic API: the supervised children (sink, build scheduler, maintenance), the Trino
 * probe and the HTTP server, wired to one recorder. The CLI (cli/commands/serve.ts) adds flags and signals.
 */
export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const now = () => options.clock?.now() ?? Date.now();
  const recorder = new ServeRecorder();
  const sinkMetrics = new SinkMetrics();
  // Read at scrape time, after the supervisor below exists.
  const metrics = new ServeMetrics(() => supervisor.state, recorder, now);
  const baseContext: JobContext = {
    project: options.project,
    selected: options.selected,
    connection: options.connection,
    logger: options.buildLogger,
    recorder,
    metrics,
    ...(options.rawRetention ? { rawRetention: options.rawRetention } : {}),
    due: options.due !== false,
    ...(options.rawCompaction ? { rawCompaction: options.rawCompaction } : {}),
    now,
  };
  const marts = measuredMarts(options.project.manifest, options.selected);
  const slo =
    marts.length === 0
      ? undefined
      : new SloMonitor({
          marts,
          ...(options.slo?.settings ? { settings: options.slo.settings } : {}),
          source: options.slo?.source ?? trinoEventTimes(options.maintenanceConnection ?? options.connection),
          ...(options.slo?.publisher ? { publisher: options.slo.publisher } : {}),
          log: options.log,
          now,
        });
  if (slo) {
    registerSloMetrics(metrics.registry, slo);
    options.log(
      `serve: measuring event→mart latency on ${marts.map((m) => m.name).join(", ")} (SLO ${slo.settings.target * 100} % within ${slo.settings.thresholdSeconds} s)`,
    );
  }
  const context: JobContext = {
    ...baseContext,
    ...(slo ? { slo } : {}),
  };
  const probe = () => probeTrino(context);
  const children: ChildSpec[] = [];
  if (options.sink) children.push(sinkChild(options.sink, sinkMetrics, options));
  // The API's current instance (a restarted one is new): its status and metrics are read through it.
  let api: IngestApi | undefined;
  if (options.api) {
    children.push(
      apiChild(options.api, {
        log: options.log,
        onApi: (current) => {
          api = current;
        },
        ...(options.startApi ? { start: options.startApi } : {}),
      }),
    );
  }
  if (options.buildEveryMs !== undefined) {
    children.push(
      periodicChild({
        name: "scheduler",
        everyMs: options.buildEveryMs,
        retryBaseMs: Math.min(RETRY_BASE_MS, options.buildEveryMs),
        probe,
        job: (signal) => scheduledBuild(context, signal),
      }),
    );
  }
  if (options.maintainEveryMs !== undefined) {
    children.push(
      periodicChild({
        name: "maintenance",
        everyMs: options.maintainEveryMs,
        firstAfterMs: options.maintainEveryMs,
        retryBaseMs: Math.min(RETRY_BASE_MS * 12, options.maintainEveryMs),
        probe,
        job: (signal) =>
          scheduledMaintenance(
            { ...context, connection: options.maintenanceConnection ?? options.connection },
            signal,
          ),
      }),
    );
  }
  children.push(...(options.extraChildren ?? []));

  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const status = (): ServeStatus => ({
    ...withSlo(statusSnapshot(supervisor.state, recorder, thresholds, now()), slo),
    api: apiStatusOf(api),
  });
  const server = createServer(
    serveRoutes({
      status,
      readiness: () => readiness(supervisor.state, recorder.probe),
      metrics: () =>
        metricsText([
          metrics.registry,
          sinkMetrics.registry,
          ...(api ? [api.metrics.registry] : []),
          ...(options.extraMetrics ?? []),
        ]),
      ...(options.extraRoutes ? { extra: options.extraRoutes } : {}),
    }),
  );
  // Bound before any child starts: a taken port fails the command with nothing left running.
  const port = await listenOn(server, options.host, options.port, "SERVE_LISTEN");

  // Created in the same turn as the listen callback's continuation, so no request sees it uninitialised.
  const supervisor = new SupervisorRuntime(children, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    onTransition: (event, state) => options.log(describeTransition(event, state)),
  });
  // Readiness needs a recent probe even with --no-schedule; the sink's counters become throughput samples.
  void probe();
  const probing = setInterval(() => void probe(), options.probeEveryMs ?? 10_000);
  const sampling = setInterval(() => void sampleSink(sinkMetrics, recorder, now()), 2_000);
  // Burn windows slide without builds: a rule resolves (or fires on a short window) between them too.
  const burning = slo ? setInterval(() => void slo.evaluate(), 15_000) : undefined;

  const done = supervisor.done.then(async (code) => {
    clearInterval(probing);
    clearInterval(sampling);
    clearInterval(burning);
    await options.slo?.publisher?.close().catch(() => {});
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return code;
  });
  return {
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    port,
    status,
    signal: () => supervisor.signal(),
    done,
  };
}

function sinkChild(sink: ServeSinkOptions, metrics: SinkMetrics, options: ServeOptions): ChildSpec {
  return {
    name: "sink",
    async run({ signal, running }) {
      const { runSink } = await import("../../ingest/sink.js");
      await runSink({
        ...sink,
        metrics,
        metricsPort: null,
        signal,
        onEvent: (event) => {
          if (event.kind === "started") running();
          else if (event.kind === "warning" || event.kind === "paused") {
            options.log(`sink ${event.kind}: ${"message" in event ? event.message : event.error}`);
          }
          options.onSinkEvent?.(event);
        },
      });
    },
  };
}

async function sampleSink(metrics: SinkMetrics, recorder: ServeRecorder, at: number): Promise<void> {
  const [records, lag, active] = await Promise.all([
    metrics.records.get(),
    metrics.lag.get(),
    metrics.activeRecords.get(),
  ]);
  const sum = (values: readonly { value: number }[]) => values.reduce((n, v) => n + v.value, 0);
  // The lag gauge counts from the sink's read position; rows it holds in open files are not durable yet, so
  // they count as lag here too: otherwise "in" moved only when a file was written (0, then a minute's worth).
  recorder.recordSinkReading({ at, written: sum(records.values), lag: sum(lag.values) + sum(active.values) });
}

/** The status with the SLO's figures, and its firing burn-rate alerts among the alerts. */
function withSlo(base: ServeStatus, slo: SloMonitor | undefined): ServeStatus {
  if (!slo) return base;
  const burning = slo.firingAlerts().map((a) => ({
    severity: a.severity === "critical" ? ("critical" as const) : ("warning" as const),
    message: a.summary,
  }));
  return { ...base, alerts: [...base.alerts, ...burning], slo: slo.status() };
}

/** A supervisor log line: what happened and the child's state after it. */
export function describeTransition(
  event: SupervisorEvent | { type: "init" },
  state: SupervisorState,
): string {
  if (event.type === "init")
    return `serve: starting ${state.children.map((c) => c.name).join(", ") || "no children"}`;
  if (event.type === "signal")
    return `serve: ${state.phase === "stopped" ? "second signal, exiting now" : "stopping"}`;
  if (event.type === "tick") return "serve: tick";
  const child = state.children.find((c) => c.name === event.child);
  const detail =
    event.type === "child-crashed" && child?.state === "restarting"
      ? `crashed: ${event.error}; restart ${child.restarts} in ${((child.restartAt ?? event.at) - event.at) / 1000} s`
      : event.type === "child-crashed"
        ? `crashed while stopping: ${event.error}`
        : event.type === "child-degraded"
          ? `degraded: ${event.reason}`
          : (child?.state ?? "");
  return `serve: ${event.child} ${detail}`;
}
