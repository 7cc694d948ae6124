import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { EnvironmentError, FloeError } from "../core/errors.js";
import { portInUse, probe, probeFailure } from "./health.js";
import { type InstallProgress, installDir, installServices } from "./install.js";
import { chooseJava, discoverJdks, type JavaChoice } from "./java.js";
import { discoverRedisServer } from "./native-binaries.js";
import { type StackPaths, stackPaths } from "./paths.js";
import { initPostgresCluster, needsPostgresDownload, postgresBinDir } from "./postgres-server.js";
import { isOurProcess, launchDetached, readPid, residentBytes, stopProcess } from "./process.js";
import {
  externalEndpoints,
  type HealthCheck,
  mayLaunch,
  S3_SECRET_KEY,
  SERVICES,
  type ServiceName,
  type ServiceSpec,
  SHOP_DB,
} from "./services.js";
import { provisionShopDatabase, redactUrl } from "./shop-db.js";
import { dataDir, kafkaConfig, type NativeBinaries, processMarker, startCommand } from "./start-commands.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Each service moves stopped → starting → healthy, or → failed (its log tail is reported and everything
 * this `up` started is stopped again). `down` moves running services back to stopped, by PID only.
 */
export type ServiceState = "stopped" | "starting" | "healthy" | "unhealthy" | "failed";

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly title: string;
  readonly url: string;
  readonly state: ServiceState;
  readonly pid?: number;
  readonly rssBytes?: number;
  /** Seconds from launch to healthy, for services started by this call. */
  readonly startSeconds?: number;
  readonly alreadyRunning?: boolean;
  /** Provided by an endpoint of the user's (FLOE_REDIS_URL), not a process of this stack. */
  readonly external?: boolean;
}

export type StackEvent =
  | {
      kind: "install";
      service: ServiceName;
      phase: Parameters<InstallProgress>[0]["phase"];
      elapsedMs: number;
    }
  | { kind: "starting"; service: ServiceName; pid: number }
  | { kind: "waiting"; pending: ServiceName[]; elapsedMs: number }
  | { kind: "ready"; status: ServiceStatus };

export interface StackOptions {
  readonly paths?: StackPaths;
  readonly onEvent?: (event: StackEvent) => void;
  /** How long to wait for every service to report healthy. */
  readonly timeoutMs?: number;
}

const pidFile = (paths: StackPaths, s: ServiceName) => join(paths.run, `${s}.pid`);
export const logFile = (paths: StackPaths, s: ServiceName) => join(paths.run, `${s}.log`);

function runningPid(paths: StackPaths, service: ServiceName): number | undefined {
  const pid = readPid(pidFile(paths, service));
  return pid !== undefined && isOurProcess(pid, processMarker(paths, service)) ? pid : undefined;
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** The state of every service right now (process alive + one health probe). */
export async function stackStatus(options: StackOptions = {}): Promise<ServiceStatus[]> {
  const paths = options.paths ?? stackPaths();
  const external = externalEndpoints();
  return Promise.all(
    SERVICES.map(async (spec): Promise<ServiceStatus> => {
      const endpoint = external[spec.name];
      if (endpoint) return externalStatus(spec, endpoint, await probe(endpoint));
      const pid = runningPid(paths, spec.name);
      const base = { name: spec.name, title: spec.title, url: spec.url };
      if (pid === undefined) return { ...base, state: "stopped" };
      const healthy = await probe(spec.health);
      return { ...base, state: healthy ? "healthy" : "unhealthy", pid, rssBytes: residentBytes(pid) };
    }),
  );
}

function externalStatus(spec: ServiceSpec, endpoint: HealthCheck, healthy: boolean): ServiceStatus {
  const url = "url" in endpoint ? redactUrl(endpoint.url) : spec.url;
  return {
    name: spec.name,
    title: spec.title,
    url,
    state: healthy ? "healthy" : "unhealthy",
    external: true,
  };
}

/**
 * Starts whatever is not running and waits until every service is healthy. Checks the JDK, the native
 * binaries and the ports and downloads everything *before* starting anything, so a bad environment starts
 * nothing. A service with `after` is launched once those are healthy (Connect after Kafka and the
 * provisioned shop database); services already running are left alone.
 */
export async function stackUp(options: StackOptions = {}): Promise<ServiceStatus[]> {
  const paths = options.paths ?? stackPaths();
  const emit = options.onEvent ?? (() => {});
  const java = chooseJava(discoverJdks());
  for (const dir of [paths.downloads, paths.install, paths.data, paths.run])
    mkdirSync(dir, { recursive: true });

  const running = new Map<ServiceName, number>();
  for (const spec of SERVICES) {
    const pid = runningPid(paths, spec.name);
    if (pid !== undefined) running.set(spec.name, pid);
  }
  const external = externalEndpoints();
  const toStart = SERVICES.filter((s) => !running.has(s.name) && !external[s.name]);
  const starts = (name: ServiceName) => toStart.some((s) => s.name === name);
  const natives: NativeBinaries = {
    postgresBinDir: postgresBinDir(paths),
    redisServer: starts("redis") ? discoverRedisServer() : "redis-server",
  };
  await assertPortsFree(toStart);
  await installServices(
    paths,
    toStart.map((s) => s.name).filter((name) => name !== "postgres" || needsPostgresDownload()),
    (e) => emit({ kind: "install", ...e }),
  );
  if (starts("kafka")) await formatKafkaStorage(paths, java);
  if (starts("postgres")) await initPostgresCluster(natives.postgresBinDir, dataDir(paths, "postgres"));

  const launchedAt = new Map<ServiceName, number>();
  const launch = (spec: ServiceSpec) => {
    const command = startCommand(paths, java, spec.name, natives);
    const pid = launchDetached({
      ...command,
      logFile: logFile(paths, spec.name),
      pidFile: pidFile(paths, spec.name),
      // S3Proxy and the Debezium connector read secrets from config files, not their environment: name
      // them for masking.
      secrets: [S3_SECRET_KEY, SHOP_DB.password],
    });
    running.set(spec.name, pid);
    launchedAt.set(spec.name, Date.now());
    emit({ kind: "starting", service: spec.name, pid });
  };

  try {
    return await waitHealthy(
      paths,
      { running, launchedAt, launch, external },
      options.timeoutMs ?? 240_000,
      emit,
    );
  } catch (error) {
    // Leave nothing half-started: stop what this call launched.
    await Promise.all([...launchedAt.keys()].map((s) => stopService(paths, s, 5_000)));
    throw error;
  }
}

/** PostgreSQL's SIGTERM waits for every client to disconnect; SIGINT is its fast, clean shutdown. */
const STOP_SIGNAL: Partial<Record<ServiceName, NodeJS.Signals>> = { postgres: "SIGINT" };

function stopService(paths: StackPaths, service: ServiceName, graceMs?: number) {
  return stopProcess(pidFile(paths, service), processMarker(paths, service), graceMs, STOP_SIGNAL[service]);
}

/**
 * A process that just died can hold its listening socket a moment longer: after a SIGKILL a JVM's main
 * thread is already a zombie (so `isRunning` says gone) while its other threads are still exiting with
 * the shared file table, and the kernel still completes connections to the port. So a taken port is
 * asked again for a few seconds before it counts as someone else's.
 */
const PORT_RELEASE_GRACE_MS = 10_000;

async function assertPortsFree(specs: readonly ServiceSpec[]): Promise<void> {
  const takenPorts = async () => {
    const taken: string[] = [];
    for (const spec of specs)
      for (const port of spec.ports) if (await portInUse(port)) taken.push(`${port} (${spec.title})`);
    return taken;
  };
  let taken = await takenPorts();
  for (const until = Date.now() + PORT_RELEASE_GRACE_MS; taken.length > 0 && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 250));
    taken = await takenPorts();
  }
  if (taken.length > 0) {
    const first = taken[0]!.split(" ")[0];
    throw new EnvironmentError(
      "PORT_IN_USE",
      `Port ${taken.join(", ")} is already in use by another process.`,
      {
        hint: `stop the process listening there (see \`ss -ltnp 'sport = :${first}'\`), then run \`floe stack up\` again`,
      },
    );
  }
}

async function formatKafkaStorage(paths: StackPaths, java: JavaChoice): Promise<void> {
  const logDir = join(dataDir(paths, "kafka"), "log");
  if (existsSync(join(logDir, "meta.properties"))) return;
  // A Kafka cluster id is 16 random bytes in URL-safe base64; avoid a leading '-' that reads as a flag.
  let clusterId = randomBytes(16).toString("base64url");
  while (clusterId.startsWith("-")) clusterId = randomBytes(16).toString("base64url");
  const lib = join(installDir(paths, "kafka"), "lib");
  try {
    await run(
      java.services.java,
      [
        `-Dlog4j2.configurationFile=${join(paths.home, "stack/kafka/log4j2.properties")}`,
        "-cp",
        `${lib}/*`,
        "kafka.tools.StorageTool",
        "format",
        "--standalone",
        "-t",
        clusterId,
        "-c",
        kafkaConfig(paths),
      ],
      { timeout: 120_000 },
    );
  } catch (error) {
    throw new EnvironmentError("KAFKA_FORMAT_FAILED", `Could not format Kafka's storage in ${logDir}.`, {
      hint: "run `floe stack reset` to start from empty data",
      cause: error,
    });
  }
}

interface Launches {
  /** PIDs of the services running now (already, or launched by this call). */
  readonly running: Map<ServiceName, number>;
  readonly launchedAt: ReadonlyMap<ServiceName, number>;
  /** Launches a service that is not running; called once its `after` services are healthy. */
  readonly launch: (spec: ServiceSpec) => void;
  readonly external: Partial<Record<ServiceName, HealthCheck>>;
}

async function waitHealthy(
  paths: StackPaths,
  launches: Launches,
  timeoutMs: number,
  emit: (e: StackEvent) => void,
): Promise<ServiceStatus[]> {
  const { running, launchedAt, launch, external } = launches;
  const started = Date.now();
  const done = new Map<ServiceName, ServiceStatus>();
  let lastReport = started;
  while (done.size < SERVICES.length) {
    for (const spec of SERVICES) {
      if (done.has(spec.name)) continue;
      const endpoint = external[spec.name];
      if (endpoint) {
        if (await probe(endpoint)) done.set(spec.name, externalStatus(spec, endpoint, true));
        continue;
      }
      if (!running.has(spec.name)) {
        if (mayLaunch(spec, done)) launch(spec);
        continue;
      }
      const pid = running.get(spec.name)!;
      if (!isOurProcess(pid, processMarker(paths, spec.name))) {
        throw new EnvironmentError(
          "SERVICE_EXITED",
          `${spec.title} exited while starting. Last log lines (${logFile(paths, spec.name)}):\n${tail(logFile(paths, spec.name), 15)}`,
          {
            hint: `read the log with \`floe stack logs ${spec.name}\`; \`floe stack reset\` clears its data`,
          },
        );
      }
      if (await probe(spec.health)) {
        // Idempotent, on every `up`: the schema and publication must exist before the connector starts.
        if (spec.name === "postgres") await provisionShopDatabase(paths.home);
        const at = launchedAt.get(spec.name);
        const status: ServiceStatus = {
          name: spec.name,
          title: spec.title,
          url: spec.url,
          state: "healthy",
          pid,
          rssBytes: residentBytes(pid),
          ...(at === undefined ? { alreadyRunning: true } : { startSeconds: (Date.now() - at) / 1000 }),
        };
        done.set(spec.name, status);
        emit({ kind: "ready", status });
        continue;
      }
      const failure = await probeFailure(spec.health);
      if (failure !== undefined) {
        throw new EnvironmentError("SERVICE_FAILED", `${spec.title} reports a failure: ${failure}`, {
          hint: `read \`floe stack logs ${spec.name}\`; \`floe stack reset\` clears the stack's data`,
        });
      }
    }
    if (done.size === SERVICES.length) break;
    const pending = SERVICES.filter((s) => !done.has(s.name)).map((s) => s.name);
    if (Date.now() - started > timeoutMs) {
      const name = pending[0]!;
      throw new EnvironmentError(
        "SERVICE_UNHEALTHY",
        `${pending.join(", ")} did not become healthy within ${Math.round(timeoutMs / 1000)} s. Last log lines of ${name}:\n${tail(logFile(paths, name), 15)}`,
        { hint: `read \`floe stack logs ${name}\`; on a slow machine raise FLOE_STACK_TIMEOUT (seconds)` },
      );
    }
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      emit({ kind: "waiting", pending, elapsedMs: Date.now() - started });
    }
    await sleep(500);
  }
  return SERVICES.map((s) => done.get(s.name)!);
}

/**
 * Stops every service this stack started, in reverse order: Connect first (so Debezium releases its
 * replication slot before PostgreSQL stops), Trino before the services it talks to.
 */
export async function stackDown(
  options: StackOptions & { purge?: boolean } = {},
): Promise<{ name: ServiceName; result: "stopped" | "not-running" }[]> {
  const paths = options.paths ?? stackPaths();
  const results: { name: ServiceName; result: "stopped" | "not-running" }[] = [];
  for (const spec of [...SERVICES].reverse()) {
    results.push({ name: spec.name, result: await stopService(paths, spec.name) });
  }
  if (options.purge) rmSync(paths.data, { recursive: true, force: true });
  return results.reverse();
}

/**
 * Stops the local Connect worker (so Debezium lets go of its slot) and forgets its offsets, so that after
 * a CDC teardown the next `up` starts over with a fresh slot and an initial snapshot instead of resuming
 * at an LSN the new slot no longer has.
 */
export async function stopLocalCdc(options: StackOptions = {}): Promise<"stopped" | "not-running"> {
  const paths = options.paths ?? stackPaths();
  const result = await stopService(paths, "connect");
  rmSync(join(dataDir(paths, "connect"), "offsets.dat"), { force: true });
  return result;
}

export function stackLogTail(service: ServiceName, lines: number, options: StackOptions = {}): string {
  const paths = options.paths ?? stackPaths();
  return tail(logFile(paths, service), lines);
}

export class StackNotRunningError extends FloeError {
  constructor(what: string) {
    super("STACK_DOWN", `${what} is not running.`, { hint: "start the local stack with `floe stack up`" });
  }
}
