import { randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { EnvironmentError } from "../../core/errors.js";

/**
 * One run at a time per target folder. Two runs in one `target/` overwrite each other's run_results.json
 * (and manifest.json, run/ SQL), so a run holds `target/.floe.lock` — created exclusively, holding who
 * owns it — from before its first query until it has written its artifacts. A lock whose process is gone
 * (killed, crashed) is stale and taken over; a live one stops the second run with exit 2.
 */
export const LOCK_FILE = ".floe.lock";

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly startedAt: string;
  /** The process's start time as the kernel counts it (Linux), so a recycled PID is not mistaken for it. */
  readonly startToken?: string;
  /** This lock's own id: a run releases only the lock it created, even within one process. */
  readonly id?: string;
}

export interface TargetLock {
  readonly path: string;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): void;
}

export interface LockOptions {
  /** How the folder is shown in messages, e.g. `target`. */
  readonly display?: string;
  readonly pid?: number;
  readonly now?: Date;
}

export function lockTarget(targetDir: string, command: string, options: LockOptions = {}): TargetLock {
  const path = join(targetDir, LOCK_FILE);
  const pid = options.pid ?? process.pid;
  const startToken = processStartToken(pid);
  const me: LockHolder = {
    pid,
    host: hostname(),
    command,
    startedAt: (options.now ?? new Date()).toISOString(),
    id: randomUUID(),
    ...(startToken === undefined ? {} : { startToken }),
  };
  mkdirSync(targetDir, { recursive: true });
  // Two rounds: a stale lock is moved away in the first, then created anew; a third means a race lost.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: "wx", mode: 0o644 });
      return ownLock(path, me);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readSettledHolder(path);
    if (holder === "gone") continue;
    if (holder !== undefined && isAlive(holder)) throw lockedError(options.display ?? targetDir, holder);
    takeOver(path, holder);
  }
  throw lockedError(options.display ?? targetDir, readHolder(path));
}

function ownLock(path: string, me: LockHolder): TargetLock {
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      const holder = readHolder(path);
      // Never remove a lock another run has since taken over (ours was judged stale).
      if (typeof holder === "object" && holder.id === me.id) {
        unlinkSync(path);
      }
    },
  };
}

/**
 * Moves a stale lock away. Renaming is atomic, so of two runs taking over the same stale lock one moves it;
 * if what was moved turns out to be a live lock (another run took over first), it is put back.
 */
function takeOver(path: string, stale: LockHolder | undefined): void {
  const moved = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(path, moved);
  } catch {
    return; // someone else moved it: try again to create ours
  }
  const got = readHolder(moved);
  const same = stale === undefined || (typeof got === "object" && got.pid === stale.pid);
  if (!same) {
    try {
      linkSync(moved, path);
    } catch {
      // A third run created a lock meanwhile: it holds the folder now.
    }
  }
  unlinkSync(moved);
}

/**
 * The holder of a lock that exists. A lock is created empty and then written, so an unreadable one may be
 * in the making: it is read once more a moment later before it counts as stale.
 */
function readSettledHolder(path: string): LockHolder | undefined | "gone" {
  const first = readHolder(path);
  if (first !== undefined) return first;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  return readHolder(path);
}

/** The lock's holder; undefined when the file is unreadable or half-written; "gone" when it vanished. */
function readHolder(path: string): LockHolder | undefined | "gone" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return typeof value.pid === "number" && typeof value.host === "string"
      ? (value as LockHolder)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's process still runs. On another host we cannot tell, so it counts as running. */
export function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const token = processStartToken(holder.pid);
  return holder.startToken === undefined || token === undefined || token === holder.startToken;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
export function processStartToken(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

function lockedError(display: string, holder: LockHolder | undefined | "gone"): EnvironmentError {
  const path = `${display}/${LOCK_FILE}`;
  const who =
    typeof holder === "object"
      ? `floe ${holder.command} (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt})`
      : "floe run";
  return new EnvironmentError(
    "TARGET_LOCKED",
    `${display}/ is in use by another ${who}: two runs in one target folder would overwrite each other's run_results.json.`,
    {
      location: { file: path },
      hint: `wait for it to finish, or give this run its own target folder (target-path in floe_project.yml); if no floe is running there, delete ${path}.`,
      retriable: true,
    },
  );
}
