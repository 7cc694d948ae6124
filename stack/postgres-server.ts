import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { EnvironmentError } from "../core/errors.js";
import { installDir } from "./install.js";
import {
  blockedAncestor,
  discoverPostgresBinDir,
  UNPRIVILEGED_USER,
  unprivileged,
  unprivilegedGroup,
} from "./native-binaries.js";
import type { StackPaths } from "./paths.js";
import { PORTS, SHOP_DB } from "./services.js";

const run = promisify(execFile);

/**
 * The shop's own PostgreSQL cluster under the stack folder. PostgreSQL refuses to run as root: as root,
 * initdb and the server run as `nobody` (via setpriv) and the cluster's folders belong to it.
 */

export interface PostgresLayout {
  /** The cluster (PGDATA). */
  readonly pgdata: string;
  /** The unix socket folder: in the stack folder, never /var/run/postgresql (the machine's 5432 uses it). */
  readonly socketDir: string;
}

export function postgresLayout(data: string): PostgresLayout {
  return { pgdata: join(data, "pgdata"), socketDir: join(data, "socket") };
}

/** The machine's server binaries, else the ones `floe stack up` installs from Maven Central. */
export function postgresBinDir(paths: StackPaths, env: NodeJS.ProcessEnv = process.env): string {
  return discoverPostgresBinDir(env) ?? join(installDir(paths, "postgres"), "bin");
}

/** True when the machine has no server binaries, so the Maven Central ones must be installed. */
export function needsPostgresDownload(env: NodeJS.ProcessEnv = process.env): boolean {
  return discoverPostgresBinDir(env) === undefined;
}

// A unix socket path is limited to 107 bytes; ".s.PGSQL.5433" takes 14 of them.
const MAX_SOCKET_DIR = 90;

/**
 * The server's settings on its command line (so a stale postgresql.conf never wins): logical decoding for
 * Debezium, local TCP only, and `max_slot_wal_keep_size` so a forgotten slot cannot fill the disk.
 * `marker` is a custom setting (`floe.stack=...`) that identifies the process as this stack's.
 */
export function postgresArgs(layout: PostgresLayout, marker: string): string[] {
  const settings: Record<string, string | number> = {
    listen_addresses: "127.0.0.1",
    port: PORTS.postgres,
    unix_socket_directories: layout.socketDir.length <= MAX_SOCKET_DIR ? layout.socketDir : "",
    wal_level: "logical",
    max_wal_senders: 10,
    max_replication_slots: 10,
    max_slot_wal_keep_size: "1GB",
    shared_buffers: "64MB",
    log_min_messages: "warning",
    log_line_prefix: "%m [%p] ",
  };
  return [
    "-D",
    layout.pgdata,
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    "-c",
    marker,
  ];
}

async function chownToUnprivileged(dir: string): Promise<void> {
  await run("chown", [
    "-R",
    `${UNPRIVILEGED_USER}:${unprivilegedGroup(readFileSync("/etc/group", "utf8"))}`,
    dir,
  ]);
}

function modeOf(dir: string): number | undefined {
  try {
    return statSync(dir).mode;
  } catch {
    return undefined;
  }
}

/** As root the server runs as nobody, which must be able to reach its data folder. */
function assertReachableByUnprivileged(data: string): void {
  const blocked = blockedAncestor(dirname(data), modeOf);
  if (blocked === undefined) return;
  throw new EnvironmentError(
    "POSTGRES_DIR_UNREACHABLE",
    `The shop's PostgreSQL runs as ${UNPRIVILEGED_USER} when floe runs as root, and ${UNPRIVILEGED_USER} cannot enter ${blocked} on the way to ${data}.`,
    {
      hint: `put the stack where ${UNPRIVILEGED_USER} can reach it (FLOE_STACK_DIR=/var/tmp/floe-stack), or allow passing through with \`chmod o+x ${blocked}\``,
    },
  );
}

/**
 * Creates the cluster once (an existing PG_VERSION means it exists): superuser `postgres` with the local
 * password, password (scram) auth over TCP, trust on the stack's own socket folder.
 */
export async function initPostgresCluster(
  binDir: string,
  data: string,
  uid = process.getuid?.(),
): Promise<void> {
  const layout = postgresLayout(data);
  if (uid === 0) assertReachableByUnprivileged(data);
  // Parents with the default mode (a recursive mkdir would give them 0700 too, closing them to nobody).
  mkdirSync(data, { recursive: true });
  mkdirSync(layout.socketDir, { mode: 0o700, recursive: true });
  if (existsSync(join(layout.pgdata, "PG_VERSION"))) {
    if (uid === 0) await chownToUnprivileged(data);
    return;
  }
  rmSync(layout.pgdata, { recursive: true, force: true });
  mkdirSync(layout.pgdata, { recursive: true, mode: 0o700 });
  const pwfile = join(data, "initdb-password");
  writeFileSync(pwfile, `${SHOP_DB.password}\n`, { mode: 0o600 });
  if (uid === 0) await chownToUnprivileged(data);
  const initdb = unprivileged(
    join(binDir, "initdb"),
    [
      "-D",
      layout.pgdata,
      "-U",
      SHOP_DB.superuser,
      `--pwfile=${pwfile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C",
    ],
    uid,
  );
  try {
    await run(initdb.command, initdb.args, { cwd: data, timeout: 120_000 });
  } catch (error) {
    rmSync(layout.pgdata, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new EnvironmentError(
      "POSTGRES_INIT_FAILED",
      `initdb could not create the shop database cluster in ${layout.pgdata}: ${stderr.trim().slice(0, 400)}`,
      {
        hint:
          uid === 0
            ? `as root the cluster runs as ${UNPRIVILEGED_USER}: every folder above ${data} must be readable (x) by it`
            : "read the message above; `floe stack reset` starts from empty data",
        cause: error,
      },
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
}
