import { z } from "zod";
import { DURATION as CALENDAR_DURATION } from "../../core/duration.js";
import { SINK_DEFAULTS } from "../../ingest/sink/defaults.js";
import {
  addProjectFlags,
  addSelectionFlags,
  type ProjectFlags,
  type SelectionFlags,
} from "./common-flags.js";
import { DURATION, PORT, parseFlags, readFlag } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";
import { RAW_RETENTION_DEFAULT } from "./maintain.js";
import { SLO_DEFAULTS, sloFlags, sloSettingsFromFlags } from "./serve-slo-flags.js";

export const SERVE_DEFAULTS = {
  host: "127.0.0.1",
  port: "8585",
  apiPort: "8686",
  buildEvery: "60s",
  maintainEvery: "1h",
} as const;

const serveFlags = z.object({
  host: z.string().min(1).default(SERVE_DEFAULTS.host),
  port: z.string().default(SERVE_DEFAULTS.port),
  sink: z.boolean().default(true),
  schedule: z.boolean().default(true),
  maintenance: z.boolean().default(true),
  stream: z.boolean().default(true),
  api: z.boolean().default(true),
  apiHost: z.string().min(1).optional(),
  apiPort: z.string().default(SERVE_DEFAULTS.apiPort),
  apiKeysFile: z.string().min(1).default(".floe/api-keys.json"),
  apiSpoolDir: z.string().min(1).default(".floe/api-spool"),
  buildEvery: z.string().default(SERVE_DEFAULTS.buildEvery),
  maintainEvery: z.string().default(SERVE_DEFAULTS.maintainEvery),
  raw: z.boolean().default(true),
  due: z.boolean().default(true),
  rawRetention: z
    .string()
    .regex(CALENDAR_DURATION, "a duration like 180d or 26w")
    .default(RAW_RETENTION_DEFAULT),
  topics: z.array(z.string().min(1)).optional(),
  topicPrefix: z.string().default(""),
  dlqTopic: z.string().optional(),
  prefix: z.string().default(SINK_DEFAULTS.prefix),
  group: z.string().min(1).default(SINK_DEFAULTS.groupId),
  schema: z.string().min(1).default(SINK_DEFAULTS.hiveSchema),
  flushInterval: z.string().default(`${SINK_DEFAULTS.flushIntervalMs / 1000}s`),
  ...sloFlags,
  redisUrl: z.string().optional(),
});

/**
 * `floe serve`: the sink, the build scheduler, maintenance and the ingestion API (on --api-port, 8686) under
 * one supervisor (cli/serve/), with `/`, `/healthz`, `/readyz`, `/metrics` and `/api/status` on --host:--port. SIGTERM/SIGINT drains and
 * stops (exit 0); a second signal exits at once (130).
 */
export function registerServeCommand(program: FloeCommand): void {
  const { io } = program;
  addSelectionFlags(
    addProjectFlags(
      program
        .command("serve")
        .description(
          "run continuously: the sink, scheduled builds, maintenance and the ingestion API, supervised, with a live dashboard, /healthz, /readyz, /metrics and /api/status",
        ),
    ),
  )
    .option("--host <host>", "address to listen on (0.0.0.0 to expose)", SERVE_DEFAULTS.host)
    .option("--port <port>", "HTTP port (0 picks a free port)", SERVE_DEFAULTS.port)
    .option("--no-sink", "do not run the Kafka → S3 sink")
    .option("--no-schedule", "do not build on a schedule")
    .option("--no-maintenance", "do not run floe maintain on a schedule")
    .option("--no-stream", "do not run the real-time processor (floe stream)")
    .option("--no-api", "do not serve the ingestion API")
    .option("--api-host <host>", "address the ingestion API listens on (default: --host)")
    .option("--api-port <port>", "the ingestion API's port (0 picks a free port)", SERVE_DEFAULTS.apiPort)
    .option(
      "--api-keys-file <file>",
      "API keys of the ingestion API and the query API (one key store)",
      ".floe/api-keys.json",
    )
    .option("--api-spool-dir <dir>", "the ingestion API's durable spool", ".floe/api-spool")
    .option(
      "--build-every <duration>",
      "time between the end of one build and the next",
      SERVE_DEFAULTS.buildEvery,
    )
    .option(
      "--no-due",
      "build everything on every scheduled build (default: only what is due and whose upstream changed, as floe build --due)",
    )
    .option("--maintain-every <duration>", "time between maintenance runs", SERVE_DEFAULTS.maintainEvery)
    .option(
      "--raw-retention <duration>",
      "maintenance deletes raw partitions whose event_date is older than this",
      RAW_RETENTION_DEFAULT,
    )
    .option("--no-raw", "maintenance leaves the raw layer alone")
    .option(
      "--topics <topics...>",
      "topics the sink consumes (default: user-events product-metadata orders, and db.<table> once they exist)",
    )
    .option("--topic-prefix <prefix>", "prefix of the default topic names and of the DLQ topic", "")
    .option("--dlq-topic <topic>", "dead-letter topic (default: <topic-prefix>dlq)")
    .option("--prefix <prefix>", "object key prefix of the raw area", SINK_DEFAULTS.prefix)
    .option("--group <id>", "the sink's consumer group", SINK_DEFAULTS.groupId)
    .option("--schema <name>", "Hive schema of the raw tables", SINK_DEFAULTS.hiveSchema)
    .option(
      "--flush-interval <duration>",
      "the sink rolls a file after this age",
      `${SINK_DEFAULTS.flushIntervalMs / 1000}s`,
    )
    .option(
      "--slo-target <percent>",
      "share of events that must reach their mart in time",
      SLO_DEFAULTS.target,
    )
    .option("--slo-latency <duration>", "the SLO's event→mart latency threshold", SLO_DEFAULTS.latency)
    .option("--slo-window <duration>", "window of SLO compliance and the error budget", SLO_DEFAULTS.window)
    .option(
      "--slo-burn-scale <n>",
      "divide the burn alerts' windows (1h/5m, 6h/30m, 3d/6h) by n",
      SLO_DEFAULTS.burnScale,
    )
    .option(
      "--alerts-topic <topic>",
      "Kafka topic of the alerts (SLO burn, sink paused)",
      SLO_DEFAULTS.alertsTopic,
    )
    .option(
      "--redis-url <url>",
      "the real-time view's Redis (default $FLOE_REDIS_URL or redis://127.0.0.1:6380)",
    )
    .handle(async (raw: ProjectFlags & SelectionFlags & Record<string, unknown>) => {
      const flags = parseFlags(serveFlags, raw, "serve");
      const port = readFlag("--port", flags.port, PORT);
      const apiPort = readFlag("--api-port", flags.apiPort, PORT);
      const buildEveryMs = readFlag("--build-every", flags.buildEvery, DURATION);
      const maintainEveryMs = readFlag("--maintain-every", flags.maintainEvery, DURATION);
      const flushIntervalMs = readFlag("--flush-interval", flags.flushInterval, DURATION);
      const sloSettings = sloSettingsFromFlags(flags);
      const { loadRunProject } = await import("./run-action.js");
      const { selectFromFlags } = await import("./common-flags.js");
      const { connectTarget } = await import("../runner/connect.js");
      const { startServe } = await import("../serve/start-serve.js");
      const { textLogger } = await import("../log/text-logger.js");
      const { jsonLogger } = await import("../log/json-logger.js");
      const { quietLogger } = await import("../log/quiet-logger.js");
      const { useColour } = await import("../log/colour.js");

      const project = loadRunProject(raw, io);
      const selected = selectFromFlags(project, project.root, raw);
      const logger =
        raw.logFormat === "json" ? jsonLogger(io.stdout) : textLogger(io.stdout, { colour: useColour(io) });
      const { TOPIC_KINDS } = await import("../../ingest/contracts.js");
      const { defaultTopicNames, topicName } = await import("../../ingest/producer.js");
      const { endpointsFromEnv, kafkaClient, s3Client, trinoFromEnv } = await import(
        "../../ingest/endpoints.js"
      );
      const endpoints = endpointsFromEnv(io.env);
      const { kafkaAlertPublisher } = await import("../../ingest/alert-publisher.js");
      const topics =
        flags.topics ?? TOPIC_KINDS.map((kind) => topicName({ prefix: flags.topicPrefix }, kind));
      // Without --topics the sink also lands the shop database's CDC topics once Debezium creates them.
      const { shopCdcTopics } = await import("../../ingest/cdc/cdc-topics.js");
      const sink = flags.sink
        ? {
            topics,
            optionalTopics: flags.topics ? [] : shopCdcTopics(flags.topicPrefix),
            dlqTopic: flags.dlqTopic ?? defaultTopicNames(flags.topicPrefix).dlq,
            alertsTopic: flags.alertsTopic,
            prefix: flags.prefix,
            groupId: flags.group,
            hiveSchema: flags.schema,
            flushIntervalMs,
            endpoints,
            trino: trinoFromEnv(io.env),
          }
        : undefined;
      const maintenanceConnection = connectTarget(project.target, { timeZone: "UTC" });
      let rawRetention: Parameters<typeof startServe>[0]["rawRetention"];
      let rawCompaction: Parameters<typeof startServe>[0]["rawCompaction"];
      if (flags.maintenance && flags.raw) {
        const { s3RawObjectStore } = await import("../../ingest/raw-retention.js");
        const { DEFAULT_RAW_TARGET } = await import("../../ingest/raw-tables.js");
        const { durationSeconds } = await import("../../core/duration.js");
        rawRetention = {
          target: {
            ...DEFAULT_RAW_TARGET,
            bucket: endpoints.bucket,
            prefix: flags.prefix,
            schema: flags.schema,
          },
          topics,
          retentionSeconds: durationSeconds(flags.rawRetention) ?? 0,
          store: s3RawObjectStore(s3Client(endpoints), endpoints.bucket),
          trino: maintenanceConnection,
        };
        const { kafkaCommittedOffsets, s3CompactionStore } = await import("../../ingest/raw-compaction.js");
        const { kafkaClient } = await import("../../ingest/endpoints.js");
        rawCompaction = {
          target: rawRetention.target,
          topics,
          store: s3CompactionStore(s3Client(endpoints), endpoints.bucket),
          // A Kafka admin per maintenance run's look-up: serve holds no connection between runs.
          committed: async (topic) => {
            const admin = kafkaClient(endpoints, "floe-serve-maintenance").admin();
            await admin.connect();
            try {
              return await kafkaCommittedOffsets(admin, flags.group)(topic);
            } finally {
              await admin.disconnect();
            }
          },
        };
      }
      const { jsonLine } = await import("../log/json-line.js");
      // Serve's own lines (children's transitions, sink warnings) follow --log-format like every other line.
      const log =
        raw.logFormat === "json"
          ? (line: string) => io.stderr(jsonLine("info", { event: "serve", msg: line }))
          : (line: string) => io.stderr(`${line}\n`);
      const realtime = await realtimeWiring(flags, project, endpoints, io, log);
      let api: Parameters<typeof startServe>[0]["api"];
      if (flags.api) {
        const { resolve } = await import("node:path");
        const { readKeys } = await import("../../ingest/http/api-keys.js");
        const keysFile = resolve(io.cwd, flags.apiKeysFile);
        if (!readKeys(keysFile).some((k) => !k.revokedAt)) {
          log(
            `serve: warning: no active API key in ${keysFile}: every POST /v1/events gets 401 until one is ` +
              "created (floe ingest api-keys create --name <name>; the running API picks it up within a second)",
          );
        }
        api = {
          host: flags.apiHost ?? flags.host,
          port: apiPort,
          topicPrefix: flags.topicPrefix,
          keysFile,
          spoolDir: resolve(io.cwd, flags.apiSpoolDir),
          endpoints,
        };
      }
      const handle = await startServe({
        host: flags.host,
        port,
        project,
        selected,
        connection: connectTarget(project.target),
        maintenanceConnection,
        buildLogger: raw.quiet ? quietLogger(logger) : logger,
        ...(sink ? { sink } : {}),
        ...(api ? { api } : {}),
        ...(flags.schedule ? { buildEveryMs } : {}),
        due: flags.due,
        ...(flags.maintenance ? { maintainEveryMs } : {}),
        ...(rawRetention ? { rawRetention } : {}),
        slo: {
          settings: sloSettings,
          publisher: kafkaAlertPublisher(kafkaClient(endpoints, "floe-serve-alerts"), flags.alertsTopic),
        },
        ...realtime.serve,
        ...(rawCompaction ? { rawCompaction } : {}),
        log,
      });
      void handle.done.then(realtime.close);
      const listening = `floe serve on ${handle.url} (dashboard /, /healthz, /readyz, /metrics, /api/status)`;
      io.stdout(
        raw.logFormat === "json"
          ? jsonLine("info", { event: "serve.listening", msg: listening, url: handle.url })
          : `${listening}\n`,
      );
      // The first SIGTERM/SIGINT drains and stops; a second one means "now", even after the children have
      // stopped (Kafka and Trino sockets may still hold the process open for a moment). The listeners stay for
      // the life of the process: serve is the process.
      let signals = 0;
      const onSignal = () => {
        signals++;
        if (signals === 1) handle.signal();
        else process.exit(130);
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
      return await handle.done;
    });
}

/** `floe stream` as a child (unless --no-stream) and the query API's routes and metrics on serve's port. */
async function realtimeWiring(
  flags: z.infer<typeof serveFlags>,
  project: import("../compile/compile.js").ParsedProject,
  endpoints: import("../../ingest/endpoints.js").Endpoints,
  io: FloeCommand["io"],
  log: (line: string) => void,
) {
  const { resolve } = await import("node:path");
  const { streamChild, queryApiRoutes, StreamMetrics } = await import("../serve/stream-child.js");
  const { redisUrlFromEnv } = await import("../../ingest/stream/redis-store.js");
  const { relationOf } = await import("../manifest/manifest.js");
  const { quoteRelation } = await import("../../trino/dialect.js");
  const { connectTarget } = await import("../runner/connect.js");
  const { checkRedisUrl } = await import("../../ingest/stream/defaults.js");
  const redisUrl =
    flags.redisUrl !== undefined ? checkRedisUrl("--redis-url", flags.redisUrl) : redisUrlFromEnv(io.env);
  const metrics = new StreamMetrics();
  // Older windows come from the project's minute mart, when the project has one.
  const minute = Object.values(project.manifest.nodes).find((n) => n.name === "metrics_by_minute");
  const relation = relationOf(minute);
  const query = queryApiRoutes({
    redisUrl,
    keyPrefix: "",
    keysFile: resolve(io.cwd, flags.apiKeysFile),
    ...(relation
      ? {
          mart: {
            connection: connectTarget(project.target, { timeZone: "UTC" }),
            relation: quoteRelation(relation),
          },
        }
      : {}),
  });
  const children = flags.stream
    ? [
        streamChild(
          {
            redisUrl,
            endpoints,
            eventTopics: new Map([
              [`${flags.topicPrefix}user-events`, "user-events" as const],
              [`${flags.topicPrefix}orders`, "orders" as const],
            ]),
          },
          metrics,
          log,
        ),
      ]
    : [];
  return {
    serve: { extraChildren: children, extraRoutes: query.routes, extraMetrics: [metrics.registry] },
    close: () => query.close(),
  };
}
