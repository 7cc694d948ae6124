import type { KafkaMessage } from "kafkajs";
import type { DeadLetterRecord } from "./partition-io.js";

/**
 * DLQ messages, built purely. A letter carries the original key and bytes, and headers with the reason
 * and the source coordinates (topic, partition, offset), so a consumer of the DLQ can dedupe by them and
 * fetch the original from the source topic while it is retained.
 */

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
