import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { EnvironmentError, isFloeError } from "../../core/errors.js";
import type { Manifest } from "../manifest/manifest.js";
import { writeDbtManifestJson } from "./dbt-manifest.js";

/**
 * Artifact writing, the output edge of a compile. The manifest is written in dbt's shape (dbt-manifest.ts),
 * streamed into a temporary name and renamed into place (the other JSON artifacts: `writeFileAtomic`,
 * core/), so an interrupted compile never leaves a half-written one. (Compiled SQL files: see
 * compiled-sql-writer.ts.)
 */
export function writeManifest(root: string, targetPath: string, manifest: Manifest): string {
  const path = join(root, targetPath, "manifest.json");
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    writeManifestFile(temporary, manifest);
    renameSync(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    throw artifactWriteError(error, "manifest.json");
  }
  return path;
}

/**
 * Serialises the manifest into `path` a megabyte at a time: each piece is encoded straight into one
 * reused buffer, which is written to the page cache when full, so the JSON is never whole in memory,
 * never joined into bigger strings and never copied into a Buffer of its own. The caller renames the file
 * into place.
 */
function writeManifestFile(path: string, manifest: Manifest): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    const flush = () => {
      writeAll(fd, buffer.subarray(0, used));
      used = 0;
    };
    writeDbtManifestJson(manifest, (piece) => {
      // UTF-8 takes at most 3 bytes per UTF-16 unit; a piece that may not fit is written on its own.
      if (used + piece.length * 3 > CHUNK_BYTES) flush();
      if (piece.length * 3 > CHUNK_BYTES) writeAll(fd, Buffer.from(piece, "utf8"));
      else used += buffer.write(piece, used, "utf8");
    });
    flush();
  } finally {
    closeSync(fd);
  }
}

const CHUNK_BYTES = 1 << 20;

/** Cleanup after a failure: the failure is what gets reported, not a second one while cleaning up. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left behind; the next write of the same name replaces it.
  }
}

/** writeSync may write less than it is given (a signal, a pipe); it is called again for the rest. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
}

/**
 * A file-system failure while writing artifacts (a full disk, a read-only folder, a file where a folder
 * should be) as an error for the user, naming the path; anything else stays what it is (a bug in Floe).
 */
export function artifactWriteError(error: unknown, what: string): unknown {
  // Node's system errors carry the failed call (`open`, `mkdir`, `rename`), also when thrown in a worker.
  const syscall = (error as { syscall?: unknown } | undefined)?.syscall;
  if (typeof syscall !== "string" || !(error instanceof Error) || isFloeError(error)) return error;
  return new EnvironmentError("ARTIFACT_WRITE_FAILED", `cannot write ${what}: ${error.message}.`, {
    hint: "check that the target folder (target-path in floe_project.yml) is a writable folder and the disk has space.",
    cause: error,
  });
}

/**
 * Runs `work` and, once it first waits (`floe compile` has rendered everything and its writer threads are
 * creating files), serialises the manifest into a temporary file (on this thread, while those threads
 * finish); renames it into place when both are done. If `work` fails, the previous manifest stays and the
 * temporary file is removed.
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
  try {
    writeManifestFile(temporary, manifest);
    const result = await working;
    renameSync(temporary, path);
    return result;
  } catch (error) {
    await working.catch(() => undefined);
    removeQuietly(temporary);
    throw artifactWriteError(error, "manifest.json");
  }
}
