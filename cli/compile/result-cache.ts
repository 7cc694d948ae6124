import { hash } from "node:crypto";
import {
  type BigIntStats,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { loadProfilesFile, loadProjectFiles } from "../project/load-project.js";
import type { ProjectFiles } from "../project/project-files.js";
import { SELECTORS_FILE } from "../project/selectors-file.js";
import type { LoadProjectOptions } from "./compile.js";

/**
 * The result of the last whole-project `floe parse` / `floe compile`, reused when nothing it was made from
 * has changed — what dbt's partial parsing and `tsc --incremental` do for an unchanged project, but
 * all-or-nothing and keyed by content, so it cannot go stale the way dbt's partial-parse state does:
 *
 * - The key is a digest of every input the build reads: each project and package file's path and sha256
 *   (read and hashed on every run, as the full path does), floe_project.yml's config, the profiles.yml
 *   that would be used and its text, `--target`, `--vars`, `--profiles-dir`, and Floe's own build (the
 *   bundle's files' sizes and mtimes). The environment variables the full build read (`{{env}}` in
 *   profiles, yml or templates) are recorded with their values and must still have them.
 * - The outputs must be the ones that run left: target/manifest.json and target/compiled/.floe-index are
 *   identified by inode, size and mtime (anything that rewrote or deleted them — a `floe run`, a failed
 *   compile removing the index, `rm -rf target/compiled` — makes the next compile a full one).
 *
 * On a hit the only write is the manifest's `generated_at`, patched in place (24 bytes of the same length,
 * at the offset recorded), so the file is byte for byte what a full parse at this moment writes. Any change
 * at all means a full parse, exactly as before, which is what `floe compile after editing one model` costs.
 * Selections (`-s`, `--exclude`, `--selector`, a selectors.yml) and `--inline` always take the full path.
 */
const RESULT_VERSION = 1;
const ENTRY = join(".floe-cache", "result.json");

interface Stamp {
  readonly ino: string;
  readonly size: string;
  readonly mtimeNs: string;
}

interface ResultEntry {
  readonly version: number;
  readonly key: string;
  /** Each environment variable the full build read, with its value then (null: unset). */
  readonly env: Record<string, string | null>;
  readonly manifest: Stamp;
  /** Byte offset of `generated_at`'s value in manifest.json, and the value written there. */
  readonly generatedAtOffset: number;
  readonly generatedAt: string;
  readonly counts: Record<string, number>;
  readonly warnings: readonly string[];
  /** Present when the run was a compile: the index it left, and how many nodes it rendered. */
  readonly compiled?: { readonly index: Stamp; readonly rendered: number };
}

export interface ReusedResult {
  readonly counts: Record<string, number>;
  readonly warnings: readonly string[];
  /** For a compile: the nodes whose SQL is in target/compiled, unchanged. */
  readonly rendered: number;
  readonly projectName: string;
  readonly targetPath: string;
}

export interface ResultCache {
  /** The project's files, read once: the full path builds from them on a miss. */
  readonly files: ProjectFiles;
  /** Set when the previous result stands (the manifest's generated_at is already refreshed). */
  readonly hit?: ReusedResult;
  /** The environment for the full build: reads are recorded, so the result can be keyed on them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** After a successful full run: records its result for the next one. */
  record(result: { counts: Record<string, number>; warnings: readonly string[]; rendered?: number }): void;
}

export type ResultCommand = "parse" | "compile";

/**
 * Reads the project's files and decides: the previous result (`hit`), or a full build from `files` with
 * `env`, recorded afterwards. `enabled` is false for a run whose result depends on more than the project
 * (a selection, `--inline`): it neither reads nor records an entry, and if it rewrites the outputs, their
 * stamps no longer match the entry's.
 */
export function openResultCache(
  options: LoadProjectOptions,
  command: ResultCommand,
  enabled: boolean,
): ResultCache {
  const files = loadProjectFiles(options.projectDir ?? process.cwd(), options.targetPath);
  const targetDir = join(files.root, files.config["target-path"]);
  const entryPath = join(targetDir, ENTRY);
  const rawEnv = options.env ?? process.env;
  const usable = enabled && buildIdentity() !== undefined && !existsSync(join(files.root, SELECTORS_FILE));
  const key = usable ? inputKey(files, options, rawEnv) : undefined;
  if (key !== undefined) {
    let hit: ReturnType<typeof reuse>;
    try {
      hit = reuse(entryPath, targetDir, key, rawEnv, command);
    } catch {
      hit = undefined; // an output that cannot be read or patched: the full path writes it (or says why not)
    }
    if (hit) {
      return {
        files,
        env: rawEnv,
        hit: { ...hit, projectName: files.config.name, targetPath: files.config["target-path"] },
        record: () => undefined,
      };
    }
  }
  // A full run rewrites the outputs, which the stamps would notice anyway; the entry goes first so that
  // a run failing half-way leaves none behind. (A selection or `--inline` leaves it: it reads no entry.)
  if (enabled) rmSync(entryPath, { force: true });
  const tracked = trackEnv(rawEnv);
  return {
    files,
    env: tracked.env,
    record(result) {
      if (key === undefined || tracked.readAll()) return;
      const manifestPath = join(targetDir, "manifest.json");
      const manifest = stampOf(manifestPath);
      const generated = generatedAtIn(manifestPath);
      if (!manifest || !generated) return;
      const index = command === "compile" ? stampOf(join(targetDir, "compiled", ".floe-index")) : undefined;
      const entry: ResultEntry = {
        version: RESULT_VERSION,
        key,
        env: tracked.reads(),
        manifest,
        generatedAtOffset: generated.offset,
        generatedAt: generated.value,
        counts: result.counts,
        warnings: result.warnings,
        ...(index && result.rendered !== undefined ? { compiled: { index, rendered: result.rendered } } : {}),
      };
      writeFileAtomic(entryPath, JSON.stringify(entry));
    },
  };
}

function reuse(
  entryPath: string,
  targetDir: string,
  key: string,
  env: Readonly<Record<string, string | undefined>>,
  command: ResultCommand,
): Omit<ReusedResult, "projectName" | "targetPath"> | undefined {
  const entry = readEntry(entryPath);
  if (entry?.key !== key) return undefined;
  for (const [name, value] of Object.entries(entry.env)) if ((env[name] ?? null) !== value) return undefined;
  if (command === "compile") {
    if (!entry.compiled) return undefined;
    if (!sameStamp(stampOf(join(targetDir, "compiled", ".floe-index")), entry.compiled.index))
      return undefined;
  }
  const manifestPath = join(targetDir, "manifest.json");
  if (!sameStamp(stampOf(manifestPath), entry.manifest)) return undefined;
  const manifest = refreshGeneratedAt(manifestPath, entry);
  if (!manifest) return undefined;
  writeFileAtomic(entryPath, JSON.stringify({ ...entry, ...manifest }));
  return { counts: entry.counts, warnings: entry.warnings, rendered: entry.compiled?.rendered ?? 0 };
}

/**
 * Writes this run's `generated_at` over the previous one, in place: the same number of bytes at the
 * offset recorded, after checking the previous value is there. Returns the manifest's new stamp.
 */
function refreshGeneratedAt(
  path: string,
  entry: ResultEntry,
): { manifest: Stamp; generatedAt: string } | undefined {
  const now = new Date().toISOString();
  if (now.length !== entry.generatedAt.length) return undefined;
  const fd = openSync(path, "r+");
  try {
    const before = Buffer.alloc(now.length + GENERATED_AT.length);
    const start = entry.generatedAtOffset - GENERATED_AT.length;
    if (start < 0 || readSync(fd, before, 0, before.length, start) !== before.length) return undefined;
    if (before.toString("latin1") !== GENERATED_AT + entry.generatedAt) return undefined;
    writeSync(fd, now, entry.generatedAtOffset, "latin1");
    return { manifest: toStamp(fstatSync(fd, { bigint: true })), generatedAt: now };
  } finally {
    closeSync(fd);
  }
}

const GENERATED_AT = '"generated_at":"';

/** Where the manifest's `generated_at` value starts (in its first kilobyte: metadata comes first). */
function generatedAtIn(path: string): { offset: number; value: string } | undefined {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(1024);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString("latin1");
    const at = text.indexOf(GENERATED_AT);
    const end = at < 0 ? -1 : text.indexOf('"', at + GENERATED_AT.length);
    if (end < 0) return undefined;
    return { offset: at + GENERATED_AT.length, value: text.slice(at + GENERATED_AT.length, end) };
  } finally {
    closeSync(fd);
  }
}

/**
 * The digest of everything a build reads besides the environment. File texts are represented by their
 * sha256 (`hash`), which every SourceText and SeedFile carries.
 */
function inputKey(
  files: ProjectFiles,
  options: LoadProjectOptions,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  let profiles: { path: string; text: string };
  try {
    profiles = loadProfilesFile(files.root, options.profilesDir, env);
  } catch {
    return undefined; // the full path reports it
  }
  const filesJson = JSON.stringify(files, function (this: unknown, key: string, value: unknown) {
    return key === "text" && typeof (this as { hash?: unknown }).hash === "string" ? undefined : value;
  });
  const flags = JSON.stringify([options.target ?? null, options.vars ?? null, options.profilesDir ?? null]);
  return hash(
    "sha256",
    `${RESULT_VERSION}\n${buildIdentity()}\n${process.version}\n${flags}\n${JSON.stringify(profiles)}\n${filesJson}`,
    "hex",
  );
}

/**
 * Floe's own build: the size and mtime of each file of the bundle this module runs from (a rebuild
 * replaces them). Undefined outside the bundle (tests importing the sources), where no result is reused.
 */
let build: string | null | undefined;

function buildIdentity(): string | undefined {
  if (build === undefined) build = readBuildIdentity() ?? null;
  return build ?? undefined;
}

function readBuildIdentity(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (basename(dir) !== "bundle" || !here.endsWith(".js")) return undefined;
  try {
    const parts: string[] = [];
    for (const name of readdirSync(dir).sort()) {
      const stats = statSync(join(dir, name), { bigint: true });
      parts.push(`${name} ${stats.size} ${stats.mtimeNs}`);
    }
    return parts.join("\n");
  } catch {
    return undefined;
  }
}

/**
 * `env` behind a proxy that records each variable read. Enumerating it (a spread, `Object.keys`) reads
 * them all, and such a result is not recorded.
 */
export function trackEnv(env: Readonly<Record<string, string | undefined>>): {
  env: Readonly<Record<string, string | undefined>>;
  reads: () => Record<string, string | null>;
  readAll: () => boolean;
} {
  const read = new Map<string, string | null>();
  let all = false;
  const note = (key: string | symbol) => {
    if (typeof key === "string") read.set(key, env[key] ?? null);
  };
  const proxy = new Proxy(env, {
    get(target, key, receiver) {
      note(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      note(key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      note(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      all = true;
      return Reflect.ownKeys(target);
    },
  });
  return { env: proxy, reads: () => Object.fromEntries(read), readAll: () => all };
}

function readEntry(path: string): ResultEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(path, "utf8")) as ResultEntry;
    return entry.version === RESULT_VERSION && typeof entry.key === "string" ? entry : undefined;
  } catch {
    return undefined;
  }
}

function stampOf(path: string): Stamp | undefined {
  try {
    return toStamp(statSync(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

function toStamp(stats: BigIntStats): Stamp {
  return { ino: String(stats.ino), size: String(stats.size), mtimeNs: String(stats.mtimeNs) };
}

function sameStamp(a: Stamp | undefined, b: Stamp | undefined): boolean {
  return (
    a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs
  );
}
