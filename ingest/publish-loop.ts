import { FloeError } from "../core/errors.js";
import { isRetriable, type RetryPolicy, withRetry } from "../core/retry.js";
import { parseEvent, type TopicKind } from "./contracts.js";
import { shopStream } from "./generator.js";
import {
  type Checkpoint,
  type CheckpointStore,
  checkResumable,
  type EndOffsets,
  type GeneratorSettings,
  landedOfPending,
  partitionKey,
} from "./publish-checkpoint.js";
import { type Pace, pace, Restamper } from "./realtime.js";
import type { StreamFollower } from "./shop-db/shop-db-follower.js";
import {
  type LedgerCounts,
  LedgerCountsFold,
  type LedgerEntry,
  LedgerFold,
  type LedgerHeader,
  type ShopLedger,
} from "./shop-ledger.js";
import { type GeneratedMessage, ledgerEntryOf } from "./stream-mixer.js";

/**
 * Publishing the generated stream, as a loop over batches with its I/O injected (`PublishIO`): the Kafka
 * wiring lives in `producer.ts`, tests pass a recording fake. Each batch is sent with acks=all and retried
 * with the one backoff policy (`core/retry.ts`) through a broker outage; only after its ack does it count
 * as published, go into the ledger (a fold of exactly what Kafka acknowledged) and move the checkpoint
 * (`publish-checkpoint.ts`), so a stopped, failed or killed run resumes without a duplicate.
 */

export interface OutgoingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly value: string;
}

export interface PublishIO {
  /**
   * One produce request, acks=all: resolves when every message is acknowledged. A failed batch is sent
   * again as it was (the idempotent producer lets the broker drop what an earlier attempt wrote).
   */
  send(batch: readonly OutgoingMessage[]): Promise<void>;
  /** End offsets of every partition of the run's topics. */
  endOffsets(): Promise<EndOffsets>;
  /** The partition a keyed message goes to (fixed by the topic's partition count). */
  partitionOf(topic: string, key: string): number;
}

/** The generator's loop, explicitly: where it is and where it may go from there. */
export type PublishPhase =
  | "starting"
  | "publishing"
  | "retrying"
  | "stopping"
  | "complete"
  | "stopped"
  | "failed";

const NEXT: Record<PublishPhase, readonly PublishPhase[]> = {
  starting: ["publishing", "retrying", "stopping", "failed"],
  publishing: ["retrying", "stopping", "complete", "failed"],
  retrying: ["publishing", "stopping", "failed"],
  stopping: ["stopped"],
  complete: [],
  stopped: [],
  failed: [],
};

export type PublishEvent =
  | { readonly kind: "phase"; readonly phase: PublishPhase }
  | { readonly kind: "progress"; readonly published: number; readonly total: number }
  | { readonly kind: "retry"; readonly attempt: number; readonly waitMs: number; readonly error: string }
  | { readonly kind: "resumed"; readonly from: number; readonly total: number; readonly landed: number };

export interface PublishRun {
  readonly settings: GeneratorSettings;
  readonly topicOf: (kind: TopicKind) => string;
  /** Messages per produce request. */
  readonly batch: number;
  /** Messages per second; undefined = as fast as possible. */
  readonly rate?: number;
  /** When each message is due (steady rate with bursts); overrides `rate`. */
  readonly pace?: Pace;
  /**
   * Real time: each valid message is stamped with `clock()` as it is taken for sending (a late one
   * `lateByMs` earlier), so its event time is when it left. Such a run cannot be resumed: its times differ.
   */
  readonly realtime?: { readonly clock: () => number; readonly lateByMs: number };
  /** Continue the run recorded in the checkpoint instead of starting one. */
  readonly resume: boolean;
  readonly retry: RetryPolicy;
  /** Stops the run after the batch in flight (resumable). */
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: PublishEvent) => void;
  /**
   * Follows what Kafka acknowledged (the shop database writer): each batch after its ack and before the
   * checkpoint moves, so a run stopped in between applies that batch again on `--resume`.
   */
  readonly follower?: StreamFollower;
}

export interface PublishOutcome<L extends LedgerCounts = ShopLedger> {
  readonly state: "complete" | "stopped";
  /** Messages of the stream in Kafka (from this run and the runs it resumed). */
  readonly published: number;
  readonly total: number;
  /** The fold of exactly those messages (only its counts from `publishStreamCounts`). */
  readonly ledger: L;
}

/**
 * Kafka did not acknowledge a batch within the retry policy; carries what was published until then (the
 * whole ledger from `publishStream`, the counts from `publishStreamCounts`).
 */
export class PublishFailed<L extends LedgerCounts = LedgerCounts> extends FloeError {
  override readonly name: string = "PublishFailed";
  constructor(
    readonly outcome: Omit<PublishOutcome<L>, "state">,
    checkpointPath: string,
    cause: unknown,
  ) {
    super(
      "KAFKA_PUBLISH_FAILED",
      `Kafka did not acknowledge the generator's messages (${messageOf(cause)}); ` +
        `${outcome.published} of ${outcome.total} messages are published`,
      {
        hint: `once Kafka is back (\`floe stack status\`), run the same command with --resume: the checkpoint ${checkpointPath} records what was published`,
        exitCode: 2,
        retriable: true,
        cause,
      },
    );
  }
}

/** The follower (the shop database) did not take a batch Kafka acknowledged. */
export class FollowFailed extends FloeError {
  override readonly name: string = "FollowFailed";
  constructor(published: number, total: number, checkpointPath: string, cause: unknown) {
    super(
      "FOLLOW_FAILED",
      `${messageOf(cause)}; ${published} of ${total} messages are published and applied, the batch after them is in Kafka only`,
      {
        hint: `once it is back, run the same command with --resume (the checkpoint ${checkpointPath} records the run; the batch is applied again)`,
        exitCode: 2,
        retriable: cause instanceof FloeError ? cause.retriable : true,
        cause,
      },
    );
  }
}

class Stopped extends Error {}

interface Entry {
  readonly message: GeneratedMessage;
  readonly out: OutgoingMessage;
  /** Already in Kafka (an interrupted batch's part that landed): counted, not sent. */
  readonly landed: boolean;
}

const PROGRESS_EVERY = 10_000;

/** Publishes the run; the outcome's ledger is the whole one (orders, revenue, funnel: it grows with the run). */
export function publishStream(
  run: PublishRun,
  io: PublishIO,
  store: CheckpointStore,
): Promise<PublishOutcome> {
  return publishWith(run, io, store, (header) => new LedgerFold(header));
}

/**
 * Publishes the run keeping only the ledger's counts, in constant memory: for a long real-time run that
 * writes no ledger file (issue 13's soak: the whole ledger took the generator from 262 MB to 1 GB in 15 min).
 */
export function publishStreamCounts(
  run: PublishRun,
  io: PublishIO,
  store: CheckpointStore,
): Promise<PublishOutcome<LedgerCounts>> {
  return publishWith(run, io, store, (header) => new LedgerCountsFold(header));
}

/** The fold a run keeps of what Kafka acknowledged. */
interface RunFold<L extends LedgerCounts> {
  add(entry: LedgerEntry): void;
  ledger(): L;
}

async function publishWith<L extends LedgerCounts>(
  run: PublishRun,
  io: PublishIO,
  store: CheckpointStore,
  newFold: (header: LedgerHeader) => RunFold<L>,
): Promise<PublishOutcome<L>> {
  const total = run.settings.events;
  const emit = run.onEvent ?? (() => {});
  let phase: PublishPhase = "starting";
  const enter = (next: PublishPhase) => {
    if (next === phase) return;
    if (!NEXT[phase].includes(next)) throw new Error(`generator: no way from ${phase} to ${next}`);
    phase = next;
    emit({ kind: "phase", phase });
  };
  const { messages, header } = shopStream({
    events: total,
    seed: run.settings.seed,
    start: new Date(run.settings.start),
    days: run.settings.days,
    duplicates: run.settings.duplicates,
    malformed: run.settings.malformed,
    late: run.settings.late,
    oversized: run.settings.oversized,
    v3Share: run.settings.v3Share,
  });
  const fold = newFold(header);
  let published = 0;
  const stopRequested = () => run.signal?.aborted === true;

  /** A Kafka call under the retry policy; gives up as `Stopped` on a stop request, else `PublishFailed`. */
  const kafka = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await withRetry(
        run.retry,
        async () => {
          if (stopRequested()) throw new Stopped();
          const result = await fn();
          if (phase === "retrying") enter("publishing");
          return result;
        },
        (attempt, error, waitMs) => {
          enter("retrying");
          emit({ kind: "retry", attempt, waitMs, error: messageOf(error) });
        },
        (error) => !stopRequested() && isRetriable(error),
      );
    } catch (error) {
      if (error instanceof Stopped || stopRequested()) throw new Stopped();
      enter("failed");
      throw new PublishFailed({ published, total, ledger: fold.ledger() }, store.path, error);
    }
  };
  /** The follower's failure ends the run like Kafka's: resumable, the batch applied again on --resume. */
  const follow = async (follower: StreamFollower, batch: readonly Entry[]): Promise<void> => {
    try {
      await follower.follow(batch.map((e) => e.message));
    } catch (error) {
      if (stopRequested()) throw new Stopped();
      enter("failed");
      throw new FollowFailed(published, total, store.path, error);
    }
  };
  const partitionOf = (message: GeneratedMessage) => {
    const topic = run.topicOf(message.kind);
    return { topic, partition: io.partitionOf(topic, message.key) };
  };
  const restamper = run.realtime ? new Restamper(run.realtime.lateByMs) : undefined;
  const take = (n: number): Entry[] => {
    const entries: Entry[] = [];
    const now = run.realtime?.clock() ?? 0;
    for (let i = 0; i < n; i++) {
      const next = messages.next();
      if (next.done) break;
      const message = restamper ? restamper.stamp(next.value, now) : next.value;
      entries.push({ message, out: outgoing(message, partitionOf(message)), landed: false });
    }
    return entries;
  };

  /** A new run: the topics' end offsets now are its baseline. */
  const start = async (): Promise<{ checkpoint: Checkpoint; batch: Entry[] }> => {
    const baseline = await kafka(() => io.endOffsets());
    const checkpoint: Checkpoint = {
      version: 1,
      settings: run.settings,
      baseline,
      published: 0,
      sendingTo: Math.min(run.batch, total),
      updatedAt: new Date().toISOString(),
    };
    await store.write(checkpoint);
    return { checkpoint, batch: take(checkpoint.sendingTo) };
  };

  /** The recorded run: replays its published part, then finds what of its interrupted batch landed. */
  const resume = async (): Promise<{ checkpoint: Checkpoint; batch: Entry[] }> => {
    const checkpoint = checkResumable(await store.read(), run.settings, store.path);
    const accounted: EndOffsets = { ...checkpoint.baseline };
    for (; published < checkpoint.published; published++) {
      const next = messages.next();
      if (next.done) break;
      fold.add(ledgerEntryOf(next.value));
      run.follower?.replay(next.value);
      const { topic, partition } = partitionOf(next.value);
      const key = partitionKey(topic, partition);
      accounted[key] = (accounted[key] ?? 0) + 1;
    }
    const pending = take(checkpoint.sendingTo - checkpoint.published);
    const current = await kafka(() => io.endOffsets());
    const keys = pending.map((e) => partitionKey(e.out.topic, e.out.partition));
    const landed = landedOfPending(accounted, current, keys);
    emit({ kind: "resumed", from: published, total, landed: landed.filter(Boolean).length });
    return { checkpoint, batch: pending.map((e, i) => ({ ...e, landed: landed[i] === true })) };
  };

  try {
    let { checkpoint, batch } = run.resume ? await resume() : await start();
    enter("publishing");
    const began = Date.now();
    const from = published;
    const due = run.pace ?? (run.rate ? pace(run.rate) : undefined);
    while (batch.length > 0) {
      if (stopRequested()) throw new Stopped();
      const send = batch.filter((e) => !e.landed).map((e) => e.out);
      if (send.length > 0) await kafka(() => io.send(send));
      if (run.follower) await follow(run.follower, batch);
      for (const e of batch) fold.add(ledgerEntryOf(e.message));
      const before = published;
      published += batch.length;
      checkpoint = {
        ...checkpoint,
        published,
        sendingTo: Math.min(published + run.batch, total),
        updatedAt: new Date().toISOString(),
      };
      await store.write(checkpoint);
      if (Math.floor(published / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
        emit({ kind: "progress", published, total });
      }
      if (due) await pause(began + due.dueMs(published - from) - Date.now(), run.signal);
      batch = take(checkpoint.sendingTo - published);
    }
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
    enter("stopping");
    enter("stopped");
    return { state: "stopped", published, total, ledger: fold.ledger() };
  }
  enter("complete");
  emit({ kind: "progress", published, total });
  return { state: "complete", published, total, ledger: fold.ledger() };
}

/** The message as it goes out; a valid first copy must pass its contract first. */
function outgoing(message: GeneratedMessage, to: { topic: string; partition: number }): OutgoingMessage {
  // Duplicates and malformed messages go out as their bytes: they exist to test the sink.
  if (message.event && !message.duplicate) assertContract(message.kind, message.event);
  return { ...to, key: message.key, value: message.value };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The producer refuses to publish an event that breaks its contract. */
export function assertContract(kind: TopicKind, event: Record<string, unknown>): void {
  const result = parseEvent(kind, event);
  if (!result.ok) throw new ContractViolation(kind, result.reason);
}

/** Raised when the producer is handed an event that breaks its contract: it never reaches Kafka. */
export class ContractViolation extends FloeError {
  constructor(kind: TopicKind, reason: string) {
    super("CONTRACT", `refusing to publish an invalid ${kind} event: ${reason}`, {
      hint: "fix the event so it matches ingest/contracts.ts",
      exitCode: 1,
    });
  }
}

/** Waits, but not past a stop request. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
