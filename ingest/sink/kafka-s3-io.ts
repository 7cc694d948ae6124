import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Consumer, Producer } from "kafkajs";
import type { ColumnMarkers } from "../cdc/column-markers.js";
import type { FileInput } from "../parquet-duckdb.js";
import { putParquetIfAbsent } from "../s3-put-if-absent.js";
import { DeadLetterTooLarge, type PartitionIO } from "./partition-io.js";

/** The one place the sink stops and restarts fetching (`consumer.pause/resume`). */
export class FetchControl {
  constructor(private readonly consumer: Pick<Consumer, "pause" | "resume">) {}

  pause(topic: string, partition: number): void {
    this.consumer.pause([{ topic, partitions: [partition] }]);
  }

  resume(topic: string, partition: number): void {
    this.consumer.resume([{ topic, partitions: [partition] }]);
  }

  /** Stops fetching every partition of these topics (shutdown: in-flight batches finish, then the drain). */
  pauseTopics(topics: readonly string[]): void {
    this.consumer.pause(topics.map((topic) => ({ topic })));
  }
}

/** The clients a sink shares between its partitions. */
export interface SinkClients {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly encoder: { encode(input: FileInput): Promise<Uint8Array> };
  readonly producer: Producer;
  readonly dlqTopic: string;
  readonly consumer: Consumer;
  readonly fetch: FetchControl;
  readonly markers: ColumnMarkers;
}

/** Kafka error types that mean the DLQ topic will never take this message (or batch) as it is. */
const TOO_LARGE = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]);

function isTooLarge(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { type, cause } = e as { type?: unknown; cause?: unknown };
    if (typeof type === "string" && TOO_LARGE.has(type)) return true;
    e = cause;
  }
  return false;
}

/** A partition's I/O on the real services: DuckDB, S3 (conditional puts), the DLQ producer, the consumer. */
export function partitionIO(clients: SinkClients, topic: string, partition: number): PartitionIO {
  const { s3, bucket, producer, dlqTopic } = clients;
  return {
    encode: (input) => clients.encoder.encode(input),
    async put(key, body, metadata) {
      return (await putParquetIfAbsent(s3, bucket, key, body, metadata)) ? "written" : "exists";
    },
    async head(key) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return head.Metadata ?? {};
    },
    ensureColumns: (columns) => clients.markers.ensure(topic, columns),
    async sendDeadLetters(letters) {
      try {
        await producer.send({
          topic: dlqTopic,
          acks: -1,
          messages: letters.map((l) => ({ key: l.key, value: l.value, headers: { ...l.headers } })),
        });
      } catch (error) {
        if (isTooLarge(error)) throw new DeadLetterTooLarge(dlqTopic, error);
        throw error;
      }
    },
    commit: (offset, metadata) =>
      clients.consumer.commitOffsets([{ topic, partition, offset: offset.toString(), metadata }]),
    pause: () => clients.fetch.pause(topic, partition),
    resume: () => clients.fetch.resume(topic, partition),
  };
}
