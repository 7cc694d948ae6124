import { randomUUID } from "node:crypto";
import type { Admin, Kafka, Producer } from "kafkajs";
import { Partitioners } from "kafkajs";
import { FloeError } from "../../core/errors.js";
import { type EndOffsets, partitionKey } from "../publish-checkpoint.js";
import type { LoadIO } from "./load-loop.js";
import { LOAD_ROW_HEADER, type LoadMessage, loadRowId } from "./load-messages.js";

/**
 * `LoadIO` on kafkajs. The producer sends with acks=all, one request in flight, and neither kafkajs'
 * idempotence nor its send retries: a resend is decided by the load loop after it has looked in the
 * partitions for the rows that landed (load-loop.ts), so a retry can never write a row twice.
 */

export const LOAD_PRODUCER_CONFIG = {
  createPartitioner: Partitioners.DefaultPartitioner,
  allowAutoTopicCreation: false,
  idempotent: false,
  maxInFlightRequests: 1,
  retry: { retries: 0 },
} as const;

/** How long a look-up of landed rows may take before it counts as a failed attempt. */
const SCAN_TIMEOUT_MS = 60_000;

export function kafkaLoadIO(
  kafka: Kafka,
  admin: Admin,
  producer: Producer,
  topics: readonly string[],
): LoadIO {
  const endOffsets = async (): Promise<EndOffsets> => {
    const offsets: EndOffsets = {};
    const perTopic = await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
    perTopic.forEach((partitions, i) => {
      for (const p of partitions) offsets[partitionKey(topics[i] ?? "", p.partition)] = Number(p.high);
    });
    return offsets;
  };
  return {
    endOffsets,
    async send(messages) {
      await producer.sendBatch({ topicMessages: byTopic(messages), acks: -1 });
    },
    async landedRows(sha256, from) {
      const to = await endOffsets();
      const pending = new Set(Object.keys(to).filter((k) => (to[k] ?? 0) > (from[k] ?? 0)));
      const found = new Set<number>();
      if (pending.size === 0) return found;
      const mine = loadRowId(sha256, 0).slice(0, -1);
      // A throwaway group: kafkajs reads only through a group; seeks put it at the recorded offsets.
      const consumer = kafka.consumer({ groupId: `floe-load-scan-${randomUUID()}`, maxWaitTimeInMs: 250 });
      let timer: NodeJS.Timeout | undefined;
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [...topics], fromBeginning: true });
        let finish: () => void = () => {};
        const done = new Promise<void>((resolve, reject) => {
          finish = resolve;
          timer = setTimeout(
            () =>
              reject(
                new FloeError("LOAD_SCAN_TIMEOUT", "reading back the batch in flight timed out", {
                  retriable: true,
                }),
              ),
            SCAN_TIMEOUT_MS,
          );
        });
        // run() resolves once the group is joined; seek() needs that, and then moves each partition.
        await consumer.run({
          // Nothing committed: the throwaway group leaves no offsets behind in Kafka.
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const key = partitionKey(topic, partition);
            const offset = Number(message.offset);
            const end = to[key] ?? 0;
            const id = header(message.headers?.[LOAD_ROW_HEADER]);
            if (offset >= (from[key] ?? 0) && offset < end && id?.startsWith(mine)) {
              found.add(Number(id.slice(mine.length)));
            }
            if (offset >= end - 1 && pending.delete(key) && pending.size === 0) finish();
          },
        });
        for (const key of Object.keys(to)) {
          const slash = key.lastIndexOf("/");
          // Partitions with nothing new start at their end, so nothing before the batch is read.
          const offset = pending.has(key) ? (from[key] ?? 0) : (to[key] ?? 0);
          consumer.seek({
            topic: key.slice(0, slash),
            partition: Number(key.slice(slash + 1)),
            offset: String(offset),
          });
        }
        await done;
        return found;
      } finally {
        clearTimeout(timer);
        await consumer.disconnect().catch(() => {});
      }
    },
  };
}

function header(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : String(v);
}

/** Messages grouped per topic, each topic's in order, as kafkajs' sendBatch takes them. */
function byTopic(messages: readonly LoadMessage[]) {
  const grouped = new Map<string, { key: string | null; value: string; headers: Record<string, string> }[]>();
  for (const m of messages) {
    let list = grouped.get(m.topic);
    if (!list) {
      list = [];
      grouped.set(m.topic, list);
    }
    list.push({ key: m.key, value: m.value, headers: { ...m.headers } });
  }
  return [...grouped].map(([topic, msgs]) => ({ topic, messages: msgs }));
}
