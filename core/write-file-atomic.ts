import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes `content` to a temporary name beside `path` and renames it into place, so a reader (or a run
 * interrupted half-way) never sees a half-written file: artifacts, the parse cache, checkpoints, API keys.
 */
export function writeFileAtomic(path: string, content: string, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  // A mode (0o600 for secrets) is set as the file is created: the content is never readable by others.
  writeFileSync(temporary, content, mode === undefined ? undefined : { mode });
  renameSync(temporary, path);
}
