import { HeadObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { Admin, Consumer, EachBatchPayload, KafkaMessage, Producer } from "kafkajs";
import { Partitioners } from "kafkajs";
import {
  DEFAULT_RAW_TARGET,
  type RawTableTarget,
  registerRawPartition,
  registerRawTables,
} from "../catalog/raw-tables.js";
import { EnvironmentError } from "../core/errors.js";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "../core/retry.js";
import { decodeMessage, type TopicKind, topicKindOf } from "./contracts.js";
import { type Endpoints, endpointsFromEnv, kafkaClient, s3Client } from "./endpoints.js";
import { DuckParquetEncoder, rowLine } from "./parquet-duckdb.js";
import { ensureTopics } from "./producer.js";
import { SinkMetrics } from "./sink-metrics.js";
import { type OpenFile, PartitionState, type RollLimits } from "./sink-state.js";

/**
 * The Kafka → S3 raw sink. Per partition, messages are validated and buffered in one open file per
 * (event_date, event_type) (see sink-state.ts for the exactly-once rules). Each partition runs an explicit
 * commit cycle — dead-letter → seal → upload → commit — one at a time; the consume loop requests one
 * after every batch (and goes on fetching while it runs) and a 1 s ticker for age-based rolls, resumes and
 * idleness. Routing a batch holds the partition's routing lock, so the drain never seals mid-batch.
 */

export interface SinkOptions {
  readonly topics: readonly string[];
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
  /** Register raw tables and new partitions in Trino (default true). */
  readonly register?: boolean;
  readonly hiveSchema?: string;
  readonly endpoints?: Endpoints;
  readonly retry?: RetryPolicy;
  /** How long a paused partition waits before its next round of attempts. */
  readonly pauseMs?: number;
  readonly signal?: AbortSignal;
  /** DuckDB threads encoding Parquet (default 1; they run beside the consume loop's thread). */
  readonly encoderThreads?: number;
  readonly onEvent?: (event: SinkEvent) => void;
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
  | { kind: "started"; topics: readonly string[]; metricsPort?: number }
  | { kind: "file"; file: DurableFile }
  | { kind: "dlq"; topic: string; partition: number; offset: string; reason: string }
  | { kind: "retry"; operation: string; attempt: number; error: string; waitMs: number }
  | { kind: "paused"; topic: string; partition: number; error: string; resumeInMs: number }
  | { kind: "resumed"; topic: string; partition: number }
  | { kind: "registered"; table: string; partition?: { eventDate: string; eventType: string } }
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

/** The commit cycle of one partition as explicit states. */
type CycleState =
  | { readonly step: "dead-letter" }
  | { readonly step: "seal" }
  | { readonly step: "upload" }
  | { readonly step: "commit" }
  | { readonly step: "pause"; readonly error: unknown }
  | { readonly step: "done" };

interface DeadLetter {
  readonly offset: bigint;
  readonly message: KafkaMessage;
  readonly reason: string;
}

class PartitionRuntime {
  readonly state: PartitionState;
  readonly dlq: DeadLetter[] = [];
  private routing: Promise<unknown> = Promise.resolve();
  private cycles: Promise<unknown> = Promise.resolve();
  /** A commit cycle waiting behind the running one; later requests join it (it will see their rows). */
  private waitingCycle: Promise<void> | undefined;
  pausedUntil: number | undefined;
  lastCommitted: bigint | undefined;
  /** The DLQ watermark (`state.dlqDurable`) the last commit recorded. */
  lastCommittedDlq: bigint | undefined;
  /**
   * Set when the group rebalanced: the partition now belongs to a fresh runtime (here or elsewhere). A
   * cycle of this one still running may finish its uploads (same keys, If-None-Match) but no longer
   * commits, pauses or resumes.
   */
  revoked = false;

  constructor(topic: string, partition: number, kind: TopicKind) {
    this.state = new PartitionState(topic, partition, kind);
  }

  /** Runs `fn` after every earlier routing task of this partition (a batch being routed, the drain). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.routing.then(fn, fn);
    this.routing = next.catch(() => {});
    return next;
  }

  /** Runs commit cycles one at a time, in request order: uploads stay in order of first offset. */
  cycleAfter<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.cycles.then(fn, fn);
    this.cycles = next.catch(() => {});
    return next;
  }

  /** Requests a commit cycle, joining one that is already waiting to start. */
  requestCycle(run: () => Promise<void>): Promise<void> {
    if (this.waitingCycle) return this.waitingCycle;
    const waiting = this.cycleAfter(() => {
      this.waitingCycle = undefined;
      return run();
    });
    this.waitingCycle = waiting;
    return waiting;
  }
}

/** Awaits `work`, sending a heartbeat every 3 s meanwhile (kafkajs heartbeats only between batches). */
async function awaitWithHeartbeats(work: Promise<unknown>, heartbeat: () => Promise<void>): Promise<void> {
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, 3_000, false);
      }),
    ]);
    clearTimeout(timer);
    if (finished) return;
    await heartbeat();
  }
}

export function objectKey(
  prefix: string,
  topic: string,
  partition: number,
  date: string,
  type: string,
  start: bigint,
) {
  return `${prefix}${topic}/event_date=${date}/event_type=${type}/${topic}+${partition}+${start}.parquet`;
}

export async function runSink(options: SinkOptions): Promise<SinkSummary> {
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const bucket = options.bucket ?? endpoints.bucket;
  const prefix = options.prefix ?? "raw/";
  const dlqTopic = options.dlqTopic ?? "dlq";
  const groupId = options.groupId ?? "floe-sink";
  const retry = options.retry ?? DEFAULT_RETRY;
  const pauseMs = options.pauseMs ?? 10_000;
  const limits: RollLimits = {
    maxRecords: options.flushRecords ?? 100_000,
    maxBytes: options.flushBytes ?? 64 * 1024 * 1024,
    maxAgeMs: options.flushIntervalMs ?? 60_000,
  };
  const idleMs = options.idleMs ?? 5_000;
  const emit = options.onEvent ?? (() => {});
  const target: RawTableTarget = {
    ...DEFAULT_RAW_TARGET,
    bucket,
    prefix,
    schema: options.hiveSchema ?? "raw",
  };
  const kinds = new Map<string, TopicKind>();
  for (const topic of options.topics) {
    const kind = topicKindOf(topic);
    if (!kind) throw new EnvironmentError("SINK_TOPIC", `Topic "${topic}" has no event contract.`);
    kinds.set(topic, kind);
  }

  const metrics = new SinkMetrics();
  const encoder = await DuckParquetEncoder.create(options.encoderThreads ?? 1);
  const summary: SinkSummary = { records: 0, files: 0, existingFiles: 0, dlq: 0, skipped: 0 };
  const s3: S3Client = s3Client(endpoints);
  const kafka = kafkaClient(endpoints, "floe-sink");
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  const consumer: Consumer = kafka.consumer({
    groupId,
    // Long enough for a starved 2-core machine; a SIGKILLed sink's partitions move after this long.
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  try {
    await admin.connect();
    await producer.connect();
    await consumer.connect();
  } catch (error) {
    await Promise.allSettled([
      admin.disconnect(),
      producer.disconnect(),
      consumer.disconnect(),
      encoder.close(),
    ]);
    throw new EnvironmentError("KAFKA_UNREACHABLE", `Cannot reach Kafka at ${endpoints.brokers.join(",")}.`, {
      hint: "start the stack with `floe stack up` or set FLOE_KAFKA_BROKERS",
      cause: error,
    });
  }

  const registered = new Set<string>();
  const toRegister = new Set<string>();
  let tablesReady = false;
  const registerPending = async () => {
    if (options.register === false) return;
    try {
      if (!tablesReady) {
        const tables = await registerRawTables(target, options.topics, true);
        for (const table of tables) emit({ kind: "registered", table });
        tablesReady = true;
      }
    } catch (error) {
      emit({ kind: "warning", message: `raw table registration failed, will retry: ${String(error)}` });
      return;
    }
    // Registration only affects when rows become queryable, never what is durable: a failure is retried
    // on the next tick and does not hold back the other partitions.
    for (const item of [...toRegister]) {
      const [topic, date, type] = item.split("\u0000") as [string, string, string];
      try {
        await registerRawPartition(target, topic, date, type);
        toRegister.delete(item);
        registered.add(item);
        emit({ kind: "registered", table: topic, partition: { eventDate: date, eventType: type } });
      } catch (error) {
        emit({ kind: "warning", message: `partition registration failed, will retry: ${String(error)}` });
      }
    }
  };

  let metricsServer: { port: number; close: () => Promise<void> } | undefined;
  const runtimes = new Map<string, PartitionRuntime>();
  const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;
  let lastMessageAt = Date.now();
  let stopping: "signal" | "idle" | undefined;

  const runtimeFor = async (topic: string, partition: number): Promise<PartitionRuntime> => {
    const key = keyOf(topic, partition);
    let runtime = runtimes.get(key);
    if (!runtime) {
      runtime = new PartitionRuntime(topic, partition, kinds.get(topic) as TopicKind);
      runtimes.set(key, runtime);
      const committed = await withRetry(retry, () => admin.fetchOffsets({ groupId, topics: [topic] }));
      const entry = committed[0]?.partitions.find((p) => p.partition === partition);
      runtime.state.restore(entry?.metadata);
      runtime.lastCommittedDlq = runtime.state.dlqDurable;
      if (entry && BigInt(entry.offset) >= 0n) runtime.lastCommitted = BigInt(entry.offset);
    }
    return runtime;
  };

  const route = (runtime: PartitionRuntime, message: KafkaMessage, now: number) => {
    const offset = BigInt(message.offset);
    const deadLetter = (reason: string) => {
      runtime.state.handled(offset);
      if (runtime.state.alreadyDeadLettered(offset)) return;
      runtime.state.deadLetters.push(offset);
      runtime.dlq.push({ offset, message, reason });
    };
    const parsed = decodeMessage(runtime.state.kind, message.value);
    if (!parsed.ok) return deadLetter(parsed.reason);
    const eventTime = String(parsed.event.fields.event_time);
    const row = rowLine(message.offset, parsed.event, parsed.text, Date.parse(eventTime), now);
    // event_time passed the contract as ISO-8601 UTC ("…Z"), so its first 10 characters are the UTC date.
    const date = eventTime.slice(0, 10);
    const ts = Number(message.timestamp);
    const size = message.value?.length ?? 0;
    if (!runtime.state.append(offset, date, parsed.event.eventType, row, size, ts, now)) summary.skipped++;
  };

  const upload = async (runtime: PartitionRuntime, file: OpenFile): Promise<void> => {
    const { topic, partition } = runtime.state;
    const key = objectKey(prefix, topic, partition, file.eventDate, file.eventType, file.startOffset);
    const started = performance.now();
    const body = await encoder.encode({
      kind: runtime.state.kind,
      eventType: file.eventType,
      partition,
      rows: file.rows,
      metadata: {
        "floe.topic": topic,
        "floe.partition": String(partition),
        "floe.start_offset": file.startOffset.toString(),
        "floe.end_offset": file.endOffset.toString(),
      },
    });
    let outcome: "written" | "existing" = "written";
    let durableEnd = file.endOffset;
    await withRetry(
      retry,
      async () => {
        try {
          await s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: body,
              IfNoneMatch: "*",
              ContentType: "application/vnd.apache.parquet",
              Metadata: {
                "start-offset": file.startOffset.toString(),
                "end-offset": file.endOffset.toString(),
                records: String(file.rows.length),
              },
            }),
          );
        } catch (error) {
          if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412)) throw error;
          // An earlier attempt (before a crash, or a replay) already made this key durable: adopt it.
          const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          outcome = "existing";
          durableEnd = BigInt(head.Metadata?.["end-offset"] ?? file.endOffset.toString());
        }
      },
      (attempt, error, waitMs) => {
        metrics.retries.inc({ operation: "s3_put" });
        emit({ kind: "retry", operation: `put ${key}`, attempt, error: String(error), waitMs });
      },
    );
    const durableAt = Date.now();
    metrics.flushSeconds.observe((performance.now() - started) / 1000);
    const rest = runtime.state.durableFile(file, durableEnd);
    const kept = rest ? file.rows.length - rest.rows.length : file.rows.length;
    const timestamps = file.rows.timestamps(0, kept);
    metrics.files.inc({ topic, outcome });
    if (outcome === "written") {
      summary.files++;
      summary.records += kept;
      metrics.records.inc({ topic }, kept);
      metrics.bytes.inc({ topic }, body.length);
      for (const ts of timestamps) metrics.eventToFileSeconds.observe(Math.max(0, durableAt - ts) / 1000);
    } else {
      summary.existingFiles++;
    }
    const item = `${topic}\u0000${file.eventDate}\u0000${file.eventType}`;
    if (!registered.has(item)) toRegister.add(item);
    const info: DurableFile = {
      key,
      topic,
      partition,
      eventDate: file.eventDate,
      eventType: file.eventType,
      records: kept,
      outcome,
      kafkaTimestamps: timestamps,
      durableAt,
    };
    options.onDurable?.(info);
    emit({ kind: "file", file: info });
  };

  /** Sends the partition's pending dead letters; true when there were any. */
  const sendDeadLetters = async (runtime: PartitionRuntime): Promise<boolean> => {
    if (runtime.dlq.length === 0) return false;
    const letters = runtime.dlq.splice(0);
    try {
      await withRetry(
        retry,
        () =>
          producer.send({
            topic: dlqTopic,
            acks: -1,
            messages: letters.map((l) => ({
              key: l.message.key,
              value: l.message.value,
              headers: {
                error: l.reason,
                source_topic: runtime.state.topic,
                source_partition: String(runtime.state.partition),
                source_offset: l.offset.toString(),
              },
            })),
          }),
        (attempt, error, waitMs) => {
          metrics.retries.inc({ operation: "dlq_send" });
          emit({ kind: "retry", operation: "dlq send", attempt, error: String(error), waitMs });
        },
      );
    } catch (error) {
      runtime.dlq.unshift(...letters);
      throw error;
    }
    runtime.state.deadLettered(letters.map((l) => l.offset));
    for (const l of letters) {
      emit({
        kind: "dlq",
        topic: runtime.state.topic,
        partition: runtime.state.partition,
        offset: l.offset.toString(),
        reason: l.reason,
      });
    }
    summary.dlq += letters.length;
    metrics.dlq.inc({ topic: runtime.state.topic }, letters.length);
    return true;
  };

  /**
   * Commits the safe offset, or the same offset again when only the DLQ watermark moved: the watermark
   * lives in the commit's metadata, and a restart (or the partition's next owner) re-sends every dead
   * letter above the recorded one.
   */
  const commit = async (runtime: PartitionRuntime) => {
    if (runtime.revoked) return;
    let safe = runtime.state.safeOffset();
    if (safe === undefined) return;
    const dlq = runtime.state.dlqDurable;
    const behind = runtime.lastCommitted !== undefined && safe <= runtime.lastCommitted;
    if (behind && dlq === runtime.lastCommittedDlq) return;
    if (behind) safe = runtime.lastCommitted as bigint;
    const metadata = runtime.state.commitMetadata(safe);
    await withRetry(
      retry,
      () =>
        consumer.commitOffsets([
          {
            topic: runtime.state.topic,
            partition: runtime.state.partition,
            offset: safe.toString(),
            metadata,
          },
        ]),
      (attempt, error, waitMs) => {
        metrics.retries.inc({ operation: "commit" });
        emit({ kind: "retry", operation: "offset commit", attempt, error: String(error), waitMs });
      },
    );
    runtime.lastCommitted = safe;
    runtime.lastCommittedDlq = dlq;
  };

  /** One pass of the commit cycle; `all` seals every open file (drain). */
  const cycle = async (runtime: PartitionRuntime, all: boolean): Promise<void> => {
    let state: CycleState = { step: "dead-letter" };
    for (;;) {
      switch (state.step) {
        case "dead-letter":
          try {
            // Recorded at once rather than after this cycle's uploads: a crash or a rebalance in between
            // made the next owner send every one of them again (2,473 DLQ messages for 1,024 malformed
            // events across the crash test's three kills).
            if (await sendDeadLetters(runtime)) await commit(runtime);
            state = { step: "seal" };
          } catch (error) {
            state = { step: "pause", error };
          }
          break;
        case "seal":
          for (const writer of runtime.state.due(Date.now(), limits, all)) runtime.state.seal(writer);
          state = { step: "upload" };
          break;
        case "upload":
          try {
            // In order of first offset, so a 412 adoption re-keys exactly as the earlier attempt did.
            for (let file = runtime.state.sealed[0]; file; file = runtime.state.sealed[0]) {
              await upload(runtime, file);
            }
            state = { step: "commit" };
          } catch (error) {
            state = { step: "pause", error };
          }
          break;
        case "commit":
          try {
            await commit(runtime);
            state = { step: "done" };
          } catch (error) {
            state = { step: "pause", error };
          }
          break;
        case "pause": {
          // Never skip: keep everything buffered, stop fetching this partition, try again later.
          const { topic, partition } = runtime.state;
          if (runtime.revoked) return;
          if (runtime.pausedUntil === undefined) {
            consumer.pause([{ topic, partitions: [partition] }]);
            metrics.pauses.inc({ topic });
          }
          runtime.pausedUntil = Date.now() + pauseMs;
          emit({ kind: "paused", topic, partition, error: String(state.error), resumeInMs: pauseMs });
          return;
        }
        case "done":
          if (runtime.pausedUntil !== undefined && !runtime.revoked) {
            runtime.pausedUntil = undefined;
            const { topic, partition } = runtime.state;
            consumer.resume([{ topic, partitions: [partition] }]);
            emit({ kind: "resumed", topic, partition });
          }
          return;
      }
    }
  };

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (stopping) return;
    const runtime = await runtimeFor(batch.topic, batch.partition);
    const routed = await runtime.exclusive(async () => {
      if (runtime.pausedUntil !== undefined) return false; // a fetch that raced the pause: re-read later
      const now = Date.now();
      // kafkajs' resolveOffset and isStale parse and build offset strings and keys on every call (~2 µs
      // a message in `--cpu-prof`): resolve once, after the last routed message, and look for a stop or a
      // seek every few hundred messages. The sink never seeks, and everything routed is resolved.
      let last: string | undefined;
      const messages = batch.messages;
      for (let i = 0; i < messages.length; i++) {
        if (i % 256 === 0) {
          // kafkajs heartbeats only from here: keep the session alive through big batches on a busy machine.
          if (i > 0 && i % 2_048 === 0) await heartbeat();
          if (!isRunning() || isStale()) break;
        }
        const message = messages[i] as KafkaMessage;
        route(runtime, message, now);
        last = message.offset;
      }
      if (last !== undefined) resolveOffset(last);
      if (messages.length > 0) lastMessageAt = now;
      return true;
    });
    if (routed) {
      // Seal, upload and commit in the background: kafkajs fetches every partition in one request and
      // waits for all of their batches, so a cycle awaited here would stall the whole consume loop while
      // DuckDB encodes (on its own thread) and S3 stores. Memory stays bounded: when this partition's
      // files are due again while its earlier ones are still uploading, the batch waits for that upload.
      const cycled = runtime.requestCycle(() => cycle(runtime, false));
      cycled.catch((error) => emit({ kind: "warning", message: `commit cycle failed: ${String(error)}` }));
      if (runtime.state.sealed.length > 0 && runtime.state.due(Date.now(), limits).length > 0) {
        await awaitWithHeartbeats(cycled, heartbeat);
      }
    }
    await heartbeat();
  };

  // A rebalance may hand partitions elsewhere and restarts fetching from committed offsets: drop all
  // in-memory state; each partition restores its watermarks from the commit on its next batch.
  let joins = 0;
  let assignment: Map<string, Set<number>> | undefined;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = new Map(
      Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => [topic, new Set(partitions)]),
    );
    for (const runtime of runtimes.values()) {
      runtime.revoked = true;
      // Its successor starts unpaused, from the committed offset; a pause left behind would never lift.
      if (runtime.pausedUntil !== undefined) {
        consumer.resume([{ topic: runtime.state.topic, partitions: [runtime.state.partition] }]);
      }
    }
    runtimes.clear();
    if (++joins > 1) {
      emit({
        kind: "rebalance",
        assigned: Object.values(e.payload.memberAssignment).reduce((n, p) => n + p.length, 0),
      });
    }
  });

  /** This member's lag: the partitions assigned to it (every partition before the first join). */
  const lagOnce = async (): Promise<number> => {
    let total = 0;
    for (const topic of options.topics) {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      for (const end of ends) {
        // Another member's partition: its lag is that member's, measured there from its own position.
        // Read here from the committed offset, it stayed high while that member held rows of small
        // writers for --flush-interval, and kept this sink from stopping --until-idle.
        if (assignment && !assignment.get(topic)?.has(end.partition)) {
          metrics.lag.remove({ topic, partition: String(end.partition) });
          continue;
        }
        const runtime = runtimes.get(keyOf(topic, end.partition));
        const c = committed[0]?.partitions.find((p) => p.partition === end.partition);
        const committedOffset = c && BigInt(c.offset) >= 0n ? BigInt(c.offset) : BigInt(end.low);
        const position = runtime?.state.nextOffset ?? committedOffset;
        const lag = Number(BigInt(end.high) - position);
        metrics.lag.set({ topic, partition: String(end.partition) }, Math.max(0, lag));
        total += Math.max(0, lag);
      }
    }
    return total;
  };

  // Partitions drain in parallel so the encoder thread, S3 and the commit round trips overlap.
  const drain = async () => {
    await Promise.all(
      [...runtimes.values()].map((runtime) =>
        runtime.exclusive(() => runtime.cycleAfter(() => cycle(runtime, true))),
      ),
    );
    await registerPending();
  };

  let stopResolve: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stopResolve = resolve;
  });
  const requestStop = (reason: "signal" | "idle") => {
    if (stopping) return;
    stopping = reason;
    emit({ kind: "stopping", reason });
    stopResolve();
  };
  options.signal?.addEventListener("abort", () => requestStop("signal"), { once: true });
  if (options.signal?.aborted) requestStop("signal");

  let ticking = false;
  let lastLagAt = 0;
  const tick = async () => {
    if (ticking || stopping) return;
    ticking = true;
    try {
      const now = Date.now();
      const cycles: Promise<void>[] = [];
      for (const runtime of runtimes.values()) {
        const resume = runtime.pausedUntil !== undefined && runtime.pausedUntil <= now;
        const due = runtime.state.due(now, limits).length > 0;
        if (resume || (runtime.pausedUntil === undefined && due)) {
          cycles.push(runtime.requestCycle(() => cycle(runtime, false)));
        }
      }
      await Promise.all(cycles);
      await registerPending();
      if (now - lastLagAt >= 2_000) {
        lastLagAt = now;
        const lag = await lagOnce();
        const buffered = [...runtimes.values()].some(
          (r) => r.state.bufferedRecords() > 0 || r.dlq.length > 0,
        );
        const paused = [...runtimes.values()].some((r) => r.pausedUntil !== undefined);
        if (options.untilIdle && lag === 0 && !paused && now - lastMessageAt >= idleMs) {
          if (buffered) await drain();
          requestStop("idle");
        }
      }
    } catch (error) {
      emit({ kind: "warning", message: `tick failed: ${String(error)}` });
    } finally {
      ticking = false;
    }
  };

  try {
    await ensureTopics(admin, [dlqTopic], 1);
    if (options.metricsPort !== null) {
      metricsServer = await metrics.serve(options.metricsPort ?? 9464);
    }
    await registerPending();
    for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch,
    });
    emit({
      kind: "started",
      topics: options.topics,
      ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
    });
    const timer = setInterval(() => void tick(), 1_000);
    await stopped;
    clearInterval(timer);
    while (ticking) await new Promise((r) => setTimeout(r, 50));
    // Stop fetching, let in-flight batches finish (they hold the partition locks), then flush + commit all.
    consumer.pause(options.topics.map((topic) => ({ topic })));
    await drain();
    return summary;
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    await metricsServer?.close();
    await encoder.close();
    s3.destroy();
  }
}
