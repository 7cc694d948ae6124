import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import type { SinkEvent } from "../../ingest/sink.js";

/** Parses flags with zod and turns the first issue into a UsageError naming the flag. */
export function parseFlags<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const flag = issue?.path.join(".").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) ?? "";
  throw new UsageError(`--${flag}: ${issue?.message ?? "invalid value"}`, {
    hint: "see `floe ingest --help`",
  });
}

const num = z.coerce.number();
const probability = num.min(0).max(1);

/** `60s`, `500ms`, `2m` or a bare number of seconds → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration`, { hint: "use e.g. 60s, 500ms, 2m" });
  const unit = match[2] ?? "s";
  const factor = unit === "ms" ? 1 : unit === "s" ? 1_000 : unit === "m" ? 60_000 : 3_600_000;
  return Number(match[1]) * factor;
}

const generateFlags = z.object({
  events: num.int().positive(),
  rate: num.positive().optional(),
  seed: num.int().default(42),
  duplicates: probability.default(0),
  malformed: probability.default(0),
  late: probability.default(0),
  topicPrefix: z.string().default(""),
  partitions: num.int().positive().default(3),
  start: z.iso.datetime().optional(),
  days: num.positive().default(3),
  ledger: z.string().optional(),
});

const sinkFlags = z.object({
  topics: z.array(z.string().min(1)).optional(),
  topicPrefix: z.string().default(""),
  dlqTopic: z.string().optional(),
  bucket: z.string().min(1).default("warehouse"),
  prefix: z.string().default("raw/"),
  group: z.string().min(1).default("floe-sink"),
  flushRecords: num.int().positive().default(100_000),
  flushInterval: z.string().default("60s"),
  untilIdle: z.boolean().default(false),
  metricsPort: num.int().min(0).max(65_535).default(9464),
  register: z.boolean().default(true),
  schema: z.string().min(1).default("raw"),
  verbose: z.boolean().default(false),
});

// The ingest modules (kafkajs, the AWS SDK, DuckDB) are imported inside the actions: loading them takes
// about 0.4 s, which every other command (`floe compile` above all) would otherwise pay at start-up.
async function defaultTopics(prefix: string): Promise<string[]> {
  const { TOPIC_KINDS } = await import("../../ingest/contracts.js");
  const { topicName } = await import("../../ingest/producer.js");
  return TOPIC_KINDS.map((kind) => topicName({ prefix }, kind));
}

function renderSinkEvent(e: SinkEvent, verbose: boolean): string | undefined {
  switch (e.kind) {
    case "started":
      return `sink consuming ${e.topics.join(", ")}${e.metricsPort ? ` (metrics on :${e.metricsPort}/metrics)` : ""}`;
    case "file":
      return verbose
        ? `  ${e.file.outcome === "written" ? "wrote" : "found"} ${e.file.key} (${e.file.records} rows)`
        : undefined;
    case "dlq":
      return `  dlq ${e.topic}[${e.partition}]@${e.offset}: ${e.reason}`;
    case "retry":
      return `  retry ${e.attempt} of ${e.operation} in ${e.waitMs} ms: ${e.error}`;
    case "paused":
      return `  paused ${e.topic}[${e.partition}] for ${e.resumeInMs / 1000}s after retries: ${e.error}`;
    case "resumed":
      return `  resumed ${e.topic}[${e.partition}]`;
    case "registered":
      return verbose
        ? `  registered ${e.table}${e.partition ? ` event_date=${e.partition.eventDate}/event_type=${e.partition.eventType}` : ""}`
        : undefined;
    case "warning":
      return `  warning: ${e.message}`;
    case "rebalance":
      return `  rebalance: ${e.assigned} partitions assigned; buffered rows are re-read from committed offsets`;
    case "stopping":
      return e.reason === "idle"
        ? "caught up and idle: flushing and stopping"
        : "stopping: flushing open files";
  }
}

export function registerIngestCommands(program: Command): void {
  const ingest = program
    .command("ingest")
    .description("event contracts, the shop generator and the Kafka → S3 sink");

  ingest
    .command("generate")
    .description("publish a deterministic synthetic shop to Kafka (user-events, product-metadata, orders)")
    .requiredOption("--events <n>", "messages to publish")
    .option("--rate <r>", "events per second (default: as fast as possible)")
    .option("--seed <s>", "random seed", "42")
    .option("--duplicates <p>", "probability a message re-sends a recent event", "0")
    .option("--malformed <p>", "probability a message is malformed (bypasses the contract)", "0")
    .option("--late <p>", "probability an event is published late", "0")
    .option("--topic-prefix <prefix>", "prefix for topic names (e.g. dev1-)", "")
    .option("--partitions <n>", "partitions for topics it creates", "3")
    .option("--start <iso>", "first simulated instant (default: midnight UTC two days ago)")
    .option("--days <d>", "simulated days the events spread over", "3")
    .option("--ledger <file.json>", "write the generator's ledger (what it produced) to this file")
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(generateFlags, raw);
      // The producer checks events against the contract, whose event-time bounds come from FLOE_EVENT_*.
      (await import("../../ingest/event-time.js")).configuredEventTimeBounds();
      const { defaultTopicNames, publishShop } = await import("../../ingest/producer.js");
      const ledger = await publishShop({
        events: flags.events,
        rate: flags.rate,
        seed: flags.seed,
        duplicates: flags.duplicates,
        malformed: flags.malformed,
        late: flags.late,
        partitions: flags.partitions,
        topics: defaultTopicNames(flags.topicPrefix),
        start: flags.start ? new Date(flags.start) : undefined,
        days: flags.days,
        onProgress: (n) => process.stderr.write(`  published ${n.toLocaleString("en-US")}\r`),
      });
      process.stderr.write("\n");
      if (flags.ledger) writeFileSync(flags.ledger, `${JSON.stringify(ledger, null, 2)}\n`);
      const m = ledger.messages;
      process.stdout.write(
        `published ${m.total} messages: ${m.valid} valid (${m.uniqueEvents} events + ${m.duplicates} duplicates), ` +
          `${m.malformed} malformed, ${m.late} late; ${ledger.orders.length} orders\n`,
      );
    });

  ingest
    .command("sink")
    .description("consume the topics and write raw Parquet files to S3, exactly once per offset")
    .option("--topics <topics...>", "topics to consume (default: user-events product-metadata orders)")
    .option("--topic-prefix <prefix>", "prefix of the default topic names and of the DLQ topic", "")
    .option("--dlq-topic <topic>", "dead-letter topic (default: <topic-prefix>dlq)")
    .option("--bucket <bucket>", "S3 bucket", "warehouse")
    .option("--prefix <prefix>", "object key prefix", "raw/")
    .option("--group <id>", "consumer group", "floe-sink")
    .option("--flush-records <n>", "roll a file after this many records", "100000")
    .option("--flush-interval <duration>", "roll a file after this age", "60s")
    .option("--until-idle", "stop once caught up and idle")
    .option("--metrics-port <port>", "Prometheus metrics port (0 = any free port)", "9464")
    .option("--no-register", "do not create raw tables or register partitions in Trino")
    .option("--schema <name>", "Hive schema of the raw tables", "raw")
    .option("-v, --verbose", "print every file and registration")
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(sinkFlags, raw);
      // A bad FLOE_EVENT_* variable fails here, before anything is consumed.
      (await import("../../ingest/event-time.js")).configuredEventTimeBounds();
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        const { runSink } = await import("../../ingest/sink.js");
        const summary = await runSink({
          topics: flags.topics ?? (await defaultTopics(flags.topicPrefix)),
          dlqTopic: flags.dlqTopic ?? `${flags.topicPrefix}dlq`,
          bucket: flags.bucket,
          prefix: flags.prefix,
          groupId: flags.group,
          flushRecords: flags.flushRecords,
          flushIntervalMs: parseDuration(flags.flushInterval),
          untilIdle: flags.untilIdle,
          metricsPort: flags.metricsPort,
          register: flags.register,
          hiveSchema: flags.schema,
          signal: controller.signal,
          onEvent: (e) => {
            const line = renderSinkEvent(e, flags.verbose);
            if (line) process.stderr.write(`${line}\n`);
          },
        });
        process.stdout.write(
          `sink stopped: ${summary.records} rows in ${summary.files} new files` +
            `${summary.existingFiles ? ` (${summary.existingFiles} already durable)` : ""}, ${summary.dlq} to the DLQ\n`,
        );
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });

  ingest
    .command("register")
    .description("create the hive.raw.<topic> external tables and add the partitions already on S3")
    .option("--topics <topics...>", "topics (default: user-events product-metadata orders)")
    .option("--topic-prefix <prefix>", "prefix of the default topic names", "")
    .option("--bucket <bucket>", "S3 bucket", "warehouse")
    .option("--prefix <prefix>", "object key prefix", "raw/")
    .option("--schema <name>", "Hive schema", "raw")
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(
        z.object({
          topics: z.array(z.string().min(1)).optional(),
          topicPrefix: z.string().default(""),
          bucket: z.string().min(1),
          prefix: z.string(),
          schema: z.string().min(1),
        }),
        raw,
      );
      const { DEFAULT_RAW_TARGET, registerRawTables } = await import("../../catalog/raw-tables.js");
      const tables = await registerRawTables(
        { ...DEFAULT_RAW_TARGET, bucket: flags.bucket, prefix: flags.prefix, schema: flags.schema },
        flags.topics ?? (await defaultTopics(flags.topicPrefix)),
      );
      for (const table of tables) process.stdout.write(`registered ${table}\n`);
    });
}
