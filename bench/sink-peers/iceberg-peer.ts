import { endpointsFromEnv, kafkaClient } from "../../ingest/endpoints.js";
import { ensureTopics } from "../../ingest/producer.js";
import { PORTS } from "../../stack/services.js";
import { ProcWatch } from "../proc-watch.js";
import type { IcebergSinkSettings } from "./connect-config.js";
import { type ConnectRun, startIcebergConnect, stopConnect, taskState } from "./iceberg-connect.js";

/** A snapshot of one table as the REST catalog reports it. */
export interface CommitPoint {
  readonly table: string;
  readonly snapshotId: string;
  readonly committedAt: number;
  readonly totalRecords: number;
}

const SAMPLE_MS = 250;

/** The tables' snapshots (every one, oldest first) from the REST catalog; a table not created yet has none. */
export async function tableCommits(namespace: string, tables: readonly string[]): Promise<CommitPoint[]> {
  const out: CommitPoint[] = [];
  for (const table of tables) {
    const response = await fetch(
      `http://127.0.0.1:${PORTS.icebergRest}/v1/namespaces/${encodeURIComponent(namespace)}/tables/${encodeURIComponent(table)}`,
      { signal: AbortSignal.timeout(10_000) },
    );
    if (response.status === 404) continue;
    if (!response.ok) throw new Error(`REST catalog: ${response.status} for ${namespace}.${table}`);
    const body = (await response.json()) as {
      metadata: {
        snapshots?: {
          "snapshot-id": number | string;
          "timestamp-ms": number;
          summary?: Record<string, string>;
        }[];
      };
    };
    for (const s of body.metadata.snapshots ?? []) {
      out.push({
        table,
        snapshotId: String(s["snapshot-id"]),
        committedAt: s["timestamp-ms"],
        totalRecords: Number(s.summary?.["total-records"] ?? 0),
      });
    }
  }
  return out.sort((a, b) => a.committedAt - b.committedAt);
}

/** Rows committed across the tables (each table's latest snapshot) and when that total was reached. */
export function committedRows(commits: readonly CommitPoint[]): { rows: number; at: number } {
  const latest = new Map<string, CommitPoint>();
  for (const c of commits) latest.set(c.table, c);
  let rows = 0;
  let at = 0;
  for (const c of latest.values()) {
    rows += c.totalRecords;
    at = Math.max(at, c.committedAt);
  }
  return { rows, at };
}

/**
 * True when the consumer group's committed offsets reach the end of every partition of `topics`. The
 * Iceberg sink's worker commits its source offsets (to `connect-<connector>`) in the Kafka transaction that
 * reports its data files to the coordinator, shortly before the coordinator's Iceberg commit.
 */
export async function groupCaughtUp(groupId: string, topics: readonly string[]): Promise<boolean> {
  const admin = kafkaClient(endpointsFromEnv(), "floe-bench").admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1";
        if (Number(end.high) > Number(end.low) && Number(at) < Number(end.high)) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

/** Connect's trace in one line: its first line and the root cause (the last "Caused by"). */
export function failureOf(trace: string): string {
  const lines = trace.split("\n").map((l) => l.trim());
  const cause = lines.filter((l) => l.startsWith("Caused by:")).at(-1);
  return [lines[0], cause].filter(Boolean).join(" … ");
}

export interface IcebergSinkRun {
  readonly connect: ConnectRun;
  readonly watch: ProcWatch;
  readonly startedAt: number;
  readonly topics: readonly string[];
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts the Connect worker with the Iceberg sink, sampling its CPU and RSS from /proc. */
export async function startIcebergSink(
  dir: string,
  sink: Omit<IcebergSinkSettings, "catalogUri" | "s3Endpoint" | "s3AccessKey" | "s3SecretKey">,
): Promise<IcebergSinkRun> {
  // The control topic with one partition, as the connector's docs create it (the broker's default is 3).
  const admin = kafkaClient(endpointsFromEnv(), "floe-bench").admin();
  await admin.connect();
  await ensureTopics(admin, { sources: [sink.controlTopic] }, 1).finally(() => admin.disconnect());
  const startedAt = Date.now();
  const connect = await startIcebergConnect(dir, sink);
  const watch = new ProcWatch("Kafka Connect + Iceberg sink", connect.pid);
  const timer = setInterval(() => watch.sample(), SAMPLE_MS);
  const exited = new Promise<void>((resolve) => connect.child.once("exit", () => resolve()));
  void exited.then(() => clearInterval(timer));
  return {
    connect,
    watch,
    startedAt,
    topics: sink.tables.map((t) => t.topic),
    async stop() {
      watch.sample();
      await stopConnect(connect);
      await exited;
    },
    async kill() {
      connect.child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * Waits until the tables hold `expectedRows` committed rows. Short of them, it returns (`stalled`) once
 * nothing new was committed for one commit interval + 15 s while the sink's group has committed every
 * offset (it dropped a message: the Worker commits offsets before the coordinator's Iceberg commit, hence
 * the wait), or for one interval + 2 min in any case. Fails when the task fails (with Connect's trace) or
 * the worker exits.
 */
export async function awaitCommitted(
  run: IcebergSinkRun,
  namespace: string,
  tables: readonly string[],
  expectedRows: number,
  commitIntervalMs: number,
  onProgress: (rows: number) => void = () => {},
): Promise<{ rows: number; at: number; commits: CommitPoint[]; stalled: boolean }> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const commits = await tableCommits(namespace, tables);
    const now = committedRows(commits);
    if (now.rows !== last) {
      last = now.rows;
      lastChange = Date.now();
      onProgress(now.rows);
    }
    if (now.rows >= expectedRows) return { ...now, commits, stalled: false };
    const task = await taskState(run.connect.connector);
    if (task?.state === "FAILED")
      throw new Error(`the Iceberg sink's task failed: ${failureOf(task.trace ?? "")}`);
    if (run.connect.child.exitCode !== null || run.connect.child.signalCode !== null)
      throw new Error(`the Connect worker exited (${run.connect.child.exitCode}); see ${run.connect.log}`);
    // Before its first commit the worker may still be starting (a JVM on a loaded machine, the group's
    // first rebalance): give it 5 minutes, as long as the task has not failed.
    const quiet = Date.now() - lastChange - (now.rows === 0 ? 300_000 : 0);
    if (
      quiet > commitIntervalMs + 120_000 ||
      (quiet > commitIntervalMs + 15_000 &&
        (await groupCaughtUp(`connect-${run.connect.connector}`, run.topics)))
    )
      return { ...now, commits, stalled: true };
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
