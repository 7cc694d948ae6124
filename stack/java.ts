import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EnvironmentError } from "../core/errors.js";

export interface Jdk {
  readonly home: string;
  readonly java: string;
  readonly major: number;
  readonly version: string;
}

/** Parses the JAVA_VERSION line of a JDK's `release` file ("25.0.3", "17.0.15", "1.8.0_402"). */
export function parseReleaseFile(text: string): { version: string; major: number } | undefined {
  const m = /^JAVA_VERSION="([^"]+)"/m.exec(text);
  if (!m?.[1]) return undefined;
  const version = m[1];
  const parts = version.split(/[._-]/).map((p) => Number.parseInt(p, 10));
  const major = parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
  return { version, major };
}

function jdkAt(home: string): Jdk | undefined {
  const java = join(home, "bin", "java");
  if (!existsSync(java)) return undefined;
  const release = join(home, "release");
  if (existsSync(release)) {
    const parsed = parseReleaseFile(readFileSync(release, "utf8"));
    if (parsed) return { home, java, ...parsed };
  }
  try {
    // `java -version` prints to stderr; execFileSync returns stdout only, so ask for the property instead.
    const out = execFileSync(java, ["-XshowSettings:properties", "-version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const m = /java\.version = (\S+)/.exec(out);
    if (m?.[1]) return { home, java, version: m[1], major: Number.parseInt(m[1], 10) };
  } catch {
    // Not a usable JDK.
  }
  return undefined;
}

/** Every JDK we can see: FLOE_TRINO_JAVA_HOME, JAVA_HOME, and the folders of /usr/lib/jvm. */
export function discoverJdks(env: NodeJS.ProcessEnv = process.env, jvmRoot = "/usr/lib/jvm"): Jdk[] {
  const homes = new Set<string>();
  for (const key of ["FLOE_TRINO_JAVA_HOME", "FLOE_JAVA_HOME", "JAVA_HOME"]) {
    const v = env[key];
    if (v) homes.add(v);
  }
  if (existsSync(jvmRoot)) {
    for (const entry of readdirSync(jvmRoot, { withFileTypes: true })) {
      // Debian keeps symlinked aliases (openjdk-17 → java-17-openjdk-amd64); follow them, dedupe by java path.
      if (entry.isDirectory() || entry.isSymbolicLink()) homes.add(join(jvmRoot, entry.name));
    }
  }
  const seen = new Set<string>();
  const jdks: Jdk[] = [];
  for (const home of homes) {
    const jdk = jdkAt(home);
    if (jdk && !seen.has(jdk.version + jdk.home)) {
      seen.add(jdk.version + jdk.home);
      jdks.push(jdk);
    }
  }
  return jdks.sort((a, b) => b.major - a.major);
}

export const TRINO_MIN_JAVA = 24;
export const SERVICES_MIN_JAVA = 17;

export interface JavaChoice {
  /** Runs Trino 476: JDK ≥ 24. */
  readonly trino: Jdk;
  /** Runs S3Proxy, the Iceberg REST server and Kafka: JDK ≥ 17, the system default when it qualifies. */
  readonly services: Jdk;
}

export function chooseJava(jdks: readonly Jdk[], env: NodeJS.ProcessEnv = process.env): JavaChoice {
  const pinned = env.FLOE_TRINO_JAVA_HOME;
  const trino = pinned
    ? jdks.find((j) => j.home === pinned && j.major >= TRINO_MIN_JAVA)
    : jdks.find((j) => j.major >= TRINO_MIN_JAVA);
  if (!trino) {
    const found = jdks.length ? jdks.map((j) => `${j.version} (${j.home})`).join(", ") : "none";
    throw new EnvironmentError("NO_JDK_24", `Trino 476 needs a JDK ≥ ${TRINO_MIN_JAVA}; found: ${found}.`, {
      hint: "install a JDK 24 or 25 (e.g. Temurin 25) under /usr/lib/jvm, or set FLOE_TRINO_JAVA_HOME to its folder",
    });
  }
  const preferred = env.FLOE_JAVA_HOME ?? env.JAVA_HOME;
  const services =
    jdks.find((j) => j.home === preferred && j.major >= SERVICES_MIN_JAVA) ??
    // Prefer an LTS 17/21 for the small services (their tested JDKs), else whatever qualifies.
    [...jdks].reverse().find((j) => j.major >= SERVICES_MIN_JAVA) ??
    trino;
  return { trino, services };
}
