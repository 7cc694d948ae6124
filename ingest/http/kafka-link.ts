import type { Admin, Kafka, Producer } from "kafkajs";
import { ensureTopics, idempotentProducer } from "../producer.js";
import type { ForwardLink } from "./forwarder.js";
import type { SpoolRecord } from "./spool-format.js";

/** Headers every forwarded message carries: which spool and which record it is, and its trace. */
export const SPOOL_HEADER = "floe-spool";
export const SEQ_HEADER = "floe-seq";
export const TRACEPARENT_HEADER = "traceparent";

/** A W3C traceparent for a record: the request's trace id, the record's sequence number as its span id. */
export function traceparentOf(record: Pick<SpoolRecord, "traceId" | "seq">): string {
  return `00-${record.traceId}-${record.seq.toString(16).padStart(16, "0")}-01`;
}

export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

export interface KafkaLinkOptions {
  readonly topics: readonly string[];
  /** Partitions of topics the link creates (the producer never creates topics). */
  readonly partitions?: number;
  /** How long a reconciliation may read before it fails (and is tried again after the breaker). */
  readonly scanTimeoutMs?: number;
}

/**
 * The forwarder's Kafka: an idempotent producer (acks=all, one request in flight, so each partition keeps
 * the spool's order) made anew after any failed send, and the reconciliation read (see forwarder.ts).
 */
export function kafkaForwardLink(kafka: Kafka, options: KafkaLinkOptions): ForwardLink {
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let topicsReady = false;

  async function connectedAdmin(): Promise<Admin> {
    if (!admin) {
      const made = kafka.admin();
      await made.connect();
      admin = made;
    }
    if (!topicsReady) {
      // The API writes no dead letters: a rejected event is answered with its reason.
      await ensureTopics(admin, { sources: options.topics }, options.partitions ?? 3);
      topicsReady = true;
    }
    return admin;
  }

  async function dropAdmin(): Promise<void> {
    const old = admin;
    admin = undefined;
    await old?.disconnect().catch(() => {});
  }

  return {
    async send(records, spoolId) {
      if (!producer) {
        const made = idempotentProducer(kafka);
        await made.connect();
        producer = made;
      }
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      for (const r of records) {
        let list = byTopic.get(r.topic);
        if (!list) {
          list = [];
          byTopic.set(r.topic, list);
        }
        list.push({
          key: r.key,
          value: r.value,
          headers: {
            [SPOOL_HEADER]: spoolId,
            [SEQ_HEADER]: r.seq.toString(),
            [TRACEPARENT_HEADER]: traceparentOf(r),
          },
        });
      }
      const metadata = await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
      });
      // The batch's first offset per partition: a restart that scans from there finds every later record.
      const ends: Record<string, number> = {};
      for (const m of metadata) {
        if (m.baseOffset !== undefined) ends[partitionKey(m.topicName, m.partition)] = Number(m.baseOffset);
      }
      return ends;
    },

    async delivered(spoolId, afterSeq, from, scan) {
      let client: Admin;
      const ranges = new Map<string, { topic: string; partition: number; start: number; high: number }>();
      try {
        client = await connectedAdmin();
        for (const topic of options.topics) {
          for (const p of await client.fetchTopicOffsets(topic)) {
            const key = partitionKey(topic, p.partition);
            const high = Number(p.high);
            const start = from[key] ?? (scan ? Number(p.low) : high);
            ranges.set(key, { topic, partition: p.partition, start, high });
          }
        }
      } catch (error) {
        await dropAdmin();
        throw error;
      }
      const next: Record<string, number> = {};
      for (const [key, r] of ranges) next[key] = scan ? r.high : r.start;
      const seqs = new Set<bigint>();
      const work = [...ranges.values()].filter((r) => r.start < r.high);
      if (!scan || work.length === 0) return { seqs, from: next };
      const found = await scanPartitions(
        kafka,
        work,
        options.scanTimeoutMs ?? 60_000,
        (key, offset, headers) => {
          if (headers[SPOOL_HEADER] !== spoolId) return;
          const seq = BigInt(headers[SEQ_HEADER] ?? "0");
          if (seq <= afterSeq) return;
          seqs.add(seq);
          next[key] = Math.min(next[key] ?? offset, offset);
        },
      );
      await client.deleteGroups([found.groupId]).catch(() => {});
      return { seqs, from: next };
    },

    async reset() {
      const old = producer;
      producer = undefined;
      await old?.disconnect().catch(() => {});
    },

    async close() {
      await this.reset();
      await dropAdmin();
    },
  };
}

/** Reads partitions from `start` to their high watermark at the time of the call, once. */
async function scanPartitions(
  kafka: Kafka,
  ranges: readonly { topic: string; partition: number; start: number; high: number }[],
  timeoutMs: number,
  onMessage: (key: string, offset: number, headers: Record<string, string>) => void,
): Promise<{ groupId: string }> {
  const groupId = `floe-ingest-api-reconcile-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const remaining = new Map(ranges.map((r) => [partitionKey(r.topic, r.partition), r]));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(ranges.map((r) => r.topic))], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reconciliation read timed out with ${remaining.size} partitions left`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const key = partitionKey(batch.topic, batch.partition);
            const range = remaining.get(key);
            if (!range) return;
            for (const message of batch.messages) {
              const offset = Number(message.offset);
              if (offset < range.start || offset >= range.high) continue;
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(message.headers ?? {}))
                if (v !== undefined) headers[k] = String(v);
              onMessage(key, offset, headers);
            }
            const last = Number(batch.lastOffset());
            if (last >= range.high - 1) remaining.delete(key);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      for (const r of ranges)
        consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.start) });
    });
    return { groupId };
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
