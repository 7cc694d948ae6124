import type { RetryPolicy } from "../../core/retry.js";
import type { Endpoints } from "../endpoints.js";
import type { TrinoQuery } from "../raw-tables.js";
import type { SinkMetrics } from "./metrics.js";

/** The sink's programmatic API: what `runSink` takes, reports while it runs, and returns. */

export interface SinkOptions {
  /** Topics to consume; the sink waits a little for missing ones, then fails naming them. */
  readonly topics: readonly string[];
  /**
   * Topics consumed once they exist (Debezium's `db.<table>`, created at a table's first change): looked
   * for every 10 s, then subscribed by re-joining the group. Their raw tables are registered at start.
   */
  readonly optionalTopics?: readonly string[];
  readonly dlqTopic?: string;
  readonly bucket?: string;
  readonly prefix?: string;
  readonly groupId?: string;
  readonly flushRecords?: number;
  readonly flushBytes?: number;
  readonly flushIntervalMs?: number;
  /** Drain and stop once every partition is caught up and nothing arrived for `idleMs`. */
  readonly untilIdle?: boolean;
  readonly idleMs?: number;
  /** Prometheus port; null disables the endpoint, 0 picks a free port. */
  readonly metricsPort?: number | null;
  /** The address the metrics server (`/metrics`, `/healthz`, `/readyz`) listens on; `0.0.0.0` exposes it. */
  readonly metricsHost?: string;
  /** The Prometheus series to count into; `floe serve` passes one that outlives a restarted sink. */
  readonly metrics?: SinkMetrics;
  /**
   * Where raw tables and new partitions are registered (a Trino connection the caller made); without one
   * nothing is registered (`--no-register`).
   */
  readonly trino?: TrinoQuery;
  readonly hiveSchema?: string;
  readonly endpoints?: Endpoints;
  readonly retry?: RetryPolicy;
  /** How long a paused partition waits before its next round of attempts. */
  readonly pauseMs?: number;
  readonly signal?: AbortSignal;
  /** DuckDB threads encoding Parquet (they run beside the consume loop's thread). */
  readonly encoderThreads?: number;
  readonly onEvent?: (event: SinkEvent) => void;
  /** Kafka topic of the `sink_paused` alerts (default `alerts`); null publishes none. */
  readonly alertsTopic?: string | null;
  /** Called when a file is durable, with its rows' Kafka timestamps (benchmarks measure age with it). */
  readonly onDurable?: (file: DurableFile) => void;
}

export interface DurableFile {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly eventDate: string;
  readonly eventType: string;
  readonly records: number;
  readonly outcome: "written" | "existing";
  readonly kafkaTimestamps: readonly number[];
  readonly durableAt: number;
}

export type SinkEvent =
  | {
      kind: "started";
      topics: readonly string[];
      metricsPort?: number;
      metricsHost?: string;
      /** Optional topics that do not exist yet (consumed once they do). */
      waitingFor?: readonly string[];
    }
  /** Optional topics that appeared and are now consumed too. */
  | { kind: "subscribed"; topics: readonly string[] }
  | { kind: "file"; file: DurableFile }
  | { kind: "dlq"; topic: string; partition: number; offset: string; reason: string }
  | { kind: "retry"; operation: string; attempt: number; error: string; waitMs: number }
  | { kind: "paused"; topic: string; partition: number; error: string; resumeInMs: number }
  | { kind: "resumed"; topic: string; partition: number }
  | {
      kind: "registered";
      table: string;
      /** A partition (a CDC topic's has an empty eventType: it is partitioned by date alone). */
      partition?: { eventDate: string; eventType: string };
      /** A column a CDC table gained. */
      column?: string;
    }
  | { kind: "warning"; message: string }
  /** The group rebalanced: in-memory buffers were dropped and are re-read from the committed offsets. */
  | { kind: "rebalance"; assigned: number }
  | { kind: "stopping"; reason: "signal" | "idle" };

export interface SinkSummary {
  records: number;
  files: number;
  existingFiles: number;
  dlq: number;
  skipped: number;
}
