import { mkdtempSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Admin } from "kafkajs";
import {
  closedPartitions,
  type MergeStep,
  parseRawFileKey,
  planPartitionCompaction,
  type RawFile,
} from "./raw-compaction-plan.js";
import { type RawObjectStore, type RawPartition, rawPartitions, s3RawObjectStore } from "./raw-retention.js";
import type { RawTableTarget } from "./raw-tables.js";
import { putParquetIfAbsent } from "./s3-put-if-absent.js";

/**
 * Raw compaction, the I/O half: in each closed raw partition, the files of one Kafka partition that the
 * sink has committed past are merged into one (raw-compaction-plan.ts says what and why it is safe). Each
 * merge downloads its inputs, writes them as one Parquet file in offset order with DuckDB (the sink's own
 * writer settings), stores it only if absent (If-None-Match: a rerun finds it), then deletes the inputs.
 * Between the store and the delete a reader sees the rows twice (staging dedups on event_id); a run cut
 * there is finished by the next, which deletes the inputs the merged file already holds.
 */

export interface CompactionStore extends RawObjectStore {
  /** The sink's `end-offset` object metadata; undefined when the object has none. */
  endOffset(key: string): Promise<bigint | undefined>;
  get(key: string): Promise<Uint8Array>;
  /** Stores `body` unless the key exists; says which. */
  putIfAbsent(
    key: string,
    body: Uint8Array,
    metadata: Record<string, string>,
  ): Promise<"written" | "existing">;
}

export interface RawCompactionOptions {
  readonly target: RawTableTarget;
  readonly topics: readonly string[];
  readonly now: Date;
  readonly dryRun: boolean;
  readonly store: CompactionStore;
  /** The sink group's committed offsets of a topic (the next offset it reads), per Kafka partition. */
  readonly committed: (topic: string) => Promise<ReadonlyMap<number, bigint>>;
  /** Merge a Kafka partition's files of a raw partition once at least this many are committed. */
  readonly minFiles?: number;
  readonly onMerge?: (partition: RawPartition, merge: MergeStep, action: "merged" | "would merge") => void;
}

export interface RawCompactionResult {
  readonly partitions: number;
  readonly filesBefore: number;
  readonly filesAfter: number;
  /** Files left because the sink has not committed past them. */
  readonly uncommitted: number;
}

export const RAW_COMPACTION_MIN_FILES = 10;

export async function compactRawPartitions(options: RawCompactionOptions): Promise<RawCompactionResult> {
  const minFiles = options.minFiles ?? RAW_COMPACTION_MIN_FILES;
  const result = { partitions: 0, filesBefore: 0, filesAfter: 0, uncommitted: 0 };
  const work = mkdtempSync(join(tmpdir(), "floe-raw-compaction-"));
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const duck = await instance.connect();
  try {
    await duck.run("SET TimeZone = 'UTC'");
    for (const topic of options.topics) {
      const topicPrefix = `${options.target.prefix}${topic}/`;
      const keys: string[] = [];
      for await (const key of options.store.list(topicPrefix)) keys.push(key);
      const closed = closedPartitions(rawPartitions(topic, topicPrefix, keys), options.now);
      // Asked only when a partition has files to merge: most runs find nothing and need no Kafka.
      let committed: ReadonlyMap<number, bigint> | undefined;
      for (const partition of closed) {
        const files = partition.keys
          .map((key) => parseRawFileKey(topic, key))
          .filter((f): f is RawFile => f !== undefined);
        // Cheap first: only partitions with enough files of one Kafka partition are looked into.
        const perKafka = new Map<number, number>();
        for (const f of files) perKafka.set(f.kafkaPartition, (perKafka.get(f.kafkaPartition) ?? 0) + 1);
        if (![...perKafka.values()].some((n) => n >= Math.min(minFiles, 2))) continue;
        const withEnds = await Promise.all(
          files.map(async (f) => ({ ...f, last: f.last ?? (await options.store.endOffset(f.key)) ?? -1n })),
        );
        // A sink file without its end-offset metadata (-1n) is left as it is: its offsets are unknown.
        const known = withEnds.filter((f) => f.last >= 0n);
        committed ??= await options.committed(topic);
        const plan = planPartitionCompaction(topic, known, committed, minFiles);
        result.uncommitted += plan.uncommitted + (withEnds.length - known.length);
        if (plan.merges.length === 0 && plan.redundant.length === 0) continue;
        result.partitions++;
        result.filesBefore += files.length;
        result.filesAfter +=
          files.length - plan.redundant.length - plan.merges.reduce((n, m) => n + m.inputs.length - 1, 0);
        if (!options.dryRun && plan.redundant.length > 0) await options.store.delete(plan.redundant);
        for (const merge of plan.merges) {
          if (!options.dryRun) await runMerge(options.store, duck, work, topic, merge);
          options.onMerge?.(partition, merge, options.dryRun ? "would merge" : "merged");
        }
      }
    }
  } finally {
    duck.closeSync();
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}

async function runMerge(
  store: CompactionStore,
  duck: Awaited<ReturnType<DuckDBInstance["connect"]>>,
  work: string,
  topic: string,
  merge: MergeStep,
): Promise<void> {
  const locals: string[] = [];
  // Names unique per merge: DuckDB (one instance for the whole run) may keep a file's Parquet metadata by
  // path, and a later merge's different file under a reused name then read as "ZSTD Decompression failure".
  const tag = `${merge.kafkaPartition}-${merge.first}`;
  for (const [i, input] of merge.inputs.entries()) {
    const local = join(work, `in-${tag}-${i}.parquet`);
    await writeFile(local, await store.get(input.key));
    locals.push(local);
  }
  const out = join(work, `merged-${tag}.parquet`);
  const list = locals.map((f) => `'${f}'`).join(", ");
  const kv = [
    `'floe.topic': '${topic.replace(/'/g, "''")}'`,
    `'floe.partition': '${merge.kafkaPartition}'`,
    `'floe.start_offset': '${merge.first}'`,
    `'floe.end_offset': '${merge.last}'`,
  ].join(", ");
  // union_by_name: a partition may hold files from before a column was added (`_trace_id`, v3's
  // `page_url`). Without it DuckDB takes the first file's columns and drops the new column's values from
  // every later file (or fails when the first file has it and a later one not).
  await duck.run(
    `COPY (SELECT * FROM read_parquet([${list}], union_by_name = true) ORDER BY _kafka_offset) TO '${out}' ` +
      `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, KV_METADATA {${kv}})`,
  );
  const reader = await duck.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}')`);
  const records = String(reader.getRows()[0]?.[0] ?? 0);
  await store.putIfAbsent(merge.output, new Uint8Array(await readFile(out)), {
    "start-offset": merge.first.toString(),
    "end-offset": merge.last.toString(),
    records,
  });
  await store.delete(merge.inputs.map((f) => f.key));
  for (const f of [...locals, out]) rmSync(f, { force: true });
}

export function s3CompactionStore(s3: S3Client, bucket: string): CompactionStore {
  return {
    ...s3RawObjectStore(s3, bucket),
    async endOffset(key) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      const end = head.Metadata?.["end-offset"];
      return end !== undefined && /^\d+$/.test(end) ? BigInt(end) : undefined;
    },
    async get(key) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    },
    async putIfAbsent(key, body, metadata) {
      return (await putParquetIfAbsent(s3, bucket, key, body, metadata)) ? "written" : "existing";
    },
  };
}

/** The sink group's committed offsets of a topic, from Kafka (a partition it never committed is absent). */
export function kafkaCommittedOffsets(
  admin: Pick<Admin, "fetchOffsets">,
  groupId: string,
): (topic: string) => Promise<ReadonlyMap<number, bigint>> {
  return async (topic) => {
    let offsets: Awaited<ReturnType<Admin["fetchOffsets"]>>[number] | undefined;
    try {
      [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    } catch (error) {
      // A topic deleted since its raw files were written: nothing is committed, so nothing is merged.
      if ((error as { type?: string }).type === "UNKNOWN_TOPIC_OR_PARTITION") return new Map();
      throw error;
    }
    const committed = new Map<number, bigint>();
    for (const p of offsets?.partitions ?? [])
      if (/^\d+$/.test(p.offset)) committed.set(p.partition, BigInt(p.offset));
    return committed;
  };
}
