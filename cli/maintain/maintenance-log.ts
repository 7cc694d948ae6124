import { jsonLine } from "../log/json-line.js";
import { clock, dots, plural } from "../log/text-logger.js";
import type { MaintenanceEvent, TableOutcome, TableStats } from "./run-maintenance.js";

/** What the log shows of raw retention and compaction (ingest/raw-retention.ts and raw-compaction.ts's shapes; this layer does not import ingest/). */
interface RawPartition {
  readonly topic: string;
  readonly eventDate: string;
  readonly eventType: string;
  readonly keys: readonly string[];
}

interface MergeStep {
  readonly kafkaPartition: number;
  readonly inputs: readonly unknown[];
  readonly output: string;
}

interface RawCompactionResult {
  readonly partitions: number;
  readonly filesBefore: number;
  readonly filesAfter: number;
  readonly uncommitted: number;
}

interface RawRetentionResult {
  readonly firstDayKept: string;
  readonly partitions: number;
  readonly objects: number;
  readonly kept: number;
}

/** Log lines for `floe maintain`: dbt-like text, or one JSON object per line (`--log-format json`). */
export interface MaintenanceLog {
  table(event: MaintenanceEvent): void;
  rawPartition(partition: RawPartition, action: "deleted" | "would delete"): void;
  rawFinished(result: RawRetentionResult, retention: string, dryRun: boolean): void;
  rawFailed(message: string, step?: "retention" | "compaction"): void;
  rawMerged(partition: RawPartition, merge: MergeStep, action: "merged" | "would merge"): void;
  rawCompactionFinished(result: RawCompactionResult, dryRun: boolean): void;
  finished(outcomes: readonly TableOutcome[], dryRun: boolean): void;
}

export function maintenanceLogger(format: "text" | "json", write: (text: string) => void): MaintenanceLog {
  if (format === "json") {
    const json = (level: "info" | "error", event: Readonly<Record<string, unknown>>) =>
      write(jsonLine(level, event));
    return {
      table: (event) =>
        json(event.code === "TABLE_FINISHED" && event.outcome.status === "error" ? "error" : "info", event),
      rawPartition: (partition, action) =>
        json("info", {
          code: "RAW_PARTITION",
          action,
          topic: partition.topic,
          event_date: partition.eventDate,
          event_type: partition.eventType,
          objects: partition.keys.length,
        }),
      rawFinished: (result, retention, dryRun) =>
        json("info", { code: "RAW_RETENTION_FINISHED", retention, dry_run: dryRun, ...result }),
      rawFailed: (message, step = "retention") =>
        json("error", {
          code: step === "retention" ? "RAW_RETENTION_FAILED" : "RAW_COMPACTION_FAILED",
          msg: message,
        }),
      rawMerged: (partition, merge, action) =>
        json("info", {
          code: "RAW_MERGE",
          action,
          topic: partition.topic,
          event_date: partition.eventDate,
          event_type: partition.eventType,
          kafka_partition: merge.kafkaPartition,
          files: merge.inputs.length,
          output: merge.output,
        }),
      rawCompactionFinished: (result, dryRun) =>
        json("info", { code: "RAW_COMPACTION_FINISHED", dry_run: dryRun, ...result }),
      finished: (outcomes, dryRun) =>
        json(outcomes.some((o) => o.status === "error") ? "error" : "info", {
          code: "MAINTENANCE_FINISHED",
          dry_run: dryRun,
          tables: outcomes.length,
          errors: outcomes.filter((o) => o.status === "error").length,
        }),
    };
  }
  const out = (text: string) => write(`${clock()}  ${text}\n`);
  return {
    table(event) {
      switch (event.code) {
        case "MAINTENANCE_STARTED":
          for (const s of event.skipped) out(`Skipping ${s.uniqueId}: ${s.reason}`);
          out(
            `${event.dryRun ? "Dry run: would maintain" : "Maintaining"} ${plural(event.tables, "table")} (one at a time)`,
          );
          return;
        case "TABLE_STARTED":
          out(dots(`${event.index} of ${event.total} START maintenance of ${event.relation}`, "[RUN]"));
          return;
        case "TABLE_FINISHED": {
          const o = event.outcome;
          const badge = o.status === "error" ? "[ERROR]" : o.status === "skipped" ? "[SKIP]" : "[OK]";
          out(dots(`${event.index} of ${event.total} ${o.relation}${statsChange(o.before, o.after)}`, badge));
          for (const step of o.steps) out(`  ${step.kind}: ${step.detail} (${step.seconds.toFixed(1)} s)`);
          for (const note of o.notes) out(`  note: ${note}`);
          if (o.error) out(`  error: ${o.error}`);
          return;
        }
      }
    },
    rawPartition: (p, action) =>
      out(
        `  raw ${p.topic} event_date=${p.eventDate}/event_type=${p.eventType}: ${action} (${plural(p.keys.length, "object")})`,
      ),
    rawFinished: (r, retention, dryRun) =>
      out(
        `Raw retention ${retention} (days before ${r.firstDayKept}): ${dryRun ? "would delete" : "deleted"} ${plural(r.partitions, "partition")} (${plural(r.objects, "object")}), kept ${plural(r.kept, "partition")}`,
      ),
    rawFailed: (message, step = "retention") => out(`Raw ${step} failed: ${message}`),
    rawMerged: (p, merge, action) =>
      out(
        `  raw ${p.topic} event_date=${p.eventDate}/event_type=${p.eventType} Kafka partition ${merge.kafkaPartition}: ${action} ${plural(merge.inputs.length, "file")} into ${merge.output.slice(merge.output.lastIndexOf("/") + 1)}`,
      ),
    rawCompactionFinished: (r, dryRun) =>
      out(
        `Raw compaction of closed partitions: ${r.partitions} ${r.partitions === 1 ? "partition" : "partitions"}, ${r.filesBefore} → ${r.filesAfter} files${dryRun ? " (dry run: nothing changed)" : ""}${r.uncommitted ? `; ${plural(r.uncommitted, "file")} left until the sink commits past them` : ""}`,
      ),
    finished(outcomes, dryRun) {
      const count = (s: TableOutcome["status"]) => outcomes.filter((o) => o.status === s).length;
      write(
        `\n${dryRun ? "Dry run finished, nothing changed" : "Maintenance finished"}. OK=${count("success")} ERROR=${count("error")} SKIP=${count("skipped")} TOTAL=${outcomes.length}\n`,
      );
    },
  };
}

function statsChange(before: TableStats | undefined, after: TableStats | undefined): string {
  if (!before) return "";
  const files = after ? `${before.files} → ${after.files} files` : `${before.files} files`;
  const max = after
    ? `at most ${before.maxFilesPerPartition} → ${after.maxFilesPerPartition} per partition`
    : `at most ${before.maxFilesPerPartition} per partition`;
  const snapshots = after
    ? `${before.snapshots} → ${after.snapshots} snapshots`
    : `${before.snapshots} snapshots`;
  return `: ${files} (${max}), ${snapshots}`;
}
