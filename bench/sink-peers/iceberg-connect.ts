import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { EnvironmentError } from "../../core/errors.js";
import { assertMavenPresent, DEPENDENCY_PLUGIN, installDir, isInstalled } from "../../stack/install.js";
import { chooseJava, discoverJdks } from "../../stack/java.js";
import { packageRoot, stackPaths } from "../../stack/paths.js";
import { PORTS, S3_ACCESS_KEY, S3_SECRET_KEY } from "../../stack/services.js";
import {
  type IcebergSinkSettings,
  icebergSinkProperties,
  propertiesText,
  workerProperties,
} from "./connect-config.js";

const run = promisify(execFile);

/** Pinned with bench/sink-peers/pom.xml: a changed version re-downloads. */
export const ICEBERG_SINK_VERSION = "1.10.1";
const PLUGIN_KEY = `iceberg-kafka-connect-${ICEBERG_SINK_VERSION}+hadoop-common-3.4.1`;
/** Not the stack's Connect (8083), whose REST port this would otherwise take. */
export const PEER_CONNECT_PORT = 8093;

/** The bench's cache under .floe/ (git-ignored): the plugin folder and each run's configs, offsets, logs. */
export function benchDir(): string {
  return join(packageRoot(), ".floe", "bench", "sink-peers");
}

const pluginPath = () => join(benchDir(), "plugins");

/**
 * Downloads the Iceberg sink's plugin folder with Maven (bench/sink-peers/pom.xml, copy-dependencies) unless
 * the cache holds this version already; checks the stack's Connect 4.1.1 jars are installed.
 */
export async function ensureIcebergPlugin(log: (line: string) => void): Promise<void> {
  const paths = stackPaths();
  if (!isInstalled(paths, "connect"))
    throw new EnvironmentError(
      "NO_CONNECT",
      `Kafka Connect 4.1.1 is not installed under ${installDir(paths, "connect")}.`,
      { hint: "export FLOE_STACK_DIR to the running stack's folder, or run `floe stack up` once" },
    );
  const target = join(pluginPath(), "iceberg-kafka-connect");
  const marker = join(target, ".installed");
  if (existsSync(marker) && readFileSync(marker, "utf8").trim() === PLUGIN_KEY) return;
  await assertMavenPresent();
  log(`downloading the Iceberg Kafka Connect sink ${ICEBERG_SINK_VERSION} with Maven into ${target}…`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  try {
    await run(
      "mvn",
      [
        "-B",
        "-q",
        "-f",
        join(packageRoot(), "bench/sink-peers/pom.xml"),
        `${DEPENDENCY_PLUGIN}:copy-dependencies`,
        `-Dfloe.out=${target}`,
      ],
      { timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
    throw new EnvironmentError(
      "DOWNLOAD_FAILED",
      `Could not download the Iceberg sink (${PLUGIN_KEY}) from Maven Central: ${output.split("\n").find((l) => l.includes("ERROR")) ?? (error as Error).message}`,
      {
        hint: "check that this machine reaches Maven Central, then run `npm run bench:sink-peers` again",
        retriable: true,
        cause: error,
      },
    );
  }
  writeFileSync(marker, `${PLUGIN_KEY}\n`);
}

export interface ConnectRun {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly log: string;
  readonly connector: string;
}

/**
 * Starts a Kafka Connect 4.1.1 standalone worker (the stack's jars, this bench's plugin folder, its own
 * port and offsets file) running one Iceberg sink connector. `dir` keeps the run's files: a restart with
 * the same `dir` continues from the same offsets file, as a restarted worker would.
 */
export async function startIcebergConnect(
  dir: string,
  sink: Omit<IcebergSinkSettings, "catalogUri" | "s3Endpoint" | "s3AccessKey" | "s3SecretKey">,
  heapMb = 768,
): Promise<ConnectRun> {
  const paths = stackPaths();
  mkdirSync(dir, { recursive: true });
  const worker = join(dir, "worker.properties");
  const connector = join(dir, "iceberg-sink.properties");
  writeFileSync(
    worker,
    propertiesText(
      workerProperties({
        bootstrapServers: `127.0.0.1:${PORTS.kafka}`,
        restPort: PEER_CONNECT_PORT,
        pluginPath: pluginPath(),
        offsetsFile: join(dir, "offsets.dat"),
      }),
    ),
  );
  // Holds the local S3 secret: readable by its owner only.
  writeFileSync(
    connector,
    propertiesText(
      icebergSinkProperties({
        ...sink,
        catalogUri: `http://127.0.0.1:${PORTS.icebergRest}`,
        s3Endpoint: `http://127.0.0.1:${PORTS.s3}`,
        s3AccessKey: S3_ACCESS_KEY,
        s3SecretKey: S3_SECRET_KEY,
      }),
    ),
    { mode: 0o600 },
  );
  // The JDK the stack runs its Connect worker on (17 here).
  const java = chooseJava(discoverJdks());
  const log = join(dir, "connect.log");
  const out = createWriteStream(log, { flags: "a" });
  const child = spawn(
    java.services.java,
    [
      `-Xmx${heapMb}m`,
      `-Dlog4j2.configurationFile=${join(paths.home, "bench/sink-peers/log4j2.properties")}`,
      "-cp",
      `${join(installDir(paths, "connect"), "lib")}/*`,
      "org.apache.kafka.connect.cli.ConnectStandalone",
      worker,
      connector,
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  if (child.pid === undefined) throw new Error(`could not start java (${java.services.java})`);
  return { child, pid: child.pid, log, connector: sink.name };
}

/** The connector's task state from the worker's REST API (RUNNING, FAILED with its trace), if it answers. */
export async function taskState(connector: string): Promise<{ state: string; trace?: string } | undefined> {
  try {
    const response = await fetch(
      `http://127.0.0.1:${PEER_CONNECT_PORT}/connectors/${encodeURIComponent(connector)}/status`,
      { signal: AbortSignal.timeout(2_000) },
    );
    if (!response.ok) return undefined;
    const status = (await response.json()) as { tasks?: { state: string; trace?: string }[] };
    return status.tasks?.[0];
  } catch {
    return undefined;
  }
}

/** Stops the worker: SIGTERM (Connect closes its tasks), SIGKILL after `graceMs`. */
export async function stopConnect(run: ConnectRun, graceMs = 20_000): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => run.child.once("exit", () => resolve()));
  run.child.kill("SIGTERM");
  const timer = setTimeout(() => run.child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}
