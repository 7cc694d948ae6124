import { FloeError } from "../../core/errors.js";
import { isRetriable, type RetryPolicy, withRetry } from "../../core/retry.js";
import type { EndOffsets } from "../publish-checkpoint.js";
import type { LoadEntry, LoadMessage } from "./load-messages.js";
import type { LoadCheckpoint, LoadStore } from "./load-store.js";

/**
 * Publishing one file's rows, batch by batch, with its I/O injected (`LoadIO`; `kafka-load-io.ts` wires
 * kafkajs, unit tests a fake), so that a file is never half-loaded and never loaded twice:
 *
 * - before a batch is sent, the checkpoint records the rows acknowledged so far (acks=all), the rows the
 *   batch covers and the topics' end offsets;
 * - a batch whose send failed, or that a killed run left unacknowledged, may have landed in part: every
 *   message names its row (the `load_row` header: file SHA-256 and row), so the partitions are read from the
 *   recorded offsets and only the rows not found there are sent. Unlike the generator's resume (which
 *   counts end offsets), this holds while other producers write to the same topics.
 *
 * The producer is therefore not idempotent and kafkajs does not retry sends itself: every resend goes
 * through this look-up (see `DLQ_PRODUCER_CONFIG` for why kafkajs' idempotent producer is not trusted).
 * The caller writes the file's record after `complete`; a stop or a failure leaves only the checkpoint.
 */

export interface LoadIO {
  /** One produce request, acks=all; resolves when every message is acknowledged. */
  send(messages: readonly LoadMessage[]): Promise<void>;
  /** End offsets of every partition of the load's topics (events and DLQ). */
  endOffsets(): Promise<EndOffsets>;
  /** The rows of file `sha256` found in those partitions between `from` and their end now. */
  landedRows(sha256: string, from: EndOffsets): Promise<ReadonlySet<number>>;
}

export interface LoadRun {
  readonly sha256: string;
  /** Rows per produce request. */
  readonly batch: number;
  readonly retry: RetryPolicy;
  /** Stops after the batch in flight (the next load of the file resumes). */
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: LoadLoopEvent) => void;
}

export type LoadLoopEvent =
  | { readonly kind: "resumed"; readonly from: number; readonly landed: number }
  | { readonly kind: "progress"; readonly rows: number }
  | { readonly kind: "retry"; readonly attempt: number; readonly waitMs: number; readonly error: string };

export interface LoadCounts {
  /** Rows in Kafka (events and dead letters), from this run and the runs it resumed. */
  readonly rows: number;
  readonly accepted: Readonly<Record<string, number>>;
  readonly deadLettered: number;
}

export interface LoadLoopOutcome extends LoadCounts {
  readonly state: "complete" | "stopped";
  /** Rows a previous run had published (0 for a fresh load). */
  readonly resumedFrom: number;
}

/** Kafka did not acknowledge a batch within the retry policy. */
export class LoadPublishFailed extends FloeError {
  override readonly name: string = "LoadPublishFailed";
  constructor(
    readonly counts: LoadCounts,
    where: string,
    cause: unknown,
  ) {
    super(
      "KAFKA_PUBLISH_FAILED",
      `Kafka did not acknowledge the file's rows (${messageOf(cause)}); ${counts.rows} rows are published, the file is not recorded as loaded`,
      {
        hint: `once Kafka is back (\`floe stack status\`), run the same load again: it resumes from the checkpoint ${where} without duplicates`,
        exitCode: 2,
        retriable: true,
        cause,
      },
    );
  }
}

const PROGRESS_EVERY = 10_000;

class Stopped extends Error {}

export async function publishFileRows(
  run: LoadRun,
  rows: AsyncIterable<LoadEntry>,
  io: LoadIO,
  store: LoadStore,
): Promise<LoadLoopOutcome> {
  const emit = run.onEvent ?? (() => {});
  const stopRequested = () => run.signal?.aborted === true;
  const saved = await store.checkpoint();
  const resumedFrom = saved?.published ?? 0;
  let published = resumedFrom;
  const accepted: Record<string, number> = { ...saved?.accepted };
  let deadLettered = saved?.deadLettered ?? 0;
  const counts = (): LoadCounts => ({ rows: published, accepted: { ...accepted }, deadLettered });

  /** A Kafka call under the retry policy: `Stopped` on a stop request, else `LoadPublishFailed`. */
  const kafka = async <T>(fn: (attempt: number) => Promise<T>): Promise<T> => {
    try {
      return await withRetry(
        run.retry,
        async (attempt) => {
          if (stopRequested()) throw new Stopped();
          return await fn(attempt);
        },
        (attempt, error, waitMs) => emit({ kind: "retry", attempt, waitMs, error: messageOf(error) }),
        (error) => !stopRequested() && isRetriable(error),
      );
    } catch (error) {
      if (error instanceof Stopped || stopRequested()) throw new Stopped();
      throw new LoadPublishFailed(counts(), store.where, error);
    }
  };

  // The interrupted batch of an earlier run: which of its rows are in Kafka already.
  const previous = saved?.inFlight;
  const landed = previous ? await kafka(() => io.landedRows(run.sha256, previous.from)) : new Set<number>();
  if (saved) emit({ kind: "resumed", from: resumedFrom, landed: landed.size });

  const checkpoint = (inFlight?: LoadCheckpoint["inFlight"]): LoadCheckpoint => ({
    version: 1,
    sha256: run.sha256,
    published,
    accepted: { ...accepted },
    deadLettered,
    ...(inFlight ? { inFlight } : {}),
    updatedAt: new Date().toISOString(),
  });

  const sendBatch = async (batch: LoadEntry[]) => {
    const to = (batch.at(-1)?.row ?? published) + 1;
    // A batch that overlaps the interrupted one keeps its offsets: its landed rows lie after them.
    const from = previous && batch[0] !== undefined && batch[0].row < previous.to ? previous.from : undefined;
    const offsets = from ?? (await kafka(() => io.endOffsets()));
    await store.writeCheckpoint(checkpoint({ to, from: offsets }));
    const unsent = batch.filter((e) => !landed.has(e.row));
    await kafka(async (attempt) => {
      let todo = unsent;
      if (attempt > 1) {
        const found = await io.landedRows(run.sha256, offsets);
        todo = unsent.filter((e) => !found.has(e.row));
      }
      if (todo.length > 0) await io.send(todo.map((e) => e.message));
    });
    for (const e of batch) {
      if (e.kind === undefined) deadLettered++;
      else accepted[e.message.topic] = (accepted[e.message.topic] ?? 0) + 1;
    }
    const before = published;
    // Not written now: the next batch's checkpoint records it (one S3 write a batch, not two). Killed in
    // between, the next load finds this whole batch in Kafka by reading it back.
    published = to;
    if (Math.floor(published / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY))
      emit({ kind: "progress", rows: published });
  };

  const iterator = rows[Symbol.asyncIterator]();
  const take = async (): Promise<LoadEntry[]> => {
    const batch: LoadEntry[] = [];
    while (batch.length < run.batch) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value.row >= resumedFrom) batch.push(next.value);
    }
    return batch;
  };
  try {
    let batch = await take();
    while (batch.length > 0) {
      if (stopRequested()) throw new Stopped();
      // The next batch is read and checked while this one is on the wire.
      const next = take();
      next.catch(() => {});
      await sendBatch(batch);
      batch = await next;
    }
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
    // Stopped between batches: what is acknowledged is known, so the next load need not read it back.
    if (published > resumedFrom) await store.writeCheckpoint(checkpoint());
    return { state: "stopped", resumedFrom, ...counts() };
  } finally {
    // Closes the reader (its file, DuckDB) when the loop ends early.
    await iterator.return?.().catch(() => {});
  }
  return { state: "complete", resumedFrom, ...counts() };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
