import type { SinkEvent, SinkSummary } from "../../ingest/sink.js";
import { jsonLine } from "../log/json-line.js";

/**
 * `floe ingest sink`'s lines: text for a terminal, or under `--log-format json` one `json-line.ts` object
 * per event (`event: sink.<kind>`, the same `msg`, the event's fields in snake_case) for a log collector.
 * Without `--verbose` the per-file and per-registration lines are left out in both formats.
 */
export function sinkEventText(e: SinkEvent, verbose: boolean): string | undefined {
  switch (e.kind) {
    case "started":
      return (
        `sink consuming ${e.topics.join(", ")}${e.metricsPort ? ` (metrics on ${e.metricsHost ?? "127.0.0.1"}:${e.metricsPort}/metrics, /healthz, /readyz)` : ""}` +
        `${e.waitingFor ? `; ${e.waitingFor.join(", ")} once created` : ""}`
      );
    case "subscribed":
      return `  consuming ${e.topics.join(", ")} too (created since the sink started)`;
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
    case "registered": {
      if (!verbose) return undefined;
      const p = e.partition;
      const type = p?.eventType ? `/event_type=${p.eventType}` : "";
      return `  registered ${e.table}${p ? ` event_date=${p.eventDate}${type}` : ""}${e.column ? ` column ${e.column}` : ""}`;
    }
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

const WARN_KINDS: ReadonlySet<SinkEvent["kind"]> = new Set(["dlq", "retry", "paused", "warning"]);

/** The event as one JSON line, or undefined where the text form prints nothing. */
export function sinkEventJson(e: SinkEvent, verbose: boolean, now?: Date): string | undefined {
  const text = sinkEventText(e, verbose);
  if (text === undefined) return undefined;
  const { kind, ...fields } = e;
  // A file's Kafka timestamps are one number per row: for benchmarks, not for a log line.
  const data =
    e.kind === "file"
      ? (({ kafkaTimestamps: _, ...file }) => ({ file }))(e.file)
      : (fields as Record<string, unknown>);
  return jsonLine(
    WARN_KINDS.has(kind) ? "warn" : "info",
    { event: `sink.${kind}`, msg: text.trim(), ...data },
    now,
  );
}

export function sinkSummaryText(summary: SinkSummary): string {
  return (
    `sink stopped: ${summary.records} rows in ${summary.files} new files` +
    `${summary.existingFiles ? ` (${summary.existingFiles} already durable)` : ""}, ${summary.dlq} to the DLQ`
  );
}

/** Where each line goes: events to stderr, the closing summary to stdout, in either format. */
export function sinkLog(format: "text" | "json", verbose: boolean) {
  const json = format === "json";
  return {
    event(e: SinkEvent): string | undefined {
      if (json) return sinkEventJson(e, verbose);
      const text = sinkEventText(e, verbose);
      return text === undefined ? undefined : `${text}\n`;
    },
    summary(summary: SinkSummary): string {
      const msg = sinkSummaryText(summary);
      return json ? jsonLine("info", { event: "sink.stopped", msg, ...summary }) : `${msg}\n`;
    },
  };
}
