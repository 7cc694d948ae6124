import { hash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Manifest } from "./manifest.js";

/**
 * Artifact writing, the output edge of a compile. Every file is written to a temporary name and renamed
 * into place, so an interrupted compile never leaves a half-written manifest or SQL file.
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export function writeManifest(root: string, targetPath: string, manifest: Manifest): string {
  const path = join(root, targetPath, "manifest.json");
  writeFileAtomic(path, JSON.stringify(manifest));
  return path;
}

/**
 * Runs `work` while the manifest is written to a temporary file on libuv's threads (`floe compile` renders
 * and writes the SQL meanwhile), then renames it into place. If `work` fails, the previous manifest stays
 * and the temporary file is removed.
 */
export async function whileWritingManifest<T>(
  root: string,
  targetPath: string,
  manifest: Manifest,
  work: () => Promise<T>,
): Promise<T> {
  const path = join(root, targetPath, "manifest.json");
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  const writing = writeFile(temporary, JSON.stringify(manifest));
  // Awaited below either way; this keeps a failure while `work` runs from being an unhandled rejection.
  writing.catch(() => undefined);
  try {
    const result = await work();
    await writing;
    await rename(temporary, path);
    return result;
  } catch (error) {
    await writing.catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes each node's compiled SQL to its `compiled_path` (relative to the project root). Files whose content
 * is unchanged since the last compile are not rewritten: creating tens of thousands of files dominates a
 * large compile. An index of content hashes lives inside target/compiled, so deleting that folder resets it.
 */
export async function writeCompiledSqlAsync(
  root: string,
  targetPath: string,
  manifest: Manifest,
  compiled: ReadonlyMap<string, string>,
): Promise<{ written: number; unchanged: number }> {
  const plan = planCompiledSql(root, targetPath, manifest, compiled);
  await writeFiles(plan.writes);
  plan.finish();
  return { written: plan.writes.length, unchanged: plan.unchanged };
}

/** Below this many files a worker thread's start-up costs more than it saves. */
const WORKER_MIN_FILES = 1000;
/**
 * File creation is kernel work (about 30 µs a file on ext4 here); two threads spread it over both cores:
 * 30,000 files took 0.62 s instead of 0.99 s with one thread (three alternated runs each).
 */
const WRITER_THREADS = 2;

/**
 * Small files in place with `writeFileSync`. A promise per open/write/close cost the main thread about
 * 20 µs a file (0.6 s of CPU for 30,000 files), so many files go to worker threads that write them
 * synchronously while the main thread finishes the manifest. Under vitest (TypeScript sources) there is no
 * compiled worker file, so the loop runs here.
 */
async function writeFiles(writes: readonly { path: string; content: string }[]): Promise<void> {
  if (writes.length < WORKER_MIN_FILES || !import.meta.url.endsWith(".js")) {
    for (const write of writes) writeFileSync(write.path, write.content);
    return;
  }
  const url = new URL("./write-worker.js", import.meta.url);
  // Each thread takes a contiguous run of paths, so the two rarely create files in the same directory at
  // once (ext4 locks a directory while adding an entry): 30,000 files took 0.77–1.18 s this way against
  // 1.23–1.47 s with files alternating between the threads (three runs each).
  const sorted = [...writes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  await Promise.all(
    Array.from({ length: WRITER_THREADS }, (_, k) => {
      const share = sorted.slice(
        Math.floor((k * sorted.length) / WRITER_THREADS),
        Math.floor(((k + 1) * sorted.length) / WRITER_THREADS),
      );
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(url, { workerData: { writes: share } });
        worker.once("message", () => resolve());
        worker.once("error", reject);
        worker.once("exit", (code) => {
          if (code !== 0) reject(new Error(`a compiled-SQL writer thread exited with code ${code}`));
        });
      });
    }),
  );
}

/** Which files need writing (directories created), and how to record them in the index afterwards. */
function planCompiledSql(
  root: string,
  targetPath: string,
  manifest: Manifest,
  compiled: ReadonlyMap<string, string>,
): { writes: { path: string; content: string }[]; unchanged: number; finish: () => void } {
  const indexPath = join(root, targetPath, "compiled", ".floe-index.json");
  const previous = readIndex(indexPath);
  // The new index is the previous one plus the changes, applied at the end (not a 30,000-key copy).
  const changes: [string, string][] = [];
  const made = new Set<string>();
  const writes: { path: string; content: string }[] = [];
  let unchanged = 0;
  for (const [id, sql] of compiled) {
    const node = manifest.nodes[id];
    if (!node || node.resource_type === "seed") continue;
    const content = sql.endsWith("\n") ? sql : `${sql}\n`;
    const digest = hash("md5", content, "base64");
    if (previous[node.compiled_path] === digest) {
      unchanged++;
      continue;
    }
    const path = join(root, node.compiled_path);
    const dir = dirname(path);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writes.push({ path, content });
    changes.push([node.compiled_path, digest]);
  }
  const finish = () => {
    // Written last: an interrupted compile leaves an index that still describes the files on disk.
    if (writes.length > 0 || !existsSync(indexPath)) {
      for (const [path, digest] of changes) previous[path] = digest;
      writeFileAtomic(indexPath, JSON.stringify(previous));
    }
  };
  return { writes, unchanged, finish };
}

function readIndex(path: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}
