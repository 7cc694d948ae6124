import type { Kafka } from "kafkajs";
import { EnvironmentError, isFloeError } from "../../core/errors.js";
import { type RetryPolicy, withRetry } from "../../core/retry.js";
import { TOPIC_KINDS } from "../contracts.js";
import { type Endpoints, endpointsFromEnv, kafkaClient, s3Client } from "../endpoints.js";
import { defaultTopicNames, ensureTopics, PUBLISH_RETRY, topicName } from "../producer.js";
import { formatOf, type LoadFormat } from "./format.js";
import { kafkaLoadIO, LOAD_PRODUCER_CONFIG } from "./kafka-load-io.js";
import { type LoadLoopEvent, publishFileRows } from "./load-loop.js";
import { type LoadEntry, type LoadTarget, loadEntry } from "./load-messages.js";
import { type LoadRecord, type LoadStore, loadStoreKeyPrefix, s3LoadStore } from "./load-store.js";
import { readRows } from "./readers.js";
import { download, isUrl, type LocalFile, localFiles, sha256File } from "./source.js";

/**
 * `floe ingest load`'s programmatic API: a path (file or folder) or an http(s) URL → its files' rows in
 * the event topics, bad rows in the DLQ, each file recorded by SHA-256 once all of it is in Kafka.
 * Files are loaded one after another; a file already recorded is skipped.
 */

export interface LoadOptions {
  readonly source: string;
  /** Overrides the extension (`ndjson`, `csv`, `parquet`). */
  readonly format?: string;
  readonly topicPrefix?: string;
  readonly dlqTopic?: string;
  /** Partitions of topics the load creates. */
  readonly partitions?: number;
  /** Rows per produce request. */
  readonly batch?: number;
  readonly endpoints?: Endpoints;
  /** Kafka and S3 calls (default: `PUBLISH_RETRY`, about 1.5 minutes of backoff). */
  readonly retry?: RetryPolicy;
  /** Downloads: timeouts and attempts. */
  readonly http?: {
    readonly connectTimeoutMs: number;
    readonly readTimeoutMs: number;
    readonly retry: RetryPolicy;
  };
  /** Stops after the batch in flight; the file stays unrecorded and the next load resumes it. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: LoadEvent) => void;
  readonly kafka?: Kafka;
}

export const DEFAULT_LOAD_BATCH = 5_000;
export const DEFAULT_HTTP = {
  connectTimeoutMs: 30_000,
  readTimeoutMs: 30_000,
  retry: { attempts: 5, baseMs: 500, maxMs: 10_000 },
} as const;

export interface FileOutcome {
  readonly name: string;
  readonly sha256: string;
  readonly format: LoadFormat;
  readonly state: "loaded" | "skipped" | "stopped";
  readonly rows: number;
  readonly accepted: Readonly<Record<string, number>>;
  readonly deadLettered: number;
  /** Rows an earlier, interrupted load had published. */
  readonly resumedFrom: number;
  readonly elapsedMs: number;
  /** When it was recorded: now for a load, the earlier time for a skip. */
  readonly loadedAt?: string;
}

export type LoadEvent =
  | { readonly kind: "downloading"; readonly url: string }
  | {
      readonly kind: "download-retry";
      readonly attempt: number;
      readonly waitMs: number;
      readonly error: string;
    }
  | { readonly kind: "file"; readonly name: string; readonly sha256: string; readonly format: LoadFormat }
  | { readonly kind: "loop"; readonly name: string; readonly event: LoadLoopEvent }
  | { readonly kind: "done"; readonly file: FileOutcome };

export interface LoadSummary {
  readonly files: readonly FileOutcome[];
  readonly elapsedMs: number;
  /** A stop request ended the load before every file was done. */
  readonly stopped: boolean;
}

interface PendingFile extends LocalFile {
  readonly format: LoadFormat;
  readonly sha256?: string;
  readonly bytes?: number;
}

export async function loadFiles(options: LoadOptions): Promise<LoadSummary> {
  const began = Date.now();
  const emit = options.onEvent ?? (() => {});
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const names = defaultTopicNames(options.topicPrefix ?? "");
  const target: LoadTarget = {
    topicOf: (kind) => topicName(names, kind),
    dlq: options.dlqTopic ?? names.dlq,
  };
  const retry = options.retry ?? PUBLISH_RETRY;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // Every file is found, fetched and given a format before Kafka is touched.
    const files: PendingFile[] = [];
    if (isUrl(options.source)) {
      const format = formatOf(options.source, options.format);
      emit({ kind: "downloading", url: options.source });
      const http = options.http ?? DEFAULT_HTTP;
      const got = await download(options.source, {
        ...http,
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (attempt, error, waitMs) =>
          emit({
            kind: "download-retry",
            attempt,
            waitMs,
            error: error instanceof Error ? error.message : String(error),
          }),
      });
      cleanups.push(got.cleanup);
      files.push({ ...got, format });
    } else {
      for (const file of await localFiles(options.source))
        files.push({ ...file, format: formatOf(file.name, options.format) });
    }

    const kafka = options.kafka ?? kafkaClient(endpoints, "floe-load");
    const admin = kafka.admin();
    const producer = kafka.producer(LOAD_PRODUCER_CONFIG);
    try {
      await admin.connect();
      await producer.connect();
    } catch (error) {
      throw new EnvironmentError(
        "KAFKA_UNREACHABLE",
        `Cannot reach Kafka at ${endpoints.brokers.join(",")}.`,
        {
          hint: "start the stack with `floe stack up` or set FLOE_KAFKA_BROKERS; nothing was loaded or recorded",
          retriable: true,
          cause: error,
        },
      );
    }
    const s3 = s3Client(endpoints);
    try {
      const sources = TOPIC_KINDS.map((k) => target.topicOf(k));
      const topics = [...sources, target.dlq];
      await withRetry(retry, () =>
        ensureTopics(admin, { sources, dlq: target.dlq }, options.partitions ?? 3),
      );
      const io = kafkaLoadIO(kafka, admin, producer, topics);
      const outcomes: FileOutcome[] = [];
      for (const file of files) {
        if (options.signal?.aborted) return { files: outcomes, elapsedMs: Date.now() - began, stopped: true };
        const t0 = Date.now();
        const { sha256, bytes } =
          file.sha256 !== undefined
            ? { sha256: file.sha256, bytes: file.bytes ?? 0 }
            : await sha256File(file.path);
        emit({ kind: "file", name: file.name, sha256, format: file.format });
        const store = guarded(
          s3LoadStore(s3, endpoints.bucket, loadStoreKeyPrefix(names.prefix), sha256, retry),
        );
        const recorded = await store.record();
        if (recorded) {
          const outcome = skippedOutcome(file, recorded, Date.now() - t0);
          outcomes.push(outcome);
          emit({ kind: "done", file: outcome });
          continue;
        }
        const result = await publishFileRows(
          {
            sha256,
            batch: options.batch ?? DEFAULT_LOAD_BATCH,
            retry,
            ...(options.signal ? { signal: options.signal } : {}),
            onEvent: (event) => emit({ kind: "loop", name: file.name, event }),
          },
          entries(file, sha256, target),
          io,
          store,
        );
        const common = {
          name: file.name,
          sha256,
          format: file.format,
          rows: result.rows,
          accepted: result.accepted,
          deadLettered: result.deadLettered,
          resumedFrom: result.resumedFrom,
        };
        if (result.state === "stopped") {
          const outcome: FileOutcome = { ...common, state: "stopped", elapsedMs: Date.now() - t0 };
          outcomes.push(outcome);
          emit({ kind: "done", file: outcome });
          return { files: outcomes, elapsedMs: Date.now() - began, stopped: true };
        }
        // Every row is acknowledged: now, and only now, the file counts as loaded.
        const loadedAt = new Date().toISOString();
        await store.writeRecord({
          version: 1,
          sha256,
          source: file.name,
          format: file.format,
          bytes,
          rows: result.rows,
          accepted: result.accepted,
          deadLettered: result.deadLettered,
          loadedAt,
        });
        await store.clearCheckpoint();
        const outcome: FileOutcome = { ...common, state: "loaded", loadedAt, elapsedMs: Date.now() - t0 };
        outcomes.push(outcome);
        emit({ kind: "done", file: outcome });
      }
      return { files: outcomes, elapsedMs: Date.now() - began, stopped: false };
    } finally {
      s3.destroy();
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

async function* entries(file: PendingFile, sha256: string, target: LoadTarget): AsyncGenerator<LoadEntry> {
  const identity = { name: file.name, sha256 };
  for await (const row of readRows(file.path, file.format)) yield loadEntry(identity, row, target);
}

function skippedOutcome(file: PendingFile, record: LoadRecord, elapsedMs: number): FileOutcome {
  return {
    name: file.name,
    sha256: record.sha256,
    format: file.format,
    state: "skipped",
    rows: record.rows,
    accepted: record.accepted,
    deadLettered: record.deadLettered,
    resumedFrom: 0,
    elapsedMs,
    loadedAt: record.loadedAt,
  };
}

/** The store with an S3 that stays unreachable (past its retries) as an environment error with the fix. */
function guarded(store: LoadStore): LoadStore {
  const call =
    <A extends unknown[], T>(fn: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      try {
        return await fn(...args);
      } catch (error) {
        if (isFloeError(error)) throw error;
        throw new EnvironmentError("S3_UNREACHABLE", `cannot read or write the load record ${store.where}`, {
          hint: "start the stack with `floe stack up` or set FLOE_S3_ENDPOINT; a file not recorded is loaded again, without duplicates, next time",
          retriable: true,
          cause: error,
        });
      }
    };
  return {
    where: store.where,
    record: call(store.record),
    writeRecord: call(store.writeRecord),
    checkpoint: call(store.checkpoint),
    writeCheckpoint: call(store.writeCheckpoint),
    clearCheckpoint: call(store.clearCheckpoint),
  };
}
