import { isUtf8 } from "node:buffer";
import { hash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { ConfigError } from "../../core/errors.js";
import { PROFILES_FILE } from "./profiles.js";
import type { ProjectFiles, SeedFile, SourceText } from "./project-files.js";
import { PROJECT_FILE, projectSchema } from "./project-schema.js";
import { validateStrictYaml } from "./strict-yaml.js";
import { parseYaml } from "./yaml-file.js";

/**
 * The only part of compiling that reads the file system: floe_project.yml, then every file under the
 * model, macro, test and seed paths. Files that are empty or not UTF-8 are reported by path here, so the
 * core never sees them.
 */
export function readTextFile(
  absolute: string,
  display: string,
  options: { allowEmpty?: boolean } = {},
): { text: string; hash: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    throw new ConfigError(`cannot read ${display}: ${(error as Error).message}.`, {
      location: { file: display },
      hint: "check the file exists and is readable.",
    });
  }
  // isUtf8 + toString is several times cheaper than a fatal TextDecoder per file (10,000 model files).
  if (!isUtf8(bytes)) {
    throw new ConfigError(`${display} is not valid UTF-8 text.`, {
      location: { file: display },
      hint: "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`).",
    });
  }
  let text = bytes.toString("utf8");
  // A leading BOM is not content (the TextDecoder this replaced dropped one, and then one more was dropped).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!options.allowEmpty && text.trim() === "") {
    throw new ConfigError(`${display} is empty.`, {
      location: { file: display },
      hint: "write the file's SQL, or delete the file.",
    });
  }
  return { text, hash: hash("sha256", bytes, "hex") };
}

export function findProjectDir(projectDir: string | undefined, cwd: string): string {
  return resolve(cwd, projectDir ?? ".");
}

export function loadProjectFiles(projectDir: string): ProjectFiles {
  const root = resolve(projectDir);
  const projectPath = join(root, PROJECT_FILE);
  if (!existsSync(projectPath)) {
    throw new ConfigError(`no ${PROJECT_FILE} in ${root}.`, {
      location: { file: PROJECT_FILE },
      hint: "run floe from a Floe project, pass --project-dir <dir>, or create one with `floe init <dir>`.",
    });
  }
  const { text, hash } = readTextFile(projectPath, PROJECT_FILE, { allowEmpty: true });
  const raw = parseYaml(text, PROJECT_FILE) ?? {};
  // Unknown keys bring their own fix (the closest known key); see manifest/strict-keys.ts.
  const config = validateStrictYaml(projectSchema, raw, PROJECT_FILE, text, (path) => {
    return `fix '${String(path[0] ?? "")}' in ${PROJECT_FILE}.`;
  });
  const warnings: string[] = [];
  const files = {
    models: [] as SourceText[],
    macros: [] as SourceText[],
    singularTests: [] as SourceText[],
    genericTests: [] as SourceText[],
    propertyFiles: [] as SourceText[],
    docFiles: [] as SourceText[],
    seeds: [] as SeedFile[],
  };
  const text_ = (abs: string, rel: string, base: string, allowEmpty = false): SourceText => ({
    path: rel,
    base,
    ...readTextFile(abs, rel, { allowEmpty }),
  });
  for (const base of config["model-paths"]) {
    for (const { abs, rel } of walk(root, base, warnings)) {
      if (rel.endsWith(".sql")) files.models.push(text_(abs, rel, base));
      else if (isYaml(rel)) files.propertyFiles.push(text_(abs, rel, base, true));
      else if (rel.endsWith(".md")) files.docFiles.push(text_(abs, rel, base, true));
    }
  }
  for (const base of config["macro-paths"]) {
    for (const { abs, rel } of walk(root, base, warnings))
      if (rel.endsWith(".sql")) files.macros.push(text_(abs, rel, base));
  }
  for (const base of config["test-paths"]) {
    for (const { abs, rel } of walk(root, base, warnings)) {
      if (!rel.endsWith(".sql")) continue;
      if (rel.startsWith(`${base}/generic/`)) files.genericTests.push(text_(abs, rel, `${base}/generic`));
      else files.singularTests.push(text_(abs, rel, base));
    }
  }
  for (const base of config["seed-paths"]) {
    for (const { abs, rel } of walk(root, base, warnings)) {
      if (rel.endsWith(".csv")) {
        const { text: csv, hash: csvHash } = readTextFile(abs, rel);
        const header = csv
          .slice(0, csv.indexOf("\n") >= 0 ? csv.indexOf("\n") : csv.length)
          .replace(/\r$/, "");
        files.seeds.push({ path: rel, hash: csvHash, base, columns: splitCsvHeader(header) });
      } else if (isYaml(rel)) files.propertyFiles.push(text_(abs, rel, base, true));
      else if (rel.endsWith(".md")) files.docFiles.push(text_(abs, rel, base, true));
    }
  }
  return { root, project: { path: PROJECT_FILE, text, hash, base: "" }, config, ...files, warnings };
}

function isYaml(path: string): boolean {
  return path.endsWith(".yml") || path.endsWith(".yaml");
}

function splitCsvHeader(header: string): string[] {
  return header.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
}

/**
 * Files under `root/base`, sorted, as absolute and project-relative (forward slash) paths. Symlinks are
 * followed (a models folder shared between projects is a symlink): a link to a folder already on the
 * path being walked (a loop) or to nothing is skipped with a warning, never followed forever or dropped
 * silently.
 */
function walk(root: string, base: string, warnings: string[]): { abs: string; rel: string }[] {
  const start = join(root, base);
  if (!existsSync(start) || !statSync(start).isDirectory()) return [];
  const out: { abs: string; rel: string }[] = [];
  // `real` is the directory's path with every symlink resolved; `onPath` holds those of the folders
  // being walked, so a link back into one of them is seen before it is followed.
  const onPath = new Set<string>();
  // The relative path is built alongside the absolute one: path.relative per file is costly at 10,000 files.
  const visit = (dir: string, rel: string, real: string) => {
    onPath.add(real);
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      // `dir` is already absolute and normalised: appending the name is what join would do, minus its cost.
      const abs = `${dir}/${entry.name}`;
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        const target = followLink(abs, childRel, warnings);
        if (target?.kind === "file") out.push({ abs, rel: childRel });
        else if (target?.kind === "dir") {
          if (onPath.has(target.real)) {
            warnings.push(
              `${childRel} is a symlink to ${target.real}, a folder it is inside of (a loop); it was skipped.`,
            );
          } else visit(abs, childRel, target.real);
        }
      } else if (entry.isDirectory()) visit(abs, childRel, `${real}/${entry.name}`);
      else if (entry.isFile()) out.push({ abs, rel: childRel });
    }
    onPath.delete(real);
  };
  visit(start, relative(root, start).split("\\").join("/"), realpathSync(start));
  return out;
}

/** What a symlink points at, or undefined (with a warning) when it points at nothing readable. */
function followLink(
  abs: string,
  rel: string,
  warnings: string[],
): { kind: "file" | "dir"; real: string } | undefined {
  try {
    const stat = statSync(abs);
    if (stat.isDirectory()) return { kind: "dir", real: realpathSync(abs) };
    if (stat.isFile()) return { kind: "file", real: realpathSync(abs) };
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ELOOP" ? "a chain of links that never ends" : "a path that does not exist";
    warnings.push(`${rel} is a symlink to ${why} (${readLinkOr(abs)}); it was skipped.`);
    return undefined;
  }
}

function readLinkOr(abs: string): string {
  try {
    return readlinkSync(abs);
  } catch {
    return "unreadable";
  }
}

/** profiles.yml: `--profiles-dir`, then $FLOE_PROFILES_DIR, then the project directory, then ~/.floe/. */
export function loadProfilesFile(
  projectDir: string,
  profilesDir: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): { path: string; text: string } {
  const candidates = profilesDir
    ? [resolve(profilesDir)]
    : [env.FLOE_PROFILES_DIR, projectDir, join(home, ".floe")].filter(
        (d): d is string => d !== undefined && d !== "",
      );
  for (const dir of candidates) {
    const file = join(dir, PROFILES_FILE);
    if (existsSync(file)) {
      const display = relative(projectDir, file).startsWith("..") ? file : relative(projectDir, file);
      return { path: display, text: readTextFile(file, display, { allowEmpty: true }).text };
    }
  }
  throw new ConfigError(`no ${PROFILES_FILE} found (looked in ${candidates.join(", ")}).`, {
    location: { file: PROFILES_FILE },
    hint: `create ${PROFILES_FILE} in the project or ~/.floe/, or pass --profiles-dir <dir>.`,
  });
}
