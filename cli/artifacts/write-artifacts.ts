import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Manifest } from "./manifest.js";

/**
 * Artifact writing, the output edge of a compile. The manifest and other JSON artifacts are written to a
 * temporary name and renamed into place, so an interrupted compile never leaves a half-written one. (Compiled
 * SQL files: see compiled-sql-writer.ts.)
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
 * Runs `work` and, once it first waits (`floe compile` has rendered everything and its writer threads are
 * creating files), serialises the manifest and writes it to a temporary file on libuv's threads; renames it
 * into place when both are done. If `work` fails, the previous manifest stays and the temporary file is
 * removed.
 */
export async function whileWritingManifest<T>(
  root: string,
  targetPath: string,
  manifest: Manifest,
  work: () => Promise<T>,
): Promise<T> {
  const path = join(root, targetPath, "manifest.json");
  const temporary = `${path}.tmp-${process.pid}`;
  const working = work();
  // Awaited below either way; this keeps a failure meanwhile from being an unhandled rejection.
  working.catch(() => undefined);
  let writing: Promise<void> | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writing = writeFile(temporary, JSON.stringify(manifest));
    writing.catch(() => undefined);
    const result = await working;
    await writing;
    await rename(temporary, path);
    return result;
  } catch (error) {
    await working.catch(() => undefined);
    await writing?.catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}
