import { Option } from "commander";
import { z } from "zod";
import { SINK_DEFAULTS } from "../../ingest/sink/defaults.js";
import { DURATION, flagParser, oneOf, parseFlags, readFlag } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";
import { registerIngestApiCommands } from "./ingest-api.js";
import { generateFlags } from "./ingest-flags.js";
import { registerIngestLoad } from "./ingest-load.js";
import { sinkLog } from "./sink-log.js";

const num = z.coerce.number();

/** The sink's defaults (ingest/sink/defaults.ts) as the flags' help text shows them. */
const sinkDefault = {
  bucket: SINK_DEFAULTS.bucket,
  prefix: SINK_DEFAULTS.prefix,
  group: SINK_DEFAULTS.groupId,
  flushRecords: String(SINK_DEFAULTS.flushRecords),
  flushInterval: `${SINK_DEFAULTS.flushIntervalMs / 1000}s`,
  metricsPort: String(SINK_DEFAULTS.metricsPort),
  schema: SINK_DEFAULTS.hiveSchema,
};

const sinkFlags = z.object({
  topics: z.array(z.string().min(1)).optional(),
  topicPrefix: z.string().default(""),
  dlqTopic: z.string().optional(),
  bucket: z.string().min(1).optional(),
  prefix: z.string().default(SINK_DEFAULTS.prefix),
  group: z.string().min(1).default(SINK_DEFAULTS.groupId),
  flushRecords: num.int().positive().default(SINK_DEFAULTS.flushRecords),
  flushInterval: z.string().default(sinkDefault.flushInterval),
  untilIdle: z.boolean().default(false),
  metricsPort: num.int().min(0).max(65_535).default(SINK_DEFAULTS.metricsPort),
  metricsHost: z.string().min(1).default(SINK_DEFAULTS.metricsHost),
  logFormat: z.enum(["text", "json"]).default("text"),
  register: z.boolean().default(true),
  schema: z.string().min(1).default(SINK_DEFAULTS.hiveSchema),
  cdc: z.boolean().default(true),
  alertsTopic: z.string().min(1).default("alerts"),
  verbose: z.boolean().default(false),
});

// The ingest modules (kafkajs, the AWS SDK, DuckDB) are imported inside the actions: loading them takes
// about 0.4 s, which every other command (`floe compile` above all) would otherwise pay at start-up.
async function defaultTopics(prefix: string): Promise<string[]> {
  const { TOPIC_KINDS } = await import("../../ingest/contracts.js");
  const { topicName } = await import("../../ingest/producer.js");
  return TOPIC_KINDS.map((kind) => topicName({ prefix }, kind));
}

/**
 * The shop database's Debezium topics, consumed by default once they exist: Debezium creates each at its
 * table's first change, and a sink started before (or without) it must neither fail nor wait for them.
 * With `--topics`, only the topics listed are consumed.
 */
async function defaultCdcTopics(prefix: string, cdc: boolean, explicit: boolean): Promise<string[]> {
  if (!cdc || explicit) return [];
  return (await import("../../ingest/cdc/cdc-topics.js")).shopCdcTopics(prefix);
}

export function registerIngestCommands(program: FloeCommand): void {
  const { io } = program;
  const ingest = program
    .command("ingest")
    .description("event contracts, the shop generator and the Kafka → S3 sink");

  ingest
    .command("generate")
    .description("publish a deterministic synthetic shop to Kafka (user-events, product-metadata, orders)")
    .option("--events <n>", "messages to publish (with --realtime, --duration may set it instead)")
    .option("--rate <r>", "events per second (default: as fast as possible)")
    .option("--realtime", "stamp each event with the time it is published (needs --rate; not resumable)")
    .option("--duration <d>", "with --realtime: publish for this long (e.g. 15m, 2h) instead of --events")
    .option("--burst-rate <r>", "events per second during bursts (with --rate)")
    .option("--burst-every <d>", "a burst starts this often (e.g. 5m)", "5m")
    .option("--burst-for <d>", "and lasts this long (e.g. 30s)", "30s")
    .option("--seed <s>", "random seed", "42")
    .option("--duplicates <p>", "probability a message re-sends a recent event", "0")
    .option("--malformed <p>", "probability a message is malformed (bypasses the contract)", "0")
    .option("--late <p>", "probability an event is published late", "0")
    .option("--v3-share <p>", "share of sessions whose user-events are schema_version 3 (with page_url)", "0")
    .option("--topic-prefix <prefix>", "prefix for topic names (e.g. dev1-)", "")
    .option("--partitions <n>", "partitions for topics it creates", "3")
    .option("--start <iso>", "first simulated instant (default: midnight UTC two days ago)")
    .option("--days <d>", "simulated days the events spread over", "3")
    .option("--ledger <file.json>", "write the generator's ledger (what it published) to this file")
    .option("--resume", "continue the interrupted run recorded in the checkpoint, without duplicates")
    .option(
      "--checkpoint <file.json>",
      "the run's progress file (default: .floe/generate-<topic-prefix>checkpoint.json)",
    )
    .option(
      "--shop-db [url]",
      "also write the shop into its PostgreSQL database (default URL: FLOE_SHOP_DB_URL, else the stack's on 5433)",
    )
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(generateFlags, raw, "ingest generate");
      // The producer checks events against the contract, whose event-time bounds come from FLOE_EVENT_*.
      (await import("../../ingest/event-time.js")).configuredEventTimeBounds();
      const { generate } = await import("./ingest-generate.js");
      return generate(flags, io);
    });

  ingest
    .command("sink")
    .description("consume the topics and write raw Parquet files to S3, exactly once per offset")
    .option(
      "--topics <topics...>",
      "topics to consume (default: user-events product-metadata orders, and the CDC topics db.<table> once they exist)",
    )
    .option("--topic-prefix <prefix>", "prefix of the default topic names and of the DLQ topic", "")
    .option("--no-cdc", "leave out the shop database's CDC topics (db.users, db.products, … from Debezium)")
    .option("--dlq-topic <topic>", "dead-letter topic (default: <topic-prefix>dlq)")
    .option(
      "--alerts-topic <topic>",
      "where a partition paused after its retries is alerted (sink_paused)",
      "alerts",
    )
    .option("--bucket <bucket>", `S3 bucket (default: FLOE_S3_BUCKET, else ${sinkDefault.bucket})`)
    .option("--prefix <prefix>", "object key prefix", sinkDefault.prefix)
    .option("--group <id>", "consumer group", sinkDefault.group)
    .option("--flush-records <n>", "roll a file after this many records", sinkDefault.flushRecords)
    .option("--flush-interval <duration>", "roll a file after this age", sinkDefault.flushInterval)
    .option("--until-idle", "stop once caught up and idle")
    .option(
      "--metrics-port <port>",
      "port of /metrics, /healthz and /readyz (0 = any free port)",
      sinkDefault.metricsPort,
    )
    .option(
      "--metrics-host <host>",
      "address the metrics port listens on (0.0.0.0 to expose it, e.g. to Kubernetes probes)",
      SINK_DEFAULTS.metricsHost,
    )
    .addOption(
      new Option("--log-format <format>", "text, or json (one JSON object per line, for a log collector)")
        .choices(["text", "json"])
        .default("text")
        .argParser(flagParser("--log-format", oneOf(["text", "json"], "json"))),
    )
    .option("--no-register", "do not create raw tables or register partitions in Trino")
    .option("--schema <name>", "Hive schema of the raw tables", sinkDefault.schema)
    .option("-v, --verbose", "print every file and registration")
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(sinkFlags, raw, "ingest sink");
      const log = sinkLog(flags.logFormat, flags.verbose);
      // FLOE_KAFKA_*/FLOE_S3_*/FLOE_TRINO_*: a bad one fails here, before the ingest modules load.
      const { endpointsFromEnv, trinoSettings } = await import("../../ingest/connection-settings.js");
      const endpoints = endpointsFromEnv(io.env);
      trinoSettings(io.env);
      // A bad FLOE_EVENT_* variable fails here, before anything is consumed.
      (await import("../../ingest/event-time.js")).configuredEventTimeBounds();
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        const { runSink } = await import("../../ingest/sink.js");
        const { trinoFromEnv } = await import("../../ingest/endpoints.js");
        const { defaultTopicNames } = await import("../../ingest/producer.js");
        const summary = await runSink({
          endpoints,
          topics: flags.topics ?? (await defaultTopics(flags.topicPrefix)),
          optionalTopics: await defaultCdcTopics(flags.topicPrefix, flags.cdc, flags.topics !== undefined),
          dlqTopic: flags.dlqTopic ?? defaultTopicNames(flags.topicPrefix).dlq,
          alertsTopic: flags.alertsTopic,
          ...(flags.bucket ? { bucket: flags.bucket } : {}),
          prefix: flags.prefix,
          groupId: flags.group,
          flushRecords: flags.flushRecords,
          flushIntervalMs: readFlag("--flush-interval", flags.flushInterval, DURATION),
          untilIdle: flags.untilIdle,
          metricsPort: flags.metricsPort,
          metricsHost: flags.metricsHost,
          ...(flags.register ? { trino: trinoFromEnv(io.env) } : {}),
          hiveSchema: flags.schema,
          signal: controller.signal,
          onEvent: (e) => {
            const line = log.event(e);
            if (line) io.stderr(line);
          },
        });
        io.stdout(log.summary(summary));
        return 0;
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });

  registerIngestLoad(ingest);

  ingest
    .command("register")
    .description("create the hive.raw.<topic> external tables and add the partitions already on S3")
    .option(
      "--topics <topics...>",
      "topics (default: user-events product-metadata orders and the CDC topics)",
    )
    .option("--topic-prefix <prefix>", "prefix of the default topic names", "")
    .option("--no-cdc", "leave out the shop database's CDC tables (raw.db_users, …)")
    .option("--bucket <bucket>", `S3 bucket (default: FLOE_S3_BUCKET, else ${sinkDefault.bucket})`)
    .option("--prefix <prefix>", "object key prefix", sinkDefault.prefix)
    .option("--schema <name>", "Hive schema", sinkDefault.schema)
    .handle(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(
        z.object({
          topics: z.array(z.string().min(1)).optional(),
          topicPrefix: z.string().default(""),
          bucket: z.string().min(1).optional(),
          prefix: z.string(),
          schema: z.string().min(1),
          cdc: z.boolean().default(true),
        }),
        raw,
        "ingest register",
      );
      const { DEFAULT_RAW_TARGET, registerRawTables } = await import("../../ingest/raw-tables.js");
      const { endpointsFromEnv, s3Client, trinoFromEnv } = await import("../../ingest/endpoints.js");
      const { ColumnMarkers } = await import("../../ingest/cdc/column-markers.js");
      const { s3MarkerStore } = await import("../../ingest/cdc/s3-marker-store.js");
      const endpoints = endpointsFromEnv(io.env);
      const bucket = flags.bucket ?? endpoints.bucket;
      const s3 = s3Client(endpoints);
      // A CDC table gets the columns its files hold beyond the schema it was created with (their markers).
      const markers = new ColumnMarkers(s3MarkerStore(s3, bucket), flags.prefix);
      const topics = [
        ...(flags.topics ?? (await defaultTopics(flags.topicPrefix))),
        ...(await defaultCdcTopics(flags.topicPrefix, flags.cdc, flags.topics !== undefined)),
      ];
      const tables = await registerRawTables(
        trinoFromEnv(io.env),
        { ...DEFAULT_RAW_TARGET, bucket, prefix: flags.prefix, schema: flags.schema },
        topics,
        true,
        (topic) => markers.columns(topic),
      ).finally(() => s3.destroy());
      for (const table of tables) io.stdout(`registered ${table}\n`);
      return 0;
    });

  registerIngestApiCommands(ingest);
}
