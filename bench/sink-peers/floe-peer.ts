import type { ChildProcess } from "node:child_process";
import { exited, floe } from "../floe-child.js";
import { ProcWatch } from "../proc-watch.js";

/** One `floe ingest sink` child of the bench: its own S3 prefix, group, DLQ and Hive schema. */
export interface FloeSinkTarget {
  readonly topicPrefix: string;
  readonly prefix: string;
  readonly group: string;
  readonly dlqTopic: string;
  readonly schema: string;
  readonly flushIntervalMs: number;
}

/** A file the child made durable, from its `--log-format json -v` lines. */
export interface FloeFile {
  readonly key: string;
  readonly topic: string;
  readonly eventDate: string;
  readonly eventType: string;
  readonly records: number;
  readonly durableAt: number;
}

export interface FloeSinkRun {
  readonly child: ChildProcess;
  readonly watch: ProcWatch;
  readonly startedAt: number;
  readonly files: FloeFile[];
  /** `<topic>/<event_date>/<event_type>` → when the sink had registered that partition in Trino. */
  readonly registeredAt: Map<string, number>;
  readonly tail: string[];
  /** Resolves with the exit code once the child has exited (and the CPU sampling stopped). */
  readonly done: Promise<number>;
}

const SAMPLE_MS = 250;

/**
 * Starts `floe ingest sink` (the built CLI) as a child process, sampling its CPU and RSS from /proc. With
 * `untilIdle` it stops by itself once caught up; otherwise the caller stops or kills it.
 */
export function startFloeSink(target: FloeSinkTarget, untilIdle: boolean): FloeSinkRun {
  const files: FloeFile[] = [];
  const registeredAt = new Map<string, number>();
  const tail: string[] = [];
  const startedAt = Date.now();
  const child = floe(
    [
      "ingest",
      "sink",
      ...["--topic-prefix", target.topicPrefix, "--no-cdc", "--prefix", target.prefix],
      ...["--group", target.group, "--dlq-topic", target.dlqTopic, "--schema", target.schema],
      ...["--flush-interval", `${target.flushIntervalMs / 1000}s`, "--metrics-port", "0"],
      ...["-v", "--log-format", "json", ...(untilIdle ? ["--until-idle"] : [])],
    ],
    { ...process.env, FORCE_COLOR: "0" },
    (line) => {
      tail.push(line);
      if (tail.length > 50) tail.shift();
      const entry = parseLine(line);
      if (!entry) return;
      if (entry.event === "sink.file" && entry.file?.outcome === "written") {
        const f = entry.file;
        files.push({
          key: f.key,
          topic: f.topic,
          eventDate: f.event_date,
          eventType: f.event_type,
          records: f.records,
          durableAt: f.durable_at,
        });
      } else if (entry.event === "sink.registered" && entry.partition && entry.table) {
        registeredAt.set(
          `${entry.table}/${entry.partition.event_date}/${entry.partition.event_type ?? ""}`,
          Date.parse(entry.ts),
        );
      }
    },
  );
  if (child.pid === undefined) throw new Error("could not start `floe ingest sink`");
  const watch = new ProcWatch("floe ingest sink", child.pid);
  const timer = setInterval(() => watch.sample(), SAMPLE_MS);
  const done = exited(child).then((code) => {
    clearInterval(timer);
    return code;
  });
  return { child, watch, startedAt, files, registeredAt, tail, done };
}

interface LogLine {
  event?: string;
  ts: string;
  table?: string;
  partition?: { event_date: string; event_type?: string };
  file?: {
    key: string;
    topic: string;
    event_date: string;
    event_type: string;
    records: number;
    outcome: string;
    durable_at: number;
  };
}

function parseLine(line: string): LogLine | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

/**
 * When each file's rows became queryable in Trino: once durable on S3 and its partition registered in the
 * Hive metastore (a file written into a partition registered earlier is queryable as soon as it is durable).
 */
export function queryableAt(run: Pick<FloeSinkRun, "files" | "registeredAt">): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of run.files) {
    const registered = run.registeredAt.get(`${f.topic}/${f.eventDate}/${f.eventType}`) ?? f.durableAt;
    out.set(f.key, Math.max(f.durableAt, registered));
  }
  return out;
}
