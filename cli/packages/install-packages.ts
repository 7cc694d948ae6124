import { execFile } from "node:child_process";
import { hash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { ConfigError, EnvironmentError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { readProjectFile } from "../project/load-project.js";
import {
  formatLockFile,
  LOCK_FILE,
  type LockEntry,
  type LockFile,
  PACKAGES_FILE,
  type PackageSpec,
  packagesHash,
  parseLockFile,
  parsePackagesFile,
  sourceOf,
} from "../project/packages-file.js";
import { PROJECT_FILE, parseProjectFile } from "../project/project-schema.js";
import { readTextFile } from "../project/read-resources.js";
import { FLOE_UTILS_PACKAGE } from "../templating/floe-utils/library.js";
import { planInstall } from "./plan-install.js";

/**
 * `floe deps`: installs packages.yml's packages under the packages install path and writes
 * package-lock.yml. A local package becomes a symlink to its folder (as dbt does, so edits to it are seen
 * at once); a tarball (a file or an http(s) URL) is unpacked by the system `tar` into
 * `<install path>/<name>/`. With a lock written for this packages.yml, every package folder in place and
 * every local package's content as locked, it writes nothing at all, so it can run before every build.
 */
export interface DepsEvent {
  readonly name: string;
  readonly source: string;
  readonly action: "installed" | "kept";
  readonly sha256: string;
}

export interface DepsResult {
  /** packages.yml absent or empty. */
  readonly noPackages: boolean;
  /** The lock and every package were already in place: nothing was written. */
  readonly upToDate: boolean;
  readonly packages: readonly DepsEvent[];
  /** Package folders removed because packages.yml no longer lists them. */
  readonly removed: readonly string[];
  readonly installPath: string;
}

const IGNORED_DIRS = new Set(["target", "node_modules", "dbt_packages", "floe_packages", "logs"]);

export async function installPackages(projectDir: string): Promise<DepsResult> {
  const root = resolve(projectDir);
  const { config } = readProjectFile(root);
  const installPath = config["packages-install-path"];
  const installDir = join(root, installPath);
  const packagesPath = join(root, PACKAGES_FILE);
  const text = existsSync(packagesPath)
    ? readTextFile(packagesPath, PACKAGES_FILE, { allowEmpty: true }).text
    : "";
  const specs = parsePackagesFile(text);
  const lockPath = join(root, LOCK_FILE);
  const previous = existsSync(lockPath)
    ? parseLockFile(readTextFile(lockPath, LOCK_FILE, { allowEmpty: true }).text)
    : undefined;
  const packagesSha = packagesHash(text);
  const plan = planInstall({
    specs,
    previous,
    packagesSha,
    isInstalled: (entry) => isInstalled(root, installDir, entry),
    isCurrent: (entry) =>
      isInstalled(root, installDir, entry) &&
      (entry.local === undefined || folderSha256(resolve(root, entry.local), installPath) === entry.sha256),
  });
  if (plan.kind === "no-packages") {
    return { noPackages: true, upToDate: true, packages: [], removed: [], installPath };
  }
  if (plan.kind === "up-to-date") {
    const packages = plan.entries.map((p) => event(p, "kept"));
    return { noPackages: specs.length === 0, upToDate: true, packages, removed: [], installPath };
  }
  mkdirSync(installDir, { recursive: true });
  const entries: LockEntry[] = [];
  const events: DepsEvent[] = [];
  for (const step of plan.steps) {
    const entry =
      step.kind === "keep"
        ? step.entry
        : step.spec.local !== undefined
          ? installLocal(root, installDir, installPath, step.spec.local)
          : await installTarball(root, installDir, step.spec);
    if (entry.name === config.name || entry.name === FLOE_UTILS_PACKAGE) {
      rmSync(join(installDir, entry.name), { recursive: true, force: true });
      throw new ConfigError(
        `package ${sourceOf(entry).location} is named '${entry.name}', like ${entry.name === config.name ? "this project" : "Floe's bundled macro library"}.`,
        {
          location: { file: PACKAGES_FILE },
          hint: "a package must have a name of its own (name: in its floe_project.yml).",
        },
      );
    }
    if (entries.some((e) => e.name === entry.name)) {
      throw new ConfigError(`two packages in ${PACKAGES_FILE} are named '${entry.name}'.`, {
        location: { file: PACKAGES_FILE },
        hint: "list each package once.",
      });
    }
    entries.push(entry);
    events.push(event(entry, step.kind === "keep" ? "kept" : "installed"));
  }
  const removed: string[] = [];
  for (const old of previous?.packages ?? []) {
    if (entries.some((e) => e.name === old.name)) continue;
    rmSync(join(installDir, old.name), { recursive: true, force: true });
    removed.push(old.name);
  }
  const lock: LockFile = { packages: entries, sha256_hash: packagesSha };
  writeFileAtomic(lockPath, formatLockFile(lock));
  return { noPackages: specs.length === 0, upToDate: false, packages: events, removed, installPath };
}

function event(entry: LockEntry, action: DepsEvent["action"]): DepsEvent {
  const { kind, location } = sourceOf(entry);
  return { name: entry.name, source: `${kind} ${location}`, action, sha256: entry.sha256 };
}

/** The package's folder holds its project (for a local package: the link still points at its source). */
function isInstalled(root: string, installDir: string, entry: LockEntry): boolean {
  const dir = join(installDir, entry.name);
  if (!existsSync(join(dir, PROJECT_FILE))) return false;
  if (entry.local === undefined) return true;
  try {
    return (
      lstatSync(dir).isSymbolicLink() && resolve(installDir, readlinkSync(dir)) === resolve(root, entry.local)
    );
  } catch {
    return false;
  }
}

function installLocal(root: string, installDir: string, installPath: string, location: string): LockEntry {
  const source = resolve(root, location);
  const name = packageProjectName(source, `local package ${location}`);
  const link = join(installDir, name);
  rmSync(link, { recursive: true, force: true });
  // "junction" makes a folder link without admin rights on Windows; it is ignored elsewhere.
  symlinkSync(source, link, "junction");
  return { local: location, name, sha256: folderSha256(source, installPath) };
}

async function installTarball(root: string, installDir: string, spec: PackageSpec): Promise<LockEntry> {
  const location = spec.tarball ?? "";
  const name = spec.name ?? "";
  const bytes = await readTarball(root, location);
  const staging = join(installDir, `.floe-unpack-${name}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const archive = join(staging, ".archive");
    writeFileSync(archive, bytes);
    await untar(archive, join(staging, "content"), location);
    const projectDir = findProjectRoot(join(staging, "content"), location);
    const projectName = packageProjectName(projectDir, `tarball ${location}`);
    if (projectName !== name) {
      throw new ConfigError(`tarball ${location} holds project '${projectName}', not '${name}'.`, {
        location: { file: PACKAGES_FILE },
        hint: `set name: ${projectName} for this package in ${PACKAGES_FILE}.`,
      });
    }
    const target = join(installDir, name);
    rmSync(target, { recursive: true, force: true });
    renameSync(projectDir, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { tarball: location, name, sha256: hash("sha256", bytes, "hex") };
}

async function readTarball(root: string, location: string): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(location)) {
    try {
      return await fetchBytes(location);
    } catch (error) {
      throw new EnvironmentError(
        "PACKAGE_DOWNLOAD_FAILED",
        `cannot download ${location}: ${(error as Error).message}.`,
        {
          location: { file: PACKAGES_FILE },
          hint: "check the URL and the network, then run `floe deps` again.",
          cause: error,
        },
      );
    }
  }
  const path = isAbsolute(location) ? location : resolve(root, location);
  if (!existsSync(path)) {
    throw new ConfigError(`tarball ${location} does not exist (${path}).`, {
      location: { file: PACKAGES_FILE },
      hint: "fix the path in packages.yml (relative paths start at the project folder).",
    });
  }
  return readFileSync(path);
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000), redirect: "follow" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The system `tar` unpacks (GNU tar and bsdtar read .tar, .tar.gz and more, and both refuse members that
 * climb out with `..` or an absolute path). Node has no tar reader, and this keeps Floe free of an
 * archive dependency.
 */
async function untar(archive: string, into: string, location: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  try {
    await promisify(execFile)("tar", ["-xf", archive, "-C", into], { timeout: 120_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim();
    throw new ConfigError(`cannot unpack tarball ${location}: ${stderr.split("\n")[0]}.`, {
      location: { file: PACKAGES_FILE },
      hint: "point tarball: at a .tar or .tar.gz archive of a Floe project (`tar` must be on PATH).",
      cause: error,
    });
  }
}

/** The project inside an unpacked archive: at its top, or in its one top-level folder (a release archive). */
function findProjectRoot(content: string, location: string): string {
  if (existsSync(join(content, PROJECT_FILE))) return content;
  const entries = readdirSync(content, { withFileTypes: true }).filter((e) => !e.name.startsWith("."));
  const only = entries.length === 1 && entries[0]?.isDirectory() ? join(content, entries[0].name) : undefined;
  if (only && existsSync(join(only, PROJECT_FILE))) return only;
  throw new ConfigError(`tarball ${location} holds no ${PROJECT_FILE} (at its top or in its one folder).`, {
    location: { file: PACKAGES_FILE },
    hint: "a package is a Floe project: archive the folder that holds its floe_project.yml.",
  });
}

function packageProjectName(dir: string, label: string): string {
  const file = join(dir, PROJECT_FILE);
  if (!existsSync(file)) {
    throw new ConfigError(`${label} has no ${PROJECT_FILE} (${dir}).`, {
      location: { file: PACKAGES_FILE },
      hint: "a package is a Floe project: point packages.yml at the folder that holds its floe_project.yml.",
    });
  }
  return parseProjectFile(readTextFile(file, file, { allowEmpty: true }).text, file).name;
}

/**
 * sha256 over a local package's files (relative path and bytes, in sorted order): what the lock records
 * of it. Build output, installed packages and hidden files are not content.
 */
export function folderSha256(dir: string, installPath: string): string {
  const files: string[] = [];
  const visit = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name.startsWith(".")) continue;
      const path = join(abs, entry.name);
      if (entry.isDirectory()) {
        if (!IGNORED_DIRS.has(entry.name) && relative(dir, path) !== installPath) visit(path);
      } else if (entry.isFile()) files.push(path);
    }
  };
  visit(dir);
  const digest = files.map(
    (f) => `${relative(dir, f).split("\\").join("/")}\0${hash("sha256", readFileSync(f), "hex")}`,
  );
  return hash("sha256", digest.join("\n"), "hex");
}
