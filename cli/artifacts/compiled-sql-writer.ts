import { hash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import type { Manifest } from "../manifest/manifest.js";
import { artifactWriteError } from "./write-artifacts.js";

/**
 * Writes each node's compiled SQL to its `compiled_path` while the compile is still rendering, so creating
 * files (kernel work) overlaps rendering and the manifest's serialisation instead of following them.
 *
 * Files whose content is unchanged since the last compile are not rewritten: an index of content digests
 * lives in target/compiled, so deleting that folder resets it. The index is removed before the first new
 * file is written and written again only when every file is in place: a compile that stops half-way (a
 * render error, Ctrl-C, a full disk) leaves no index, so the next compile rewrites everything instead of
 * trusting digests of files this one may have replaced.
 */
export interface CompiledSqlWriter {
  /** Queues one node's SQL; seeds and unknown ids are ignored. */
  add(id: string, sql: string): void;
  /** Waits for every queued file, then records the new index. */
  finish(): Promise<{ written: number; unchanged: number }>;
  /** After a failure: lets queued files finish (each file is written whole) and leaves no index. */
  abandon(): Promise<void>;
}

/**
 * Runs `produce`, which hands each node's SQL to `add` (`floe compile` as it renders, `floe docs generate`
 * from SQL it already holds), and waits for the files. On a failure the files already queued are finished
 * and no index is recorded.
 */
export async function writeCompiledSql<R>(
  root: string,
  targetPath: string,
  manifest: Manifest,
  /** How many nodes `produce` will add (see `openCompiledSqlWriter`). */
  expected: number,
  produce: (add: (id: string, sql: string) => void) => R,
): Promise<{ produced: R; written: number; unchanged: number }> {
  const writer = openCompiledSqlWriter(root, targetPath, manifest, expected);
  try {
    const produced = produce((id, sql) => writer.add(id, sql));
    return { produced, ...(await writer.finish()) };
  } catch (error) {
    await writer.abandon();
    throw error;
  }
}

/** Below this many nodes a worker thread's start-up (about 30 ms) costs more than it saves. */
const WORKER_MIN_NODES = 1000;
/**
 * File creation is kernel work; two threads spread it over both cores (30,000 files: 0.62 s instead of
 * 0.99 s with one thread, three alternated runs each).
 */
const WRITER_THREADS = 2;
/** Files per message to a writer thread: few enough messages, and the threads start early. */
const BATCH = 500;

export function openCompiledSqlWriter(
  root: string,
  targetPath: string,
  manifest: Manifest,
  /** How many nodes will be added: decides between writer threads and writing in place. */
  expected: number,
): CompiledSqlWriter {
  const indexPath = join(root, targetPath, "compiled", INDEX_FILE);
  const index = readIndex(indexPath);
  const hadIndex = index !== undefined;
  const threads = expected >= WORKER_MIN_NODES && import.meta.url.endsWith(".js") ? WRITER_THREADS : 0;
  // Threads start with their first batch: a compile with nothing new to write starts none.
  const lanes: (Lane | undefined)[] = Array.from({ length: threads }, () => undefined);
  const batches: { path: string; content: string }[][] = Array.from({ length: threads }, () => []);
  /** By directory relative to the project: its absolute path and its writer thread. */
  const dirs = new Map<string, { absolute: string; lane: number }>();
  // Applied to the index at the end (not a copy of a 30,000-entry map per compile).
  const changes: [string, string][] = [];
  // Without an index nothing is compared, so the writer threads hash what they write (md5 of 30,000 files
  // cost the main thread 0.12–0.23 s); their digests fill these entries of `changes`, in the order sent.
  const hashInThreads = threads > 0 && index === undefined;
  const pendingDigests: number[][] = Array.from({ length: threads }, () => []);
  let unchanged = 0;
  let indexRemoved = false;

  const post = (lane: number) => {
    const batch = batches[lane] ?? [];
    if (batch.length === 0) return;
    batches[lane] = [];
    const thread = lanes[lane] ?? startWriterThread(hashInThreads);
    lanes[lane] = thread;
    thread.post(batch);
  };

  const settle = async () => {
    for (let lane = 0; lane < batches.length; lane++) post(lane);
    const results = await Promise.allSettled(lanes.map((lane) => lane?.close()));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw artifactWriteError(failed.reason, "compiled SQL");
    results.forEach((result, lane) => {
      const digests = result.status === "fulfilled" ? (result.value ?? []) : [];
      const entries = pendingDigests[lane] ?? [];
      if (digests.length !== entries.length) {
        throw new Error(`a compiled-SQL writer thread hashed ${digests.length} of ${entries.length} files`);
      }
      entries.forEach((change, i) => {
        (changes[change] as [string, string])[1] = digests[i] as string;
      });
    });
  };

  return {
    add(id, sql) {
      const node = manifest.nodes[id];
      if (!node || node.resource_type === "seed") return;
      const content = sql.endsWith("\n") ? sql : `${sql}\n`;
      const digest = hashInThreads ? "" : hash("md5", content, "base64");
      if (index?.get(node.compiled_path) === digest) {
        unchanged++;
        return;
      }
      if (!indexRemoved) {
        rmSync(indexPath, { force: true });
        indexRemoved = true;
      }
      changes.push([node.compiled_path, digest]);
      // path.join per file cost 90 ms for 30,000 files; the directory is joined once and the name appended.
      const slash = node.compiled_path.lastIndexOf("/");
      const relativeDir = node.compiled_path.slice(0, Math.max(slash, 0));
      let dir = dirs.get(relativeDir);
      if (dir === undefined) {
        const absolute = join(root, relativeDir);
        try {
          mkdirSync(absolute, { recursive: true });
        } catch (error) {
          throw artifactWriteError(error, "compiled SQL");
        }
        // A directory belongs to one thread: ext4 locks a directory while adding an entry, so two threads
        // creating files in the same one wait for each other.
        dir = { absolute, lane: threads === 0 ? 0 : stringHash(absolute) % threads };
        dirs.set(relativeDir, dir);
      }
      const path = `${dir.absolute}/${node.compiled_path.slice(slash + 1)}`;
      const lane = dir.lane;
      if (threads === 0) {
        try {
          writeFileSync(path, content);
        } catch (error) {
          throw artifactWriteError(error, "compiled SQL");
        }
        return;
      }
      if (hashInThreads) pendingDigests[lane]?.push(changes.length - 1);
      const batch = batches[lane] ?? [];
      batch.push({ path, content });
      batches[lane] = batch;
      if (batch.length >= BATCH) post(lane);
    },

    async finish() {
      await settle();
      // Written last (see above); also written once for a first compile with nothing to write.
      if (changes.length > 0 || !hadIndex) {
        const entries = index ?? new Map<string, string>();
        for (const [path, digest] of changes) entries.set(path, digest);
        try {
          writeFileAtomic(indexPath, formatIndex(entries));
        } catch (error) {
          throw artifactWriteError(error, "compiled SQL");
        }
      }
      return { written: changes.length, unchanged };
    },

    async abandon() {
      await settle().catch(() => undefined);
    },
  };
}

interface Lane {
  post(writes: readonly { path: string; content: string }[]): void;
  /**
   * Resolves once every posted file is written, with their digests in the order posted when the thread
   * hashes them; rejects with the thread's error.
   */
  close(): Promise<string[] | undefined>;
}

function startWriterThread(hashing: boolean): Lane {
  const worker = new Worker(new URL("./write-worker.js", import.meta.url), { workerData: { hashing } });
  const done = new Promise<string[] | undefined>((resolve, reject) => {
    worker.once("message", (message: { digests?: string[] }) => resolve(message.digests));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code === 0) resolve(undefined);
      else reject(new Error(`a compiled-SQL writer thread exited with code ${code}`));
    });
  });
  // Awaited by close(); this keeps a failure before then from being an unhandled rejection.
  done.catch(() => undefined);
  return {
    post: (writes) => worker.postMessage({ writes }),
    close: () => {
      worker.postMessage({ end: true });
      return done;
    },
  };
}

/** FNV-1a: spreads directories over the threads without a pattern tied to their order. */
function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The index: one `<md5 base64> <compiled_path>` line per file. Lines, not a JSON object: for 30,000 files,
 * JSON took 17–45 ms to write and 23–31 ms to read and look up, lines 5–18 ms and 15–19 ms (three runs).
 */
const INDEX_FILE = ".floe-index";

function formatIndex(entries: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  // A path with a line break cannot be recorded; its file is simply rewritten every time.
  for (const [path, digest] of entries) if (!path.includes("\n")) lines.push(`${digest} ${path}`);
  return `${lines.join("\n")}\n`;
}

/** Undefined when there is no index (or it cannot be read): then every file is written. */
export function readIndex(path: string): Map<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const entries = new Map<string, string>();
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0) entries.set(line.slice(space + 1), line.slice(0, space));
  }
  return entries;
}
