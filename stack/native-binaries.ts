import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { EnvironmentError } from "../core/errors.js";

/**
 * Finding the native (non-JVM) servers of the stack: PostgreSQL's `initdb`/`postgres` and `redis-server`.
 * The choice is pure (`choosePostgresBinDir`, `findOnPath` over an `exists` function) so it is tested
 * without the machine; `discover*` feed it the machine's folders.
 */

export type Exists = (path: string) => boolean;

/** The PostgreSQL server folder to use: the first candidate holding both `initdb` and `postgres`. */
export function choosePostgresBinDir(candidates: readonly string[], exists: Exists): string | undefined {
  return candidates.find((dir) => exists(join(dir, "initdb")) && exists(join(dir, "postgres")));
}

/**
 * Debian's `/usr/lib/postgresql/<major>/bin` folders, newest major first. Sorted numerically: "9.6" must
 * not beat "15".
 */
export function debianPostgresDirs(versions: readonly string[], root = "/usr/lib/postgresql"): string[] {
  return [...versions]
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((v) => join(root, v, "bin"));
}

/** The machine's PostgreSQL server binaries, or undefined (then the stack installs them from Maven Central). */
export function discoverPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.FLOE_POSTGRES_BIN_DIR) candidates.push(env.FLOE_POSTGRES_BIN_DIR);
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) candidates.push(...debianPostgresDirs(readdirSync(root), root));
  try {
    const bindir = execFileSync("pg_config", ["--bindir"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    }).trim();
    if (bindir) candidates.push(bindir);
  } catch {
    // No pg_config on PATH: nothing to add.
  }
  return choosePostgresBinDir(candidates, existsSync);
}

/** The first `name` on PATH (then the usual sbin folders, which a non-login root shell may lack). */
export function findOnPath(name: string, path: string | undefined, exists: Exists): string | undefined {
  const dirs = [...(path ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/bin", "/usr/bin"];
  return dirs.map((d) => join(d, name)).find(exists);
}

export function discoverRedisServer(
  env: NodeJS.ProcessEnv = process.env,
  exists: Exists = existsSync,
): string {
  const found = findOnPath("redis-server", env.PATH, exists);
  if (found) return found;
  throw new EnvironmentError(
    "NO_REDIS",
    "redis-server was not found: the local stack runs its own Redis on 127.0.0.1:6380 for the real-time view.",
    {
      hint: "install it (apt-get install redis-server) and run `floe stack up` again, or point FLOE_REDIS_URL at a running Redis",
    },
  );
}

/** The user an unprivileged server runs as when Floe runs as root (PostgreSQL refuses to run as root). */
export const UNPRIVILEGED_USER = "nobody";

/**
 * The first folder on the way to `path` that the unprivileged user cannot pass (no "others" execute bit),
 * e.g. /root (mode 0700) when the checkout lives there; undefined when every one can be passed. The
 * folders we create ourselves are chowned to that user, so they do not count. Pure over `modeOf`.
 */
export function blockedAncestor(
  path: string,
  modeOf: (dir: string) => number | undefined,
): string | undefined {
  const parts = path.split("/").filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join("/")}`;
    const mode = modeOf(dir);
    if (mode === undefined) return undefined; // Not created yet: we make it, with the default mode.
    if ((mode & 0o001) === 0) return dir;
  }
  return undefined;
}

/** The group of the unprivileged user: Debian's `nogroup`, elsewhere `nobody`. */
export function unprivilegedGroup(groupFile: string): string {
  return /^nogroup:/m.test(groupFile) ? "nogroup" : UNPRIVILEGED_USER;
}

function machineGroup(): string {
  try {
    return unprivilegedGroup(readFileSync("/etc/group", "utf8"));
  } catch {
    return UNPRIVILEGED_USER;
  }
}

/**
 * Wraps a command so it runs unprivileged when we are root: `setpriv` execs the target in place, so the
 * PID we record is the server's own. When not root, the command is returned unchanged.
 */
export function unprivileged(
  command: string,
  args: readonly string[],
  uid: number | undefined,
  group: () => string = machineGroup,
): { command: string; args: string[] } {
  if (uid !== 0) return { command, args: [...args] };
  return {
    command: "setpriv",
    args: [`--reuid=${UNPRIVILEGED_USER}`, `--regid=${group()}`, "--clear-groups", "--", command, ...args],
  };
}
