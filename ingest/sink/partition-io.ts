import { FloeError } from "../../core/errors.js";
import type { FileInput } from "../parquet-duckdb.js";

/**
 * Everything a partition worker does outside its own memory, as one small interface per partition: the
 * real one is `kafka-s3-io.ts` (DuckDB, S3, the DLQ producer, the consumer), the unit tests pass a
 * recording fake. Retries are the worker's (it owns the policy and the pause after the last attempt), so
 * each call here is one attempt.
 */
export interface PartitionIO {
  /** Encodes one sealed file's rows as Parquet. */
  encode(input: FileInput): Promise<Uint8Array>;
  /**
   * Stores the object only if its key is free (`If-None-Match: *`). `"exists"` when the key is taken (an
   * HTTP 412: an earlier attempt made it durable); other failures throw.
   */
  put(key: string, body: Uint8Array, metadata: ObjectMetadata): Promise<"written" | "exists">;
  /** The user metadata of a stored object. */
  head(key: string): Promise<ObjectMetadata>;
  /**
   * A CDC topic's file is about to hold these row columns: their markers must be durable first
   * (cdc/column-markers.ts), so the raw table gains them even after a crash right after the upload.
   */
  ensureColumns(columns: readonly string[]): Promise<void>;
  /** Produces to the DLQ topic (acks from all replicas); `DeadLetterTooLarge` when the topic refuses the size. */
  sendDeadLetters(letters: readonly DeadLetterRecord[]): Promise<void>;
  /** Commits this partition's offset with the watermarks in its metadata. */
  commit(offset: bigint, metadata: string): Promise<void>;
  /** Stops fetching this partition (buffers are kept). */
  pause(): void;
  /** Fetches this partition again. */
  resume(): void;
}

export type ObjectMetadata = Readonly<Record<string, string>>;

/** One message for the DLQ topic: the original key and bytes, and headers saying why and where from. */
export interface DeadLetterRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** The DLQ topic refused a letter (or a batch of letters) as larger than its `max.message.bytes`. */
export class DeadLetterTooLarge extends FloeError {
  override readonly name: string = "DeadLetterTooLarge";
  constructor(topic: string, cause: unknown) {
    super("DLQ_MESSAGE_TOO_LARGE", `The dead-letter topic "${topic}" refused a message as too large.`, {
      hint: "raise the DLQ topic's max.message.bytes to at least its source topics'",
      cause,
    });
  }
}
