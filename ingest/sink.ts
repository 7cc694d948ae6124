import { HeadBucketCommand } from "@aws-sdk/client-s3";
import type {
  Consumer,
  ConsumerCrashEvent,
  ConsumerGroupJoinEvent,
  EachBatchPayload,
  KafkaMessage,
} from "kafkajs";
import { Partitioners } from "kafkajs";
import { ALERTS_TOPIC } from "../core/alert.js";
import { EnvironmentError } from "../core/errors.js";
import { DEFAULT_RETRY, withRetry } from "../core/retry.js";
import { type AlertPublisher, kafkaAlertPublisher } from "./alert-publisher.js";
import { type SinkKind, sinkKindOf } from "./cdc/cdc-topics.js";
import { ColumnMarkers } from "./cdc/column-markers.js";
import { s3MarkerStore } from "./cdc/s3-marker-store.js";
import { DLQ_TOPIC } from "./contracts.js";
import { endpointsFromEnv, kafkaClient, s3Client } from "./endpoints.js";
import { DuckParquetEncoder } from "./parquet-duckdb.js";
import { DEFAULT_RAW_TARGET } from "./raw-tables.js";
import { DLQ_PRODUCER_CONFIG } from "./sink/dead-letters.js";
import { SINK_DEFAULTS } from "./sink/defaults.js";
import { type SinkHealthFacts, sinkReadiness } from "./sink/health.js";
import { awaitWithHeartbeats } from "./sink/heartbeats.js";
import { FetchControl, partitionIO, type SinkClients } from "./sink/kafka-s3-io.js";
import { type Assignment, memberLag } from "./sink/member-lag.js";
import { SinkMetrics } from "./sink/metrics.js";
import type { RollLimits } from "./sink/partition-state.js";
import { PartitionWorker, type WorkerConfig } from "./sink/partition-worker.js";
import { PauseAlerts } from "./sink/pause-alerts.js";
import { RegistrationQueue } from "./sink/registration-queue.js";
import { DEFAULT_TOPIC_WAIT, ensureDeadLetterTopic, waitForSourceTopics } from "./sink/topics.js";
import type { SinkEvent, SinkOptions, SinkSummary } from "./sink/types.js";
import { earliest, WakeTimer } from "./sink/wake-timer.js";
import { workerObserver } from "./sink/worker-observer.js";

export { objectKey } from "./sink/partition-worker.js";

/** How often the sink checks that S3 answers, for `/readyz` (only while it serves metrics). */
const S3_PROBE_EVERY_MS = 10_000;
/** How often the sink looks for optional topics that do not exist yet. */
const TOPIC_CHECK_MS = 10_000;

export type { DurableFile, SinkEvent, SinkOptions, SinkSummary } from "./sink/types.js";

/**
 * The Kafka → S3 raw sink: the Kafka wiring, the tick and the stop. Each assigned partition has a
 * `PartitionWorker` (sink/partition-worker.ts) that routes its messages into open files and runs its commit
 * cycle (dead-letter → seal → upload → commit, or pause) in the background of the consume loop; this file
 * makes the workers, hands them batches, asks for cycles (after every batch; at the earliest file age
 * deadline or pause end, on a timer; and on a 1 s tick that also registers, probes and checks idleness),
 * revokes them on a rebalance and drains them on stop.
 */
export async function runSink(options: SinkOptions): Promise<SinkSummary> {
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const bucket = options.bucket ?? endpoints.bucket;
  const prefix = options.prefix ?? SINK_DEFAULTS.prefix;
  const dlqTopic = options.dlqTopic ?? DLQ_TOPIC;
  const groupId = options.groupId ?? SINK_DEFAULTS.groupId;
  const limits: RollLimits = {
    maxRecords: options.flushRecords ?? SINK_DEFAULTS.flushRecords,
    maxBytes: options.flushBytes ?? SINK_DEFAULTS.flushBytes,
    maxAgeMs: options.flushIntervalMs ?? SINK_DEFAULTS.flushIntervalMs,
  };
  const idleMs = options.idleMs ?? SINK_DEFAULTS.idleMs;
  const report = options.onEvent ?? (() => {});
  // A partition paused after its retries ran out (and its resume) is also a `sink_paused` alert on Kafka's
  // `alerts` topic (DESIGN.md); publishing is best effort: a failure is a warning, never a stop.
  const pauseAlerts = new PauseAlerts();
  let alerts: AlertPublisher | undefined;
  const publishing = new Set<Promise<void>>();
  const emit = (event: SinkEvent) => {
    report(event);
    const alert = pauseAlerts.onEvent(event);
    if (alert && alerts) {
      const sent = alerts.publish(alert).catch((error: unknown) => {
        report({ kind: "warning", message: `alert not published on Kafka: ${String(error)}` });
      });
      publishing.add(sent);
      void sent.finally(() => publishing.delete(sent));
    }
  };
  // Optional topics (Debezium's, created on a table's first change) are consumed once they exist.
  const optional = (options.optionalTopics ?? []).filter((t) => !options.topics.includes(t));
  const allTopics = [...options.topics, ...optional];
  const kinds = new Map<string, SinkKind>();
  for (const topic of allTopics) {
    const kind = sinkKindOf(topic);
    if (!kind) {
      throw new EnvironmentError(
        "SINK_TOPIC",
        `Topic "${topic}" has no event contract and is no CDC topic.`,
        {
          hint: "event topics end with user-events, product-metadata or orders; Debezium's are db.<table>",
        },
      );
    }
    kinds.set(topic, kind);
  }

  const metrics = options.metrics ?? new SinkMetrics();
  const encoder = await DuckParquetEncoder.create(options.encoderThreads ?? SINK_DEFAULTS.encoderThreads);
  const summary: SinkSummary = { records: 0, files: 0, existingFiles: 0, dlq: 0, skipped: 0 };
  const s3 = s3Client(endpoints);
  const kafka = kafkaClient(endpoints, "floe-sink");
  const alertsTopic = options.alertsTopic === undefined ? ALERTS_TOPIC : options.alertsTopic;
  if (alertsTopic) alerts = kafkaAlertPublisher(kafka, alertsTopic);
  const admin = kafka.admin();
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    ...DLQ_PRODUCER_CONFIG,
  });
  const consumerConfig = {
    groupId,
    // Long enough for a starved 2-core machine; a SIGKILLed sink's partitions move after this long.
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    allowAutoTopicCreation: false,
  };
  let consumer = kafka.consumer(consumerConfig);
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

  let fetch = new FetchControl(consumer);
  const target = {
    ...DEFAULT_RAW_TARGET,
    bucket,
    prefix,
    schema: options.hiveSchema ?? SINK_DEFAULTS.hiveSchema,
  };
  // CDC tables' columns: markers on S3 first, then the table's ALTER through the registration queue.
  const markers: ColumnMarkers = new ColumnMarkers(s3MarkerStore(s3, bucket), prefix, (topic, columns) =>
    registration.addColumns(topic, columns),
  );
  const registration = new RegistrationQueue(options.trino, target, allTopics, emit, (topic) =>
    markers.columns(topic),
  );
  let clients: SinkClients = { s3, bucket, encoder, producer, dlqTopic, consumer, fetch, markers };
  const reporting = { summary, metrics, registration, emit, onDurable: options.onDurable };
  const retry = options.retry ?? DEFAULT_RETRY;
  const pauseMs = options.pauseMs ?? SINK_DEFAULTS.pauseMs;
  let metricsServer: { port: number; close: () => Promise<void> } | undefined;
  const workers = new Map<string, PartitionWorker>();
  const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;
  let lastMessageAt = Date.now();
  let stopping: "signal" | "idle" | undefined;
  // What /readyz answers from: group membership from the consumer's events, S3 from a probe on the tick.
  const health: SinkHealthFacts = { joined: false, stopping: false };
  let lastS3ProbeAt = 0;
  const probeS3 = async (now: number) => {
    lastS3ProbeAt = now;
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(5_000) });
      health.s3 = { ok: true, at: Date.now() };
    } catch (error) {
      health.s3 = {
        ok: false,
        at: Date.now(),
        error: error instanceof Error ? error.message || error.name : String(error),
      };
    }
  };
  /** The topics the running consumer subscribed: the required ones and the optional ones that existed. */
  let subscribed: string[] = [...options.topics];
  let missingOptional: string[] = [];
  /** Set while the consumer is replaced to subscribe topics that appeared: batches wait for the new one. */
  let resubscribing = false;
  let lastTopicCheckAt = Date.now();

  const workerFor = async (topic: string, partition: number): Promise<PartitionWorker> => {
    const key = keyOf(topic, partition);
    let worker = workers.get(key);
    if (!worker) {
      const kind = kinds.get(topic) as SinkKind;
      const config: WorkerConfig = { topic, partition, kind, prefix, limits, retry, pauseMs };
      const observer = workerObserver(reporting, topic, partition);
      worker = new PartitionWorker(config, partitionIO(clients, topic, partition), observer);
      workers.set(key, worker);
      const committed = await withRetry(retry, () => admin.fetchOffsets({ groupId, topics: [topic] }));
      worker.restore(committed[0]?.partitions.find((p) => p.partition === partition));
    }
    return worker;
  };

  /**
   * Asks `worker` for a cycle in the background, and once it ran arms the wake timer for the worker's next
   * deadline (files opened meanwhile, a pause that began): no deadline waits for the tick.
   */
  const startCycle = (worker: PartitionWorker): Promise<void> => {
    const cycled = worker.requestCycle();
    cycled.then(
      () => wake.arm(worker.nextWake()),
      (error: unknown) => emit({ kind: "warning", message: `commit cycle failed: ${String(error)}` }),
    );
    return cycled;
  };
  /** The wake timer's work: cycles for the partitions whose deadline came, then the next deadline. */
  const wakeDue = () => {
    if (stopping) return;
    const now = Date.now();
    for (const worker of workers.values()) if (worker.wantsCycle(now)) void startCycle(worker);
    wake.arm(earliest([...workers.values()].map((w) => w.nextWake())));
  };
  const wake = new WakeTimer(wakeDue);

  const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (stopping || resubscribing) return;
    const worker = await workerFor(batch.topic, batch.partition);
    const routed = await worker.exclusive(async () => {
      if (!worker.accepting) return false; // a fetch that raced the pause: re-read later
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
        worker.route(message, now);
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
      const cycled = startCycle(worker);
      if (worker.backlogged(Date.now())) await awaitWithHeartbeats(cycled, heartbeat);
    }
    await heartbeat();
  };

  // A rebalance may hand partitions elsewhere and restarts fetching from committed offsets: drop all
  // in-memory state; each partition restores its watermarks from the commit on its next batch.
  let joins = 0;
  let assignment: Assignment;
  const onJoin = (e: ConsumerGroupJoinEvent) => {
    health.joined = true;
    assignment = new Map(
      Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => [topic, new Set(partitions)]),
    );
    for (const worker of workers.values()) worker.revoke();
    workers.clear();
    if (++joins > 1 && !resubscribing) {
      emit({
        kind: "rebalance",
        assigned: Object.values(e.payload.memberAssignment).reduce((n, p) => n + p.length, 0),
      });
    }
  };

  // Partitions drain in parallel so the encoder thread, S3 and the commit round trips overlap.
  const drain = async () => {
    await Promise.all([...workers.values()].map((worker) => worker.drain()));
    await registration.flush();
  };

  let stopResolve: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stopResolve = resolve;
  });
  const requestStop = (reason: "signal" | "idle") => {
    if (stopping) return;
    stopping = reason;
    health.stopping = true;
    emit({ kind: "stopping", reason });
    stopResolve();
  };
  options.signal?.addEventListener("abort", () => requestStop("signal"), { once: true });
  if (options.signal?.aborted) requestStop("signal");
  // kafkajs gives up on a consumer whose error it deems permanent: stop with that error rather than go on
  // ticking over partitions nobody fetches any more.
  let crashed: unknown;
  const onCrash = (e: ConsumerCrashEvent) => {
    health.joined = false;
    if (e.payload.restart) return;
    crashed = e.payload.error;
    stopResolve();
  };
  const listen = (c: Consumer) => {
    c.on(c.events.REBALANCING, () => {
      health.joined = false;
    });
    c.on(c.events.GROUP_JOIN, onJoin);
    c.on(c.events.CRASH, onCrash);
  };
  listen(consumer);

  /** Subscribes the required topics and the optional ones that exist now, and starts consuming. */
  const startConsuming = async () => {
    const existing = new Set(await admin.listTopics());
    missingOptional = optional.filter((t) => !existing.has(t));
    subscribed = [...options.topics, ...optional.filter((t) => existing.has(t))];
    for (const topic of subscribed) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch,
    });
  };

  /**
   * Optional topics that appeared since the consumer started: kafkajs subscribes only before `run`, so the
   * sink flushes and commits what it holds, leaves the group and joins again with a new consumer that
   * subscribes them too. Nothing is lost or written twice: it is a rebalance that this member asks for.
   */
  const subscribeAppeared = async (now: number) => {
    if (!resubscribing) {
      if (missingOptional.length === 0 || now - lastTopicCheckAt < TOPIC_CHECK_MS) return;
      lastTopicCheckAt = now;
      const existing = new Set(await admin.listTopics());
      const appeared = missingOptional.filter((t) => existing.has(t));
      if (appeared.length === 0) return;
      resubscribing = true;
      fetch.pauseTopics(subscribed);
      await drain();
      await consumer.disconnect().catch(() => {});
      for (const worker of workers.values()) worker.revoke();
      workers.clear();
    }
    // Until a new consumer runs, `resubscribing` stays set and each tick tries again.
    consumer = kafka.consumer(consumerConfig);
    listen(consumer);
    fetch = new FetchControl(consumer);
    clients = { ...clients, consumer, fetch };
    const before = new Set(subscribed);
    try {
      await consumer.connect();
      await startConsuming();
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    resubscribing = false;
    emit({ kind: "subscribed", topics: subscribed.filter((t) => !before.has(t)) });
  };

  let ticking = false;
  let lastLagAt = 0;
  const tick = async () => {
    if (ticking || stopping) return;
    ticking = true;
    try {
      const now = Date.now();
      // The wake timer rolls files at their deadlines; this is its safety net (a deadline it was never
      // armed for), and the retry of registrations that failed.
      wakeDue();
      await registration.flush();
      // Not awaited: a hanging S3 must not hold the tick (its 5 s timeout ends the probe).
      if (metricsServer && now - lastS3ProbeAt >= S3_PROBE_EVERY_MS) void probeS3(now);
      await subscribeAppeared(now);
      if (now - lastLagAt >= 2_000 && !resubscribing) {
        lastLagAt = now;
        const positionOf = (topic: string, partition: number) =>
          workers.get(keyOf(topic, partition))?.state.nextOffset;
        const lag = await memberLag(admin, groupId, subscribed, assignment, positionOf, metrics.lag);
        let active = 0;
        for (const w of workers.values()) active += w.state.bufferedRecords();
        metrics.activeRecords.set(active);
        const pending = [...workers.values()].some((w) => w.hasPending());
        const paused = [...workers.values()].some((w) => w.paused);
        if (options.untilIdle && lag === 0 && !paused && now - lastMessageAt >= idleMs) {
          if (pending) await drain();
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
    await waitForSourceTopics(admin, options.topics, endpoints.brokers, {
      ...DEFAULT_TOPIC_WAIT,
      onWaiting: (missing) =>
        emit({ kind: "warning", message: `waiting for topic ${missing.join(", ")} to be created` }),
    });
    const dlqWarning = await ensureDeadLetterTopic(admin, dlqTopic, options.topics);
    if (dlqWarning) emit({ kind: "warning", message: dlqWarning });
    if (options.metricsPort !== null) {
      metricsServer = await metrics.serve(
        options.metricsPort ?? SINK_DEFAULTS.metricsPort,
        options.metricsHost ?? SINK_DEFAULTS.metricsHost,
        () => sinkReadiness(health, Date.now()),
      );
      await probeS3(Date.now());
    }
    await registration.flush();
    await startConsuming();
    emit({
      kind: "started",
      topics: subscribed,
      ...(missingOptional.length > 0 ? { waitingFor: missingOptional } : {}),
      ...(metricsServer
        ? { metricsPort: metricsServer.port, metricsHost: options.metricsHost ?? SINK_DEFAULTS.metricsHost }
        : {}),
    });
    const timer = setInterval(() => void tick(), 1_000);
    await stopped;
    clearInterval(timer);
    wake.close();
    while (ticking) await new Promise((r) => setTimeout(r, 50));
    if (crashed !== undefined) {
      throw new EnvironmentError("SINK_CONSUMER_CRASHED", `The Kafka consumer stopped: ${String(crashed)}`, {
        hint: "start the sink again: it goes on from the committed offsets, and files already written are kept",
        cause: crashed,
      });
    }
    // Stop fetching, let in-flight batches finish (they hold the partition locks), then flush + commit all.
    if (!resubscribing) fetch.pauseTopics(subscribed);
    await drain();
    return summary;
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    await Promise.all(publishing);
    await alerts?.close();
    await metricsServer?.close();
    await encoder.close();
    s3.destroy();
  }
}
