import type { RawPartition } from "./raw-retention.js";

/**
 * Raw compaction, the pure half (README "Raw layer files"). The sink leaves one file per raw partition
 * per Kafka partition per flush: `<topic>+<kafka partition>+<first offset>.parquet`. A closed raw partition
 * (its event_date at least RAW_COMPACT_AFTER_DAYS before today, UTC) has its files of one Kafka partition merged into one
 * `<topic>+<kafka partition>+<first>-<last>.parquet`, named by the offsets it holds, so:
 * - exactly-once keys stay right: only files whose every offset is below the sink group's committed offset
 *   are merged (the sink never writes those again: it replays only from the committed offset), and a
 *   merged file's name still says which offsets it holds;
 * - a run cut short is finished by the next: an input left beside the merged file that holds it (its first
 *   offset inside the merged range) is deleted, not merged twice;
 * - registrations do not change: the merged file is written into the same partition folder.
 */

export interface RawFile {
  readonly key: string;
  readonly kafkaPartition: number;
  readonly first: bigint;
  /** Known from the name for a merged file; read from the file (max `_kafka_offset`) for a sink file. */
  readonly last?: bigint;
}

/** A raw object key as the sink or compaction names it; undefined for anything else. */
export function parseRawFileKey(topic: string, key: string): RawFile | undefined {
  const name = key.slice(key.lastIndexOf("/") + 1);
  if (!name.startsWith(`${topic}+`) || !name.endsWith(".parquet")) return undefined;
  const match = /^(\d+)\+(\d+)(?:-(\d+))?\.parquet$/.exec(name.slice(topic.length + 1));
  if (!match) return undefined;
  const [, partition, first, last] = match as unknown as [string, string, string, string | undefined];
  return {
    key,
    kafkaPartition: Number(partition),
    first: BigInt(first),
    ...(last !== undefined ? { last: BigInt(last) } : {}),
  };
}

export function mergedKey(
  folder: string,
  topic: string,
  kafkaPartition: number,
  first: bigint,
  last: bigint,
): string {
  return `${folder}${topic}+${kafkaPartition}+${first}-${last}.parquet`;
}

/** The partition folder a key sits in (with its trailing slash). */
export const folderOf = (key: string) => key.slice(0, key.lastIndexOf("/") + 1);

/**
 * Days a raw partition is left alone after its day ends. A compacted file is a new S3 object, and the
 * incremental staging models read raw files newer than the last one they loaded (then drop rows already
 * loaded): compacting a day still inside their `lookback_days` (3) would have the next build re-read, and
 * hash the keys of, that whole day — at the seeds' 3,000 events/s, 260 M rows. Past the lookback only the
 * day's late arrivals (ingested within it) are re-read. Keep it above the project's `lookback_days`.
 */
export const RAW_COMPACT_AFTER_DAYS = 4;

/**
 * Closed partitions: event_date at least `afterDays` days before today (UTC): the sink writes there only
 * for late events, and the staging models' lookback no longer re-reads their rows.
 */
export function closedPartitions(
  partitions: readonly RawPartition[],
  now: Date,
  afterDays: number = RAW_COMPACT_AFTER_DAYS,
): RawPartition[] {
  const cutoff = new Date(now.getTime() - afterDays * 86_400_000).toISOString().slice(0, 10);
  return partitions.filter((p) => p.eventDate < cutoff);
}

export interface MergeStep {
  readonly kafkaPartition: number;
  readonly inputs: readonly RawFile[];
  readonly output: string;
  readonly first: bigint;
  readonly last: bigint;
}

export interface PartitionCompaction {
  /** Leftovers of an interrupted run: already inside a merged file, to delete. */
  readonly redundant: readonly string[];
  readonly merges: readonly MergeStep[];
  /** Files left as they are because the sink has not committed past them yet. */
  readonly uncommitted: number;
}

/**
 * What to do in one closed partition, given every file's offsets (`last` read for sink files) and the sink
 * group's committed offsets (the next offset it will read, per Kafka partition). A Kafka partition's files
 * are merged when at least `minFiles` of them are committed; a missing committed offset means none are.
 */
export function planPartitionCompaction(
  topic: string,
  files: readonly (RawFile & { readonly last: bigint })[],
  committed: ReadonlyMap<number, bigint>,
  minFiles: number,
): PartitionCompaction {
  const redundant: string[] = [];
  const merges: MergeStep[] = [];
  let uncommitted = 0;
  const byKafka = new Map<number, (RawFile & { last: bigint })[]>();
  for (const file of files)
    byKafka.set(file.kafkaPartition, [...(byKafka.get(file.kafkaPartition) ?? []), file]);
  for (const [kafkaPartition, group] of [...byKafka].sort(([a], [b]) => a - b)) {
    const merged = group.filter((f) => isMerged(f.key));
    const inside = (f: RawFile) =>
      !isMerged(f.key) && merged.some((m) => f.first >= m.first && f.first <= m.last);
    const leftovers = group.filter(inside);
    redundant.push(...leftovers.map((f) => f.key));
    const live = group.filter((f) => !inside(f));
    const limit = committed.get(kafkaPartition);
    const safe = live.filter((f) => limit !== undefined && f.last < limit);
    uncommitted += live.length - safe.length;
    if (safe.length < minFiles) continue;
    const sorted = [...safe].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    const first = sorted[0]?.first ?? 0n;
    let last = first;
    for (const f of sorted) if (f.last > last) last = f.last;
    const folder = folderOf(sorted[0]?.key ?? "");
    merges.push({
      kafkaPartition,
      inputs: sorted,
      output: mergedKey(folder, topic, kafkaPartition, first, last),
      first,
      last,
    });
  }
  return { redundant, merges, uncommitted };
}

const isMerged = (key: string) => /\+\d+-\d+\.parquet$/.test(key);
