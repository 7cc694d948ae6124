import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { LOG_KEEP, LOG_MAX_BYTES, makePrivate, secretsOf } from "./log-file.js";
import { packageRoot } from "./paths.js";

/**
 * Background processes identified by PID file *and* a marker in their command line, so that a recycled PID
 * never makes `down` kill someone else's process.
 */

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly pidFile: string;
  /** Values to mask in the log besides the environment's secret-named variables (e.g. a config file's). */
  readonly secrets?: readonly string[];
  /** The log writer script (tests); default: `logWriterScript()`. */
  readonly logWriter?: string;
}

/**
 * Starts the service detached, its output piped through the log writer (secrets masked, 0600, rotated;
 * see log-file.ts), which ends when the service does. Without a built log writer (running from the
 * TypeScript sources before any build) the output goes straight to the log, still 0600.
 */
export function launchDetached(spec: LaunchSpec): number {
  const writer = spec.logWriter ?? logWriterScript();
  if (writer === undefined) return launchToFile(spec);
  const pump = spawn(process.execPath, [writer, spec.logFile, String(LOG_MAX_BYTES), String(LOG_KEEP)], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env: { FLOE_LOG_SECRETS: JSON.stringify(secretsOf(spec.env, spec.secrets)) },
  });
  try {
    // The service writes into the writer's stdin; once this process lets go of that pipe, the service
    // holds its only write end, so the writer sees the end of input exactly when the service exits.
    return spawnService(spec, pump.stdin ?? "ignore");
  } finally {
    pump.stdin?.destroy();
    pump.unref();
  }
}

function launchToFile(spec: LaunchSpec): number {
  makePrivate(spec.logFile, LOG_KEEP);
  const log = openSync(spec.logFile, "a", 0o600);
  try {
    return spawnService(spec, log);
  } finally {
    closeSync(log);
  }
}

function spawnService(spec: LaunchSpec, output: number | Writable | "ignore"): number {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ["ignore", output, output],
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  child.unref();
  writeFileSync(spec.pidFile, `${child.pid}\n`);
  return child.pid;
}

/**
 * The log writer, beside this module: `dist/stack/log-writer.js` from tsc's output, `dist/bundle/` when
 * bundled (scripts/bundle-cli.mjs emits it there); from the sources, the built one if there is one.
 */
export function logWriterScript(): string | undefined {
  const candidates = [
    fileURLToPath(new URL("./log-writer.js", import.meta.url)),
    join(packageRoot(), "dist", "stack", "log-writer.js"),
  ];
  return candidates.find((path) => existsSync(path));
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True when `pid` is alive and its command line carries `marker`. */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
  } catch {
    return false;
  }
}

/**
 * True while `pid` exists and is not a zombie. A process that is exiting empties its cmdline before it
 * disappears, so "no longer ours" is not yet "gone"; a zombie is gone for our purposes (its parent, which
 * may have exited, is the one to reap it).
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..." — comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Resident memory of a process in bytes (VmRSS), 0 when gone. */
export function residentBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `signal` (SIGTERM unless the service shuts down cleanly on another), wait up to `graceMs`, then SIGKILL. Removes the PID file. */
export async function stopProcess(
  pidFile: string,
  marker: string,
  graceMs = 20_000,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<"stopped" | "not-running"> {
  const pid = readPid(pidFile);
  if (pid === undefined || !isOurProcess(pid, marker)) {
    rmSync(pidFile, { force: true });
    return "not-running";
  }
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isRunning(pid)) await sleep(200);
  if (isRunning(pid)) {
    process.kill(pid, "SIGKILL");
    while (isRunning(pid)) await sleep(100);
  }
  rmSync(pidFile, { force: true });
  return "stopped";
}
