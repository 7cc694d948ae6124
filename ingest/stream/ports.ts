import type { Alert } from "../../core/alert.js";
import type { WritePlan } from "./write-plan.js";

/**
 * The stream processor's I/O, as interfaces: the loop (processor.ts) is unit-tested against recording
 * fakes of these; redis-store.ts, kafka-source.ts and alert-publisher.ts are the real ones.
 */

/** `topic:partition`, the one spelling of a partition in offsets and maps. */
export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

export interface StreamStore {
  /** The offsets the state in Redis reflects; undefined when Redis holds none (first start, or data lost). */
  readOffsets(): Promise<Map<string, number> | undefined>;
  /** Which of these products Redis marks as below their low-stock threshold. */
  readBelow(productIds: readonly string[]): Promise<Set<string>>;
  /**
   * Applies the plan and its offsets in one MULTI/EXEC. `stale` (nothing written) when the offsets Redis
   * held changed under the processor: vanished (FLUSHDB, a restarted Redis without persistence) or were
   * written by someone else. `expectOffsets` says whether the processor saw offsets in Redis before.
   */
  apply(plan: WritePlan, expectOffsets: boolean): Promise<"applied" | "stale">;
  /** Alerts applied but not yet published, oldest first; `length` counts entries, unreadable ones too. */
  outbox(): Promise<{ alerts: Alert[]; length: number }>;
  /** Drops the first `count` entries of the outbox once they are published. */
  ackOutbox(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface SourceMessage {
  readonly offset: number;
  readonly value: Buffer | null;
}

export interface SourceBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly SourceMessage[];
  /** The partition's end offset as the fetch saw it (for lag). */
  readonly highWatermark: number;
}

export interface Watermarks {
  readonly low: number;
  readonly high: number;
}

export interface StreamSource {
  /** Partitions of the topics read, with their offsets' range. */
  watermarks(): Promise<Map<string, Watermarks>>;
  /** Starts consuming: `onBatch` is called for each fetched batch, one at a time, until `stop` or an error. */
  start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void>;
  /** Resolves when the source stopped, rejects with the error that stopped it (an `onBatch` error too). */
  stopped(): Promise<void>;
  /** The next batch of this partition starts at `offset` (only after `start`). */
  seek(topic: string, partition: number, offset: number): void;
  stop(): Promise<void>;
  /** Stops the source with this error (`stopped()` rejects with it): a failure outside a batch. */
  fail(error: unknown): void;
}

export interface AlertPublisher {
  publish(alerts: readonly Alert[]): Promise<void>;
  close(): Promise<void>;
}
