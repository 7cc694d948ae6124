import { isUtf8 } from "node:buffer";
import { hash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ConfigError } from "../../core/errors.js";
import type { SeedFile, SourceText } from "./project-files.js";
import type { ProjectConfig } from "./project-schema.js";

/**
 * The only part of compiling that reads the file system: floe_project.yml, then every file under the
 * model, macro, test, seed and snapshot paths. Files that are empty or not UTF-8 are reported by path here, so
 * the core never sees them.
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

/** A project's resource files, as `loadProjectFiles` lists them. */
export interface ResourceFiles {
  models: SourceText[];
  macros: SourceText[];
  singularTests: SourceText[];
  genericTests: SourceText[];
  propertyFiles: SourceText[];
  /** `.md` files under the model and seed paths: dbt's docs blocks. */
  docFiles: SourceText[];
  seeds: SeedFile[];
  snapshots: SourceText[];
}

export function emptyResources(): ResourceFiles {
  return {
    models: [],
    macros: [],
    singularTests: [],
    genericTests: [],
    propertyFiles: [],
    docFiles: [],
    seeds: [],
    snapshots: [],
  };
}

/**
 * Adds the files under a project's model, macro, test and seed paths to `files`. `prefix` is the project's
 * folder relative to `root` ("" for the root project, `floe_packages/utils` for a package), so every path
 * stays relative to the root project; `pkg` marks a package's files.
 */
export function readResources(
  root: string,
  prefix: string,
  config: ProjectConfig,
  pkg: string | undefined,
  files: ResourceFiles,
  warnings: string[],
): void {
  const under = (base: string) => (prefix === "" ? base : `${prefix}/${base}`);
  const marked = pkg === undefined ? {} : { package: pkg };
  const text_ = (abs: string, rel: string, base: string, allowEmpty = false): SourceText => ({
    path: rel,
    base,
    ...readTextFile(abs, rel, { allowEmpty }),
    ...marked,
  });
  for (const base of config["model-paths"].map(under)) {
    for (const { abs, rel } of walk(root, base, warnings)) {
      if (rel.endsWith(".sql")) files.models.push(text_(abs, rel, base));
      else if (isYaml(rel)) files.propertyFiles.push(text_(abs, rel, base, true));
      else if (rel.endsWith(".md")) files.docFiles.push(text_(abs, rel, base, true));
    }
  }
  for (const base of config["macro-paths"].map(under)) {
    for (const { abs, rel } of walk(root, base, warnings))
      if (rel.endsWith(".sql")) files.macros.push(text_(abs, rel, base));
  }
  for (const base of config["test-paths"].map(under)) {
    for (const { abs, rel } of walk(root, base, warnings)) {
      if (!rel.endsWith(".sql")) continue;
      if (rel.startsWith(`${base}/generic/`)) files.genericTests.push(text_(abs, rel, `${base}/generic`));
      else files.singularTests.push(text_(abs, rel, base));
    }
  }
  for (const base of config["seed-paths"].map(under)) {
    for (const { abs, rel } of walk(root, base, warnings)) {
      if (rel.endsWith(".csv")) {
        const { text: csv, hash: csvHash } = readTextFile(abs, rel);
        const header = csv
          .slice(0, csv.indexOf("\n") >= 0 ? csv.indexOf("\n") : csv.length)
          .replace(/\r$/, "");
        files.seeds.push({ path: rel, hash: csvHash, base, columns: splitCsvHeader(header), ...marked });
      } else if (isYaml(rel)) files.propertyFiles.push(text_(abs, rel, base, true));
      else if (rel.endsWith(".md")) files.docFiles.push(text_(abs, rel, base, true));
    }
  }
  for (const base of config["snapshot-paths"].map(under)) {
    for (const { abs, rel } of walk(root, base, warnings)) {
      if (rel.endsWith(".sql")) files.snapshots.push(text_(abs, rel, base));
      else if (isYaml(rel)) files.propertyFiles.push(text_(abs, rel, base, true));
    }
  }
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
