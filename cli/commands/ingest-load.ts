import { z } from "zod";
import { CancelledError } from "../../core/errors.js";
import { MAX_EVENT_BYTES } from "../../ingest/contracts.js";
import type { FileOutcome, LoadEvent } from "../../ingest/load/load.js";
import { DURATION, parseFlags, readFlag } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";
import type { CliIO, ExitCode } from "./io.js";

/** `floe ingest load <path | URL>`: the thin edge over `ingest/load/load.ts`. */

const num = z.coerce.number();

const loadFlags = z.object({
  format: z.enum(["ndjson", "csv", "parquet"]).optional(),
  topicPrefix: z.string().default(""),
  dlqTopic: z.string().min(1).optional(),
  partitions: num.int().positive().default(3),
  batch: num.int().positive().max(100_000).default(5_000),
  timeout: z.string().default("30s"),
  retries: num.int().min(1).max(20).default(5),
});

const HELP = `
Formats (from the extension, or --format):
  .ndjson .jsonl .json  one JSON event a line, published as its bytes; blank lines are ignored
  .csv                  a header row, then one event a row; cells are typed by the topic's raw columns
                        (numbers, booleans, items as JSON); an empty cell is an absent field
  .parquet .pq          read with DuckDB; ids, times and lists are converted the same way

Each row's event_type picks its topic (user-events, product-metadata, orders) and its contract checks it;
a row that fails (bad JSON, a bad CSV row, a contract violation, over ${MAX_EVENT_BYTES / 1024 / 1024} MiB) goes to the DLQ
topic with headers error, source_file, source_sha256, source_row (and source_line), and the rest load.

The record: each file is hashed (SHA-256 of its bytes) and, once every row is acknowledged by Kafka
(acks=all), recorded as s3://warehouse/_floe/loads/<topic-prefix><sha256>.json, shared by every machine
loading into this lakehouse. The same bytes loaded again are skipped ("skipped: already loaded ...").
An interrupted load (a dropped download, Kafka down past the retries, Ctrl-C) records nothing; the next
load of the file resumes from its checkpoint beside the record, without duplicating what was published.

URLs (http, https) are downloaded whole before a row is read, with --timeout for the connection and for
every stall of the body, and --retries attempts with exponential backoff (a 4xx other than 408/429 is
not retried). Folders: every file with a known extension, in name order.
`;

export function registerIngestLoad(ingest: FloeCommand): void {
  const { io } = ingest;
  ingest
    .command("load")
    .description(
      "load NDJSON, CSV or Parquet files (a path, a folder or an http(s) URL) into the event topics, once per file",
    )
    .argument("<source>", "a file, a folder of files, or an http(s) URL")
    .option("--format <format>", "ndjson, csv or parquet (default: from the extension)")
    .option("--topic-prefix <prefix>", "prefix of the topic names (e.g. dev1-)", "")
    .option("--dlq-topic <topic>", "dead-letter topic (default: <topic-prefix>dlq)")
    .option("--partitions <n>", "partitions for topics it creates", "3")
    .option("--batch <n>", "rows per produce request", "5000")
    .option("--timeout <duration>", "URL connect timeout, and the longest stall while downloading", "30s")
    .option("--retries <n>", "download attempts for a URL", "5")
    .addHelpText("after", HELP)
    .handle(async (source: string, raw: Record<string, unknown>) => {
      const flags = parseFlags(loadFlags, raw, "ingest load");
      const timeoutMs = readFlag("--timeout", flags.timeout, DURATION);
      // The contract's event-time bounds come from FLOE_EVENT_*: a bad value fails before anything is read.
      (await import("../../ingest/event-time.js")).configuredEventTimeBounds();
      const { loadFiles } = await import("../../ingest/load/load.js");
      const { endpointsFromEnv } = await import("../../ingest/endpoints.js");
      const controller = new AbortController();
      const onSignal = () => {
        io.stderr("\n  stopping after the batch in flight (the next load resumes the file)\n");
        controller.abort();
      };
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        const summary = await loadFiles({
          source,
          endpoints: endpointsFromEnv(io.env),
          ...(flags.format ? { format: flags.format } : {}),
          topicPrefix: flags.topicPrefix,
          ...(flags.dlqTopic ? { dlqTopic: flags.dlqTopic } : {}),
          partitions: flags.partitions,
          batch: flags.batch,
          http: {
            connectTimeoutMs: timeoutMs,
            readTimeoutMs: timeoutMs,
            retry: { attempts: flags.retries, baseMs: 500, maxMs: 10_000 },
          },
          signal: controller.signal,
          onEvent: (e) => render(e, io),
        });
        return finish(summary.files, summary.elapsedMs, summary.stopped, io);
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });
}

const n = (x: number) => x.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function render(e: LoadEvent, io: CliIO): void {
  switch (e.kind) {
    case "downloading":
      io.stderr(`downloading ${e.url}\n`);
      return;
    case "download-retry":
      io.stderr(`  retry ${e.attempt} of the download in ${e.waitMs} ms: ${e.error}\n`);
      return;
    case "file":
      io.stderr(`${e.name} (${e.format}, sha256 ${e.sha256.slice(0, 12)})\n`);
      return;
    case "loop": {
      const l = e.event;
      if (l.kind === "progress") io.stderr(`  ${n(l.rows)} rows\n`);
      else if (l.kind === "retry")
        io.stderr(`  retry ${l.attempt} of the send in ${l.waitMs} ms: ${l.error}\n`);
      else
        io.stderr(
          `  resuming an interrupted load at row ${n(l.from)}${l.landed ? ` (${l.landed} rows of its last batch were in Kafka already)` : ""}\n`,
        );
      return;
    }
    case "done":
      io.stdout(`${describeOutcome(e.file)}\n`);
      return;
  }
}

/** One line per file: what the summary and the tests read. */
export function describeOutcome(file: FileOutcome): string {
  if (file.state === "skipped")
    return `skipped: already loaded ${file.sha256} at ${file.loadedAt} (${file.name})`;
  const topics = Object.entries(file.accepted)
    .map(([topic, count]) => `${topic} ${n(count)}`)
    .join(", ");
  const rate =
    file.elapsedMs > 0
      ? ` (${n(Math.round(((file.rows - file.resumedFrom) * 1000) / file.elapsedMs))} rows/s)`
      : "";
  const head = file.state === "stopped" ? "stopped" : "loaded";
  return (
    `${head} ${file.name}: ${n(file.rows)} rows; accepted ${topics || "none"}; ${n(file.deadLettered)} dead-lettered` +
    `${file.resumedFrom ? `; resumed at row ${n(file.resumedFrom)}` : ""}; ${seconds(file.elapsedMs)}${rate}`
  );
}

function finish(files: readonly FileOutcome[], elapsedMs: number, stopped: boolean, io: CliIO): ExitCode {
  const loaded = files.filter((f) => f.state === "loaded");
  const rows = loaded.reduce((s, f) => s + f.rows, 0);
  const dead = loaded.reduce((s, f) => s + f.deadLettered, 0);
  io.stdout(
    `load: ${files.length} file${files.length === 1 ? "" : "s"} (${loaded.length} loaded, ${files.filter((f) => f.state === "skipped").length} skipped); ` +
      `${n(rows)} rows, ${n(rows - dead)} accepted, ${n(dead)} dead-lettered; ${seconds(elapsedMs)}\n`,
  );
  if (stopped)
    throw new CancelledError("Stopped: the interrupted file is not recorded; load it again to finish it.");
  return 0;
}
