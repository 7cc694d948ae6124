import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

/** Writes each node's compiled SQL to its `compiled_path` (relative to the project root). */
export function writeCompiledSql(
  root: string,
  manifest: Manifest,
  compiled: ReadonlyMap<string, string>,
): number {
  const made = new Set<string>();
  let count = 0;
  for (const [id, sql] of compiled) {
    const node = manifest.nodes[id];
    if (!node || node.resource_type === "seed") continue;
    const path = join(root, node.compiled_path);
    const dir = dirname(path);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const temporary = `${path}.tmp-${process.pid}`;
    writeFileSync(temporary, sql.endsWith("\n") ? sql : `${sql}\n`);
    renameSync(temporary, path);
    count++;
  }
  return count;
}
