import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { firstDayKept } from "../core/duration.js";
import { quoteIdentifier, quoteString, stringArray } from "../trino/dialect.js";
import { type RawTableTarget, type TrinoQuery, tableNameOf } from "./raw-tables.js";

/**
 * Raw retention (seed 000: raw kept 180 days). The sink writes `<prefix><topic>/event_date=…/event_type=…/`
 * objects and registers each folder as a partition of `hive.<schema>.<topic>`; a partition whose event_date
 * is before the window's first day goes whole: first its registration (so no query plans a read of files
 * about to vanish), then its objects. Both steps are idempotent, so a run cut short is finished by the next.
 * Only whole days older than the window are touched: a day partly inside it is kept.
 */

export interface RawPartition {
  readonly topic: string;
  readonly eventDate: string;
  readonly eventType: string;
  readonly keys: readonly string[];
}

/** Groups object keys of one topic folder into partitions; keys outside the layout are ignored. */
export function rawPartitions(topic: string, topicPrefix: string, keys: Iterable<string>): RawPartition[] {
  const byPartition = new Map<string, { eventDate: string; eventType: string; keys: string[] }>();
  for (const key of keys) {
    if (!key.startsWith(topicPrefix)) continue;
    const match = /^event_date=(\d{4}-\d{2}-\d{2})\/event_type=([^/]+)\//.exec(key.slice(topicPrefix.length));
    if (!match) continue;
    const [, eventDate, eventType] = match as unknown as [string, string, string];
    const id = `${eventDate}/${eventType}`;
    let partition = byPartition.get(id);
    if (!partition) {
      partition = { eventDate, eventType, keys: [] };
      byPartition.set(id, partition);
    }
    partition.keys.push(key);
  }
  return [...byPartition.values()]
    .map((p) => ({ topic, ...p }))
    .sort((a, b) => (a.eventDate + a.eventType).localeCompare(b.eventDate + b.eventType));
}

/** The partitions entirely older than a window of `retentionSeconds` ending `now`. */
export function expiredRawPartitions(
  partitions: readonly RawPartition[],
  now: Date,
  retentionSeconds: number,
): RawPartition[] {
  const firstKept = firstDayKept(now, retentionSeconds);
  return partitions.filter((p) => p.eventDate < firstKept);
}

export function unregisterPartitionSql(target: RawTableTarget, partition: RawPartition): string {
  return (
    `CALL ${quoteIdentifier(target.catalog)}.system.unregister_partition(${quoteString(target.schema)}, ` +
    `${quoteString(tableNameOf(partition.topic))}, ${stringArray(["event_date", "event_type"])}, ` +
    `${stringArray([partition.eventDate, partition.eventType])})`
  );
}

/** The object store as raw retention uses it; tests pass a recording fake. */
export interface RawObjectStore {
  list(prefix: string): AsyncIterable<string>;
  delete(keys: readonly string[]): Promise<void>;
}

export function s3RawObjectStore(s3: S3Client, bucket: string): RawObjectStore {
  return {
    async *list(prefix) {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        const out = await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = out.Errors ?? [];
        if (failed.length > 0) {
          throw new Error(
            `S3 refused to delete ${failed.length} objects, e.g. ${failed[0]?.Key}: ${failed[0]?.Message}`,
          );
        }
      }
    },
  };
}

export interface RawRetentionOptions {
  readonly target: RawTableTarget;
  readonly topics: readonly string[];
  readonly retentionSeconds: number;
  readonly now: Date;
  readonly dryRun: boolean;
  readonly store: RawObjectStore;
  readonly trino: TrinoQuery;
  readonly onPartition?: (partition: RawPartition, action: "deleted" | "would delete") => void;
}

export interface RawRetentionResult {
  readonly firstDayKept: string;
  readonly partitions: number;
  readonly objects: number;
  /** Partitions kept, per topic (inside the window). */
  readonly kept: number;
}

export async function applyRawRetention(options: RawRetentionOptions): Promise<RawRetentionResult> {
  const { target, store, trino } = options;
  let partitions = 0;
  let objects = 0;
  let kept = 0;
  for (const topic of options.topics) {
    const topicPrefix = `${target.prefix}${topic}/`;
    const keys: string[] = [];
    for await (const key of store.list(topicPrefix)) keys.push(key);
    const all = rawPartitions(topic, topicPrefix, keys);
    const expired = expiredRawPartitions(all, options.now, options.retentionSeconds);
    kept += all.length - expired.length;
    for (const partition of expired) {
      if (!options.dryRun) {
        await unregister(trino, target, partition);
        await store.delete(partition.keys);
      }
      partitions++;
      objects += partition.keys.length;
      options.onPartition?.(partition, options.dryRun ? "would delete" : "deleted");
    }
  }
  return { firstDayKept: firstDayKept(options.now, options.retentionSeconds), partitions, objects, kept };
}

async function unregister(trino: TrinoQuery, target: RawTableTarget, partition: RawPartition): Promise<void> {
  try {
    await trino.query(unregisterPartitionSql(target, partition));
  } catch (error) {
    // Already unregistered (a run cut short between the two steps), or never registered / no table yet.
    const message = error instanceof Error ? error.message : String(error);
    if (/does not exist|not found|no partition/i.test(message)) return;
    throw error;
  }
}
