import type { KafkaMessage, ProducerConfig } from "kafkajs";
import type { DeadLetterRecord } from "./partition-io.js";

/**
 * DLQ messages, built purely. A letter carries the original key and bytes, and headers with the reason
 * and the source coordinates (topic, partition, offset), so a consumer of the DLQ can dedupe by them and
 * fetch the original from the source topic while it is retained.
 */

/**
 * The DLQ producer: acks=all (kafkajs' default), one request in flight so letters keep their order, and
 * deliberately NOT idempotent. kafkajs 2.2.4's idempotent producer rolls back the sequence numbers of every
 * partition of a request that failed, including partitions the broker wrote; the next letters for such a
 * partition then reuse taken sequence numbers and are either acknowledged without being written (a dead
 * letter lost) or refused with OUT_OF_ORDER_SEQUENCE_NUMBER forever (the partition stalls). A DLQ send fails
 * partly whenever one letter is too large (see `truncatedRecord`) or the broker restarts mid-send, so this
 * is not rare (the chaos test's bursts provoke it; README, "Chaos test"). Without idempotence a retried send
 * can write a letter twice, which the DLQ already allows: it is at-least-once, deduped by source headers.
 */
export const DLQ_PRODUCER_CONFIG = {
  allowAutoTopicCreation: false,
  idempotent: false,
  maxInFlightRequests: 1,
} as const satisfies ProducerConfig;

export interface DeadLetter {
  readonly offset: bigint;
  readonly message: KafkaMessage;
  readonly reason: string;
}

export function deadLetterRecord(topic: string, partition: number, letter: DeadLetter): DeadLetterRecord {
  return {
    key: letter.message.key,
    value: letter.message.value,
    headers: {
      error: letter.reason,
      source_topic: topic,
      source_partition: String(partition),
      source_offset: letter.offset.toString(),
    },
  };
}

/** What a truncated copy keeps of the original value and key, and of the reason. */
export const TRUNCATED_VALUE_BYTES = 8 * 1024;
export const TRUNCATED_KEY_BYTES = 1024;
export const TRUNCATED_REASON_CHARS = 1024;

/**
 * A copy small enough for any DLQ topic (about 10 KiB at most), for a letter the topic refused as too large:
 * a message just under the source topic's size limit no longer fits once the headers are added. It keeps
 * the first bytes of the value and key, the reason and the coordinates, and says how big the original was.
 */
export function truncatedRecord(record: DeadLetterRecord): DeadLetterRecord {
  const error = record.headers.error ?? "";
  return {
    key: record.key ? record.key.subarray(0, TRUNCATED_KEY_BYTES) : null,
    value: record.value ? record.value.subarray(0, TRUNCATED_VALUE_BYTES) : null,
    headers: {
      ...record.headers,
      error: error.length > TRUNCATED_REASON_CHARS ? `${error.slice(0, TRUNCATED_REASON_CHARS)}…` : error,
      truncated: "true",
      original_value_bytes: String(record.value?.length ?? 0),
      original_key_bytes: String(record.key?.length ?? 0),
    },
  };
}
