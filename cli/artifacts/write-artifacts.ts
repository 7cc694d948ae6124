import { mkdirSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { EnvironmentError, isFloeError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import type { Manifest } from "../manifest/manifest.js";
import { toDbtManifest } from "./dbt-manifest.js";

/**
 * Artifact writing, the output edge of a compile. The manifest is written in dbt's shape (dbt-manifest.ts). The manifest and other JSON artifacts are written to a
 * temporary name and renamed into place (`writeFileAtomic`, core/), so an interrupted compile never leaves a half-written one. (Compiled
 * SQL files: see compiled-sql-writer.ts.)
 */
export function writeManifest(root: string, targetPath: string, manifest: Manifest): string {
  const path = join(root, targetPath, "manifest.json");
  try {
    writeFileAtomic(path, JSON.stringify(toDbtManifest(manifest)));
  } catch (error) {
    throw artifactWriteError(error, "manifest.json");
  }
  return path;
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
    writing = writeFile(temporary, JSON.stringify(toDbtManifest(manifest)));
    writing.catch(() => undefined);
    const result = await working;
    await writing;
    await rename(temporary, path);
    return result;
  } catch (error) {
    await working.catch(() => undefined);
    await writing?.catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw artifactWriteError(error, "manifest.json");
  }
}
