import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { EnvironmentError } from "../core/errors.js";
import type { StackPaths } from "./paths.js";
import type { ServiceName } from "./services.js";

const run = promisify(execFile);

/** The pinned Maven plugin: Maven 3.8's built-in default is older and resolves differently. */
export const DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

interface Artifact {
  readonly service: ServiceName;
  /** The pom (relative to the package root) that names what to download. */
  readonly pom: string;
  readonly goal: "copy" | "copy-dependencies";
  /** Changes whenever the pinned versions change, so an old install is not reused. */
  readonly key: string;
}

export const TRINO_VERSION = "476";

const ARTIFACTS: readonly Artifact[] = [
  { service: "s3", pom: "stack/s3proxy/pom.xml", goal: "copy", key: "s3proxy-4.0.0" },
  {
    service: "iceberg-rest",
    pom: "catalog/iceberg-rest/pom.xml",
    goal: "copy-dependencies",
    key: "iceberg-1.10.1",
  },
  { service: "kafka", pom: "stack/kafka/pom.xml", goal: "copy-dependencies", key: "kafka-4.1.1" },
  {
    service: "trino",
    pom: "trino/pom.xml",
    goal: "copy",
    key: `trino-${TRINO_VERSION}+iceberg,hive,memory,tpch`,
  },
  // Only installed when the machine has no PostgreSQL server binaries (see postgres-server.ts).
  { service: "postgres", pom: "stack/postgres/pom.xml", goal: "copy", key: "postgres-17.6.0" },
  {
    service: "connect",
    pom: "stack/connect/pom.xml",
    goal: "copy-dependencies",
    key: "connect-4.1.1+debezium-postgres-3.6.1.Final",
  },
];

/** Where each service's runnable files end up. */
export function installDir(paths: StackPaths, service: ServiceName): string {
  return join(paths.install, service);
}

export function trinoHome(paths: StackPaths): string {
  return join(installDir(paths, "trino"), `trino-server-core-${TRINO_VERSION}`);
}

function markerPath(paths: StackPaths, service: ServiceName): string {
  return join(installDir(paths, service), ".installed");
}

export function isInstalled(paths: StackPaths, service: ServiceName): boolean {
  const artifact = ARTIFACTS.find((a) => a.service === service);
  const marker = markerPath(paths, service);
  return !!artifact && existsSync(marker) && readFileSync(marker, "utf8").trim() === artifact.key;
}

export type InstallProgress = (event: {
  service: ServiceName;
  phase: "download" | "unpack" | "done" | "cached";
  elapsedMs: number;
}) => void;

/**
 * Downloads what is missing with Maven (Maven's ~/.m2 is the shared cache; a second checkout reuses it)
 * and unpacks it under `.floe/stack/install`. A service counts as installed only after its marker file is
 * written, so an interrupted install is redone rather than half-used.
 */
export async function installServices(
  paths: StackPaths,
  services: readonly ServiceName[],
  progress: InstallProgress = () => {},
): Promise<void> {
  const missing = ARTIFACTS.filter((a) => services.includes(a.service) && !isInstalled(paths, a.service));
  for (const a of ARTIFACTS) {
    if (services.includes(a.service) && !missing.includes(a))
      progress({ service: a.service, phase: "cached", elapsedMs: 0 });
  }
  if (missing.length === 0) return;
  await assertMavenPresent();
  // Downloads are network-bound: run them together.
  await Promise.all(missing.map((artifact) => installOne(paths, artifact, progress)));
}

/** Fails with the fix (install Maven) when `mvn` is not on the PATH. */
export async function assertMavenPresent(): Promise<void> {
  try {
    await run("mvn", ["--version"], { timeout: 60_000 });
  } catch {
    throw new EnvironmentError(
      "NO_MAVEN",
      "Maven (mvn) is needed to download the stack's services and was not found.",
      {
        hint: "install Maven (apt-get install maven) and run `floe stack up` again",
      },
    );
  }
}

async function installOne(paths: StackPaths, artifact: Artifact, progress: InstallProgress): Promise<void> {
  const started = Date.now();
  const downloads = join(paths.downloads, artifact.service);
  const target = installDir(paths, artifact.service);
  rmSync(downloads, { recursive: true, force: true });
  mkdirSync(downloads, { recursive: true });
  progress({ service: artifact.service, phase: "download", elapsedMs: 0 });
  try {
    await run(
      "mvn",
      [
        "-B",
        "-q",
        "-f",
        join(paths.home, artifact.pom),
        `${DEPENDENCY_PLUGIN}:${artifact.goal}`,
        `-Dfloe.out=${downloads}`,
      ],
      { timeout: 45 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ""}\n${(error as { stderr?: string }).stderr ?? ""}`;
    const reason =
      output
        .split("\n")
        .map((l) => stripAnsi(l).trim())
        .find((l) => l.startsWith("[ERROR]")) ?? (error as Error).message;
    throw new EnvironmentError(
      "DOWNLOAD_FAILED",
      `Could not download ${artifact.service} (${artifact.key}) from Maven Central: ${reason.slice(0, 300)}`,
      {
        hint: "check that this machine reaches Maven Central (mvn dependency:get -Dartifact=junit:junit:4.13.2) and run `floe stack up` again",
        cause: error,
      },
    );
  }
  progress({ service: artifact.service, phase: "unpack", elapsedMs: Date.now() - started });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  if (artifact.service === "trino") {
    await unpackTrino(downloads, target);
  } else if (artifact.service === "postgres") {
    await unpackPostgres(downloads, target);
  } else {
    // Plain jars: the class path is the download folder's contents.
    const lib = join(target, "lib");
    mkdirSync(lib, { recursive: true });
    for (const f of readdirSync(downloads).filter((n) => n.endsWith(".jar")))
      await run("cp", [join(downloads, f), join(lib, f)]);
    // Connector plugins (Debezium) come as tarballs of their own jars: one folder each on plugin.path.
    const plugins = readdirSync(downloads).filter((n) => n.endsWith(".tar.gz"));
    if (plugins.length > 0) mkdirSync(join(target, "plugins"), { recursive: true });
    for (const f of plugins) await run("tar", ["-xzf", join(downloads, f), "-C", join(target, "plugins")]);
  }
  writeFileSync(markerPath(paths, artifact.service), `${artifact.key}\n`);
  rmSync(downloads, { recursive: true, force: true });
  progress({ service: artifact.service, phase: "done", elapsedMs: Date.now() - started });
}

async function unpackTrino(downloads: string, target: string): Promise<void> {
  // tar and unzip keep file modes (the launcher binary stays executable); Maven's unpack does not.
  await run("tar", ["-xzf", join(downloads, `trino-server-core-${TRINO_VERSION}.tar.gz`), "-C", target]);
  const plugins = join(target, `trino-server-core-${TRINO_VERSION}`, "plugin");
  mkdirSync(plugins, { recursive: true });
  for (const f of readdirSync(downloads).filter((n) => n.endsWith(".zip"))) {
    await run("unzip", ["-q", "-o", join(downloads, f), "-d", plugins]);
  }
}

/** The zonky jar holds one .txz with bin/, lib/ and share/ of a relocatable PostgreSQL build. */
async function unpackPostgres(downloads: string, target: string): Promise<void> {
  const jar = readdirSync(downloads).find((n) => n.endsWith(".jar"));
  if (!jar) throw new Error(`no PostgreSQL binaries jar in ${downloads}`);
  await run("unzip", ["-q", "-o", join(downloads, jar), "-d", downloads]);
  const txz = readdirSync(downloads).find((n) => n.endsWith(".txz"));
  if (!txz) throw new Error(`no .txz inside ${jar}`);
  await run("tar", ["-xJf", join(downloads, txz), "-C", target]);
}

const ESC = String.fromCharCode(27);
/** Maven colours its output even with -B on some terminals; error lines are matched without colour codes. */
function stripAnsi(line: string): string {
  return line
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, "")))
    .join("");
}
