import type { SinkMetrics } from "./metrics.js";
import type { WorkerObserver } from "./partition-worker.js";
import type { RegistrationQueue } from "./registration-queue.js";
import type { DurableFile, SinkEvent, SinkSummary } from "./types.js";

/** What the sink keeps across its partitions' workers: counters, metrics, events and registrations. */
export interface SinkReporting {
  readonly summary: SinkSummary;
  readonly metrics: SinkMetrics;
  readonly registration: RegistrationQueue;
  readonly emit: (event: SinkEvent) => void;
  readonly onDurable?: ((file: DurableFile) => void) | undefined;
}

/** A worker's reports turned into the sink's summary, metrics, events and pending registrations. */
export function workerObserver(r: SinkReporting, topic: string, partition: number): WorkerObserver {
  const { summary, metrics, emit } = r;
  return {
    skipped() {
      summary.skipped++;
    },
    retry(operation, what, attempt, error, waitMs) {
      metrics.retries.inc({ operation });
      emit({ kind: "retry", operation: what, attempt, error: String(error), waitMs });
    },
    durable(file, bytes, seconds) {
      metrics.flushSeconds.observe(seconds);
      metrics.files.inc({ topic, outcome: file.outcome });
      if (file.outcome === "written") {
        summary.files++;
        summary.records += file.records;
        metrics.records.inc({ topic }, file.records);
        metrics.bytes.inc({ topic }, bytes);
        for (const ts of file.kafkaTimestamps) {
          metrics.eventToFileSeconds.observe(Math.max(0, file.durableAt - ts) / 1000);
        }
      } else {
        summary.existingFiles++;
      }
      // A new partition is registered now rather than on the next tick: until then its rows are not queryable.
      if (r.registration.add(topic, file.eventDate, file.eventType)) void r.registration.flush();
      r.onDurable?.(file);
      emit({ kind: "file", file });
    },
    deadLettered(letters) {
      for (const l of letters) {
        emit({ kind: "dlq", topic, partition, offset: l.offset.toString(), reason: l.reason });
      }
      summary.dlq += letters.length;
      metrics.dlq.inc({ topic }, letters.length);
    },
    truncated(letter) {
      const size = letter.message.value?.length ?? 0;
      emit({
        kind: "warning",
        message:
          `the dead letter of ${topic}[${partition}]@${letter.offset} (${size} bytes) does not fit the DLQ topic: ` +
          "sent a truncated copy with its reason and source coordinates",
      });
    },
    paused(error, resumeInMs, first) {
      if (first) metrics.pauses.inc({ topic });
      emit({ kind: "paused", topic, partition, error: String(error), resumeInMs });
    },
    resumed() {
      emit({ kind: "resumed", topic, partition });
    },
  };
}
