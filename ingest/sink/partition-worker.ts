import type { KafkaMessage } from "kafkajs";
import { type RetryPolicy, withRetry } from "../../core/retry.js";
import type { SinkKind } from "../cdc/cdc-topics.js";
import { changeLine, commitDate, decodeChange } from "../cdc/change-envelope.js";
import { changeColumns } from "../cdc/change-file.js";
import { type DecodeResult, decodeMessage, type TopicKind } from "../contracts.js";
import { traceIdFromHeader } from "../http/trace.js";
import { rowLine } from "../parquet-duckdb.js";
import { type DeadLetter, deadLetterRecord, truncatedRecord } from "./dead-letters.js";
import { type DeadLetterRecord, DeadLetterTooLarge, type PartitionIO } from "./partition-io.js";
import {
  ACTIVE,
  type FetchEffect,
  type Lifecycle,
  type LifecycleEvent,
  nextLifecycle,
} from "./partition-lifecycle.js";
import { type OpenFile, PartitionState, type RollLimits } from "./partition-state.js";
import type { DurableFile } from "./types.js";

/**
 * One Kafka partition of the sink: its messages routed into open files (the hot path), its lifecycle
 * (`partition-lifecycle.ts`: active / paused until / revoked) and its commit cycle — dead-letter → seal →
 * upload → commit, or pause — with every call outside memory going through `PartitionIO`. The exactly-once
 * bookkeeping is `PartitionState`'s; this class decides when it runs and what is safe to commit:
 * - the offset passes a row only once the object holding it is durable (written, or adopted on a 412);
 * - each DLQ send is followed by a commit that records the DLQ watermark in its metadata;
 * - a step that fails its last attempt pauses the partition (nothing skipped), a later cycle resumes it;
 * - once revoked, it may finish an upload (same key, If-None-Match) but never commits, pauses or resumes.
 */

export type Decoder = (kind: TopicKind, value: Buffer | null) => DecodeResult;

export interface WorkerConfig {
  readonly topic: string;
  readonly partition: number;
  readonly kind: SinkKind;
  /** Object key prefix of the raw area. */
  readonly prefix: string;
  readonly limits: RollLimits;
  readonly retry: RetryPolicy;
  /** How long a paused partition waits before its next round of attempts. */
  readonly pauseMs: number;
  readonly clock?: () => number;
  readonly decode?: Decoder;
}

/** What the worker reports (the sink turns it into its summary, metrics and events). */
export interface WorkerObserver {
  /** A replayed row already in a durable file. */
  skipped(): void;
  retry(
    operation: "s3_put" | "dlq_send" | "commit",
    what: string,
    attempt: number,
    error: unknown,
    waitMs: number,
  ): void;
  durable(file: DurableFile, bytes: number, seconds: number): void;
  deadLettered(letters: readonly DeadLetter[]): void;
  /** The DLQ topic refused the letter as too large: a truncated copy went instead. */
  truncated(letter: DeadLetter): void;
  paused(error: unknown, resumeInMs: number, first: boolean): void;
  resumed(): void;
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

/** A CDC topic's object: partitioned by the commit's date alone (its files' writers have no event type). */
export function changeObjectKey(
  prefix: string,
  topic: string,
  partition: number,
  date: string,
  start: bigint,
) {
  return `${prefix}${topic}/event_date=${date}/${topic}+${partition}+${start}.parquet`;
}

type CycleStep =
  | { readonly step: "dead-letter" }
  | { readonly step: "seal" }
  | { readonly step: "upload" }
  | { readonly step: "commit" }
  | { readonly step: "pause"; readonly error: unknown }
  | { readonly step: "done" };

export class PartitionWorker {
  readonly state: PartitionState;
  private readonly letters: DeadLetter[] = [];
  private lifecycle: Lifecycle = ACTIVE;
  private routing: Promise<unknown> = Promise.resolve();
  private cycles: Promise<unknown> = Promise.resolve();
  /** A cycle waiting behind the running one; later requests join it (it will see their rows). */
  private waitingCycle: Promise<void> | undefined;
  private lastCommitted: bigint | undefined;
  /** The DLQ watermark (`state.dlqDurable`) the last commit recorded. */
  private lastCommittedDlq: bigint | undefined;
  private readonly clock: () => number;
  private readonly decode: Decoder;

  constructor(
    private readonly config: WorkerConfig,
    private readonly io: PartitionIO,
    private readonly observer: WorkerObserver,
  ) {
    this.state = new PartitionState(config.topic, config.partition, config.kind);
    this.clock = config.clock ?? Date.now;
    this.decode = config.decode ?? decodeMessage;
  }

  /** Starts from the group's committed offset and the watermarks in its metadata. */
  restore(committed: { readonly offset: string; readonly metadata?: string | null } | undefined): void {
    this.state.restore(committed?.metadata);
    this.lastCommittedDlq = this.state.dlqDurable;
    if (committed && BigInt(committed.offset) >= 0n) this.lastCommitted = BigInt(committed.offset);
  }

  get lifecycleState(): Lifecycle {
    return this.lifecycle;
  }

  /** Batches are routed only while active: a fetch that raced a pause is re-read after the resume. */
  get accepting(): boolean {
    return this.lifecycle.kind === "active";
  }

  get paused(): boolean {
    return this.lifecycle.kind === "paused";
  }

  /** Rows or letters held in memory only. */
  hasPending(): boolean {
    return this.state.bufferedRecords() > 0 || this.letters.length > 0;
  }

  /** For the tick: a pause is over, or an active partition's files are due to roll. */
  wantsCycle(now: number): boolean {
    const l = this.lifecycle;
    if (l.kind === "paused") return l.until <= now;
    return l.kind === "active" && this.state.due(now, this.config.limits).length > 0;
  }

  /**
   * When this partition next needs a cycle without a new batch: its oldest open file's age deadline, or the
   * end of its pause. Undefined while a cycle waits to start (it seals whatever is due by then, so waking
   * for it again would only spin) and once revoked.
   */
  nextWake(): number | undefined {
    if (this.waitingCycle) return undefined;
    const l = this.lifecycle;
    if (l.kind === "paused") return l.until;
    return l.kind === "active" ? this.state.rollDeadline(this.config.limits.maxAgeMs) : undefined;
  }

  /** Files are due again while earlier ones are still uploading: the batch waits (memory stays bounded). */
  backlogged(now: number): boolean {
    return this.state.sealed.length > 0 && this.state.due(now, this.config.limits).length > 0;
  }

  /** Runs `fn` after every earlier routing task of this partition (a batch being routed, the drain). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.routing.then(fn, fn);
    this.routing = next.catch(() => {});
    return next;
  }

  /** Requests a commit cycle, joining one that is already waiting to start. */
  requestCycle(): Promise<void> {
    if (this.waitingCycle) return this.waitingCycle;
    const waiting = this.cycleAfter(() => {
      this.waitingCycle = undefined;
      return this.cycle(false);
    });
    this.waitingCycle = waiting;
    return waiting;
  }

  /** Seals every open file and runs a cycle, after any batch being routed (shutdown, idle). */
  drain(): Promise<void> {
    return this.exclusive(() => this.cycleAfter(() => this.cycle(true)));
  }

  revoke(): void {
    // A partition paused here and taken away is no longer paused by this member: say so, or its
    // `sink_paused` alert (and the paused gauge) would stay raised with nobody left to resolve it.
    if (this.apply({ type: "revoked" }) === "resume") this.observer.resumed();
  }

  /**
   * The hot path: one message into its open file, or into the DLQ list. No exception from one message may
   * stop the consumer (an exception out of the batch callback crashed kafkajs' consumer and nothing more was
   * consumed or dead-lettered): whatever makes decoding throw
   * — say, JSON nested deeper than the stack — dead-letters the message with the error as its reason.
   */
  route(message: KafkaMessage, now: number): void {
    const kind = this.state.kind;
    if (kind === "cdc") {
      this.routeChange(message, now);
      return;
    }
    const offset = BigInt(message.offset);
    let eventTime: string;
    let eventType: string;
    let row: string;
    try {
      const parsed = this.decode(kind, message.value);
      if (!parsed.ok) {
        this.deadLetter(offset, message, parsed.reason);
        return;
      }
      eventTime = String(parsed.event.fields.event_time);
      eventType = parsed.event.eventType;
      const trace = message.headers?.traceparent;
      row = rowLine(
        message.offset,
        parsed.event,
        parsed.text,
        Date.parse(eventTime),
        now,
        trace === undefined ? null : traceIdFromHeader(trace),
      );
    } catch (error) {
      this.deadLetter(offset, message, `the message could not be decoded: ${String(error)}`);
      return;
    }
    // event_time passed the contract as ISO-8601 UTC ("…Z"), so its first 10 characters are the UTC date.
    const date = eventTime.slice(0, 10);
    const size = message.value?.length ?? 0;
    if (!this.state.append(offset, date, eventType, row, size, Number(message.timestamp), now)) {
      this.observer.skipped();
    }
  }

  /** `route` for a CDC topic: a Debezium change into the open file of its commit date. */
  private routeChange(message: KafkaMessage, now: number): void {
    const offset = BigInt(message.offset);
    let date: string;
    let row: string;
    try {
      const decoded = decodeChange(message.value);
      if (!decoded.ok) {
        this.deadLetter(offset, message, decoded.reason);
        return;
      }
      date = commitDate(decoded.change);
      row = changeLine(message.offset, decoded.change, now);
    } catch (error) {
      this.deadLetter(offset, message, `the change could not be decoded: ${String(error)}`);
      return;
    }
    const size = message.value?.length ?? 0;
    if (!this.state.append(offset, date, "", row, size, Number(message.timestamp), now)) {
      this.observer.skipped();
    }
  }

  private deadLetter(offset: bigint, message: KafkaMessage, reason: string): void {
    this.state.handled(offset);
    if (this.state.alreadyDeadLettered(offset)) return;
    this.state.deadLetters.push(offset);
    this.letters.push({ offset, message, reason });
  }

  /** Runs commit cycles one at a time, in request order: uploads stay in order of first offset. */
  private cycleAfter<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.cycles.then(fn, fn);
    this.cycles = next.catch(() => {});
    return next;
  }

  /** One pass of the commit cycle; `all` seals every open file (drain). */
  private async cycle(all: boolean): Promise<void> {
    let state: CycleStep = { step: "dead-letter" };
    for (;;) {
      switch (state.step) {
        case "dead-letter":
          try {
            // Recorded at once rather than after this cycle's uploads: a crash or a rebalance in between
            // made the next owner send every one of them again (2,473 DLQ messages for 1,024 malformed
            // events across the crash test's three kills).
            if (await this.sendDeadLetters()) await this.commit();
            state = { step: "seal" };
          } catch (error) {
            state = { step: "pause", error };
          }
          break;
        case "seal":
          for (const writer of this.state.due(this.clock(), this.config.limits, all)) this.state.seal(writer);
          state = { step: "upload" };
          break;
        case "upload":
          try {
            // In order of first offset, so a 412 adoption re-keys exactly as the earlier attempt did.
            for (let file = this.state.sealed[0]; file; file = this.state.sealed[0]) await this.upload(file);
            state = { step: "commit" };
          } catch (error) {
            state = { step: "pause", error };
          }
          break;
        case "commit":
          try {
            await this.commit();
            state = { step: "done" };
          } catch (error) {
            state = { step: "pause", error };
          }
          break;
        case "pause": {
          // Never skip: keep everything buffered, stop fetching this partition, try again later.
          if (this.lifecycle.kind === "revoked") return;
          const effect = this.apply({ type: "failed", until: this.clock() + this.config.pauseMs });
          this.observer.paused(state.error, this.config.pauseMs, effect === "pause");
          return;
        }
        case "done":
          if (this.apply({ type: "recovered" }) === "resume") this.observer.resumed();
          return;
      }
    }
  }

  /** The one place the worker's fetching changes: the lifecycle's transition says whether it must. */
  private apply(event: LifecycleEvent): FetchEffect {
    const { state, effect } = nextLifecycle(this.lifecycle, event);
    this.lifecycle = state;
    if (effect === "pause") this.io.pause();
    else if (effect === "resume") this.io.resume();
    return effect;
  }

  private async upload(file: OpenFile): Promise<void> {
    const { topic, partition, kind } = this.state;
    const { prefix } = this.config;
    const key =
      kind === "cdc"
        ? changeObjectKey(prefix, topic, partition, file.eventDate, file.startOffset)
        : objectKey(prefix, topic, partition, file.eventDate, file.eventType, file.startOffset);
    const started = performance.now();
    const footer = {
      "floe.topic": topic,
      "floe.partition": String(partition),
      "floe.start_offset": file.startOffset.toString(),
      "floe.end_offset": file.endOffset.toString(),
    };
    let body: Uint8Array;
    if (kind === "cdc") {
      const columns = changeColumns(file.rows);
      await withRetry(
        this.config.retry,
        () => this.io.ensureColumns(columns),
        (attempt, error, waitMs) => this.observer.retry("s3_put", "column markers", attempt, error, waitMs),
      );
      body = await this.io.encode({ kind, partition, rows: file.rows, metadata: footer });
    } else {
      body = await this.io.encode({
        kind,
        eventType: file.eventType,
        partition,
        rows: file.rows,
        metadata: footer,
      });
    }
    const metadata = {
      "start-offset": file.startOffset.toString(),
      "end-offset": file.endOffset.toString(),
      records: String(file.rows.length),
    };
    let outcome: "written" | "existing" = "written";
    let durableEnd = file.endOffset;
    await withRetry(
      this.config.retry,
      async () => {
        if ((await this.io.put(key, body, metadata)) === "written") return;
        // An earlier attempt (before a crash, or a replay) already made this key durable: adopt it.
        const head = await this.io.head(key);
        outcome = "existing";
        durableEnd = BigInt(head["end-offset"] ?? file.endOffset.toString());
      },
      (attempt, error, waitMs) => this.observer.retry("s3_put", `put ${key}`, attempt, error, waitMs),
    );
    const durableAt = this.clock();
    const seconds = (performance.now() - started) / 1000;
    const rest = this.state.durableFile(file, durableEnd);
    const kept = rest ? file.rows.length - rest.rows.length : file.rows.length;
    const durable: DurableFile = {
      key,
      topic,
      partition,
      eventDate: file.eventDate,
      eventType: file.eventType,
      records: kept,
      outcome,
      kafkaTimestamps: file.rows.timestamps(0, kept),
      durableAt,
    };
    this.observer.durable(durable, body.length, seconds);
  }

  /**
   * Sends the pending dead letters; true when there were any. All at once; when the DLQ topic refuses that
   * as too large, one at a time, and a letter that alone is too large as a truncated copy: a letter that
   * can never be sent would hold back this partition (and every valid row after it) forever.
   */
  private async sendDeadLetters(): Promise<boolean> {
    if (this.letters.length === 0) return false;
    const letters = this.letters.splice(0);
    const { topic, partition } = this.state;
    let sent = 0;
    try {
      try {
        await this.send(letters.map((l) => deadLetterRecord(topic, partition, l)));
        sent = letters.length;
        this.deadLettered(letters);
      } catch (error) {
        if (!(error instanceof DeadLetterTooLarge)) throw error;
        for (const letter of letters) {
          const record = deadLetterRecord(topic, partition, letter);
          try {
            await this.send([record]);
          } catch (single) {
            if (!(single instanceof DeadLetterTooLarge)) throw single;
            await this.send([truncatedRecord(record)]);
            this.observer.truncated(letter);
          }
          sent++;
          this.deadLettered([letter]);
        }
      }
    } catch (error) {
      this.letters.unshift(...letters.slice(sent));
      throw error;
    }
    return true;
  }

  private send(records: readonly DeadLetterRecord[]): Promise<void> {
    return withRetry(
      this.config.retry,
      () => this.io.sendDeadLetters(records),
      (attempt, error, waitMs) => this.observer.retry("dlq_send", "dlq send", attempt, error, waitMs),
    );
  }

  private deadLettered(letters: readonly DeadLetter[]): void {
    this.state.deadLettered(letters.map((l) => l.offset));
    this.observer.deadLettered(letters);
  }

  /**
   * Commits the safe offset, or the same offset again when only the DLQ watermark moved: the watermark
   * lives in the commit's metadata, and a restart (or the partition's next owner) re-sends every dead
   * letter above the recorded one.
   */
  private async commit(): Promise<void> {
    if (this.lifecycle.kind === "revoked") return;
    let safe = this.state.safeOffset();
    if (safe === undefined) return;
    const dlq = this.state.dlqDurable;
    const behind = this.lastCommitted !== undefined && safe <= this.lastCommitted;
    if (behind && dlq === this.lastCommittedDlq) return;
    if (behind) safe = this.lastCommitted as bigint;
    const offset = safe;
    const metadata = this.state.commitMetadata(offset);
    await withRetry(
      this.config.retry,
      () => this.io.commit(offset, metadata),
      (attempt, error, waitMs) => this.observer.retry("commit", "offset commit", attempt, error, waitMs),
    );
    this.lastCommitted = offset;
    this.lastCommittedDlq = dlq;
  }
}
