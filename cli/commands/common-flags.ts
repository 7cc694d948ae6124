import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { type Command, Option } from "commander";
import { UsageError } from "../../core/errors.js";
import { readRunResults, readStateManifest } from "../artifacts/read-state.js";
import type { LoadProjectOptions, ParsedProject } from "../compile/compile.js";
import { jsonLine } from "../log/json-line.js";
import { readSelectorsFile } from "../project/selectors-file.js";
import { parseYaml } from "../project/yaml-file.js";
import { selectNodes } from "../select/apply-selector.js";
import { parseSelector, usesResults, usesState } from "../select/parse-selector.js";
import {
  definitionSelectors,
  findSelector,
  type SelectorDefinition,
  selectDefinition,
} from "../select/yaml-selectors.js";
import { flagParser, invalidFlag, oneOf, passExample, positiveInt, UTC_TIME } from "./flag-values.js";
import type { CliIO } from "./io.js";

/**
 * The flags every transform command shares (README.md, "The CLI at a glance"), defined once so parse/compile/ls
 * and the runner commands (run, test, seed, build, retry, show) accept exactly the same spelling.
 */
export interface ProjectFlags {
  readonly projectDir?: string;
  readonly profilesDir?: string;
  readonly target?: string;
  readonly vars?: string;
  readonly logFormat: "text" | "json";
  /** `-q`: only errors and the summary. */
  readonly quiet?: boolean;
  /** `--target-path`: overrides floe_project.yml's `target-path` (relative to the project, or absolute). */
  readonly targetPath?: string;
}

export interface SelectionFlags {
  readonly select?: string[];
  readonly exclude?: string[];
  readonly state?: string;
  /** `--selector <name>`: a selector of selectors.yml. */
  readonly selector?: string;
}

export interface RunFlags {
  readonly threads?: number;
  readonly fullRefresh?: boolean;
  readonly defer?: boolean;
  /** The first error or failure cancels running queries and skips the rest. */
  readonly failFast?: boolean;
  /** Every ref and source reads zero rows: a schema-only build. */
  readonly empty?: boolean;
  /** Warnings (a test of severity warn) count as errors. */
  readonly warnError?: boolean;
  /** `--due` (run, build): only what is due and whose upstream changed (cli/due/). */
  readonly due?: boolean;
}

/** The flags of `floe run|test|seed|build`: declared here so the command and its action share them. */
export type RunCommandFlags = ProjectFlags &
  SelectionFlags &
  RunFlags & {
    readonly storeFailures?: boolean;
    readonly batchTests?: boolean;
    readonly resourceType?: readonly string[];
  } & MicrobatchFlags;

/** `--event-time-start/--event-time-end` of run and build: a microbatch backfill of that range. */
export interface MicrobatchFlags {
  readonly eventTimeStart?: Date;
  readonly eventTimeEnd?: Date;
}

export function addMicrobatchFlags<C extends Command>(command: C): C {
  return command
    .option(
      "--event-time-start <time>",
      "microbatch models: build the batches from this UTC date or time (a backfill)",
      flagParser("--event-time-start", UTC_TIME),
    )
    .option(
      "--event-time-end <time>",
      "microbatch models: build the batches up to this UTC date or time (exclusive)",
      flagParser("--event-time-end", UTC_TIME),
    );
}

export function addProjectFlags<C extends Command>(command: C): C {
  return command
    .option("--project-dir <dir>", "the Floe project directory (holds floe_project.yml)")
    .option("--profiles-dir <dir>", "where profiles.yml is (default: the project dir, then ~/.floe/)")
    .option("--target <name>", "the profiles.yml output to use (default: the profile's target)")
    .option(
      "--vars <yaml>",
      "variables for {{var}}, as YAML or JSON, e.g. '{start_date: 2024-01-01}', or @file.yml to read a file",
    )
    .option("--target-path <dir>", "where artifacts go (default: floe_project.yml's target-path)")
    .addOption(
      new Option("--log-format <format>", "text, or json (one event per line)")
        .choices(["text", "json"])
        .default("text")
        // After choices(), which lists them in --help: a wrong one is reported like every other bad flag.
        .argParser(flagParser("--log-format", oneOf(["text", "json"], "json"))),
    );
}

export function addSelectionFlags<C extends Command>(command: C): C {
  return command
    .option(
      "-s, --select <selector...>",
      "nodes to include: names, tag:, path:, config.<key>:, source:, resource_type:, state:, result:, with +, n+, @",
    )
    .option("--exclude <selector...>", "nodes to leave out (same syntax as --select)")
    .option(
      "--state <dir>",
      "a folder with a previous manifest.json (and run_results.json) for state: and result:",
    )
    .option("--selector <name>", "a selector defined in selectors.yml (instead of --select/--exclude)");
}

/** `-q/--quiet`, on the commands that honour it: run/test/seed/build/retry, parse and compile. */
export function addQuietFlag<C extends Command>(command: C): C {
  return command.option("-q, --quiet", "print only errors and the summary");
}

export function addRunFlags<C extends Command>(command: C): C {
  return addQuietFlag(command)
    .option("--threads <n>", "how many nodes to run at once (default: the profile's threads)", parseThreads)
    .option("--full-refresh", "rebuild incremental models and seeds from scratch")
    .option("--defer", "resolve refs to unselected nodes against the --state manifest")
    .option("--fail-fast", "stop at the first error or failure: cancel running queries, skip the rest")
    .option("--empty", "every ref and source reads zero rows: build the schema only (for CI)")
    .option("--warn-error", "treat warnings (tests of severity warn) as errors: exit 1");
}

/** `--threads <n>` of run, test, seed, build, retry, source freshness and validate. */
export const parseThreads = flagParser("--threads", positiveInt("4"));

const VARS_EXPECTED = "a YAML mapping of names to values";

/**
 * `--vars '<yaml>'`, or `--vars @path/to/vars.yml` (relative to `cwd`): the file's text is read as the flag's
 * value, with the same parser and checks.
 */
export function parseVars(flag: string | undefined, cwd = "."): Record<string, unknown> {
  const text = flag?.startsWith("@") ? readVarsFile(flag.slice(1), cwd) : flag;
  return parseMappingFlag("--vars", VARS_EXPECTED, text, "'{name: value}'");
}

/** A flag whose value is a YAML (or JSON) mapping: `--vars`, run-operation's `--args`. */
export function parseMappingFlag(
  flag: string,
  expected: string,
  text: string | undefined,
  example: string,
): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    // The project's YAML parser: the same alias, nesting and size limits as the project's files.
    value = parseYaml(text, flag);
  } catch (error) {
    const syntax = (error as { cause?: { reason?: string } }).cause?.reason;
    throw invalidFlag(
      flag,
      expected,
      text,
      `${passExample(flag, example)} Quote it for the shell.`,
      syntax === undefined ? (error as Error).message : `not valid YAML: ${syntax}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidFlag(flag, expected, text, passExample(flag, example));
  }
  return value as Record<string, unknown>;
}

function readVarsFile(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  if (path === "" || !existsSync(absolute)) {
    throw invalidFlag(
      "--vars",
      "YAML text or @<file>",
      `@${path}`,
      `${passExample("--vars", "@vars.yml")} The path is relative to the current folder.`,
      path === "" ? "no file named after @" : `${absolute} does not exist`,
    );
  }
  return readFileSync(absolute, "utf8");
}

export function loadOptions(flags: ProjectFlags, io: CliIO): LoadProjectOptions {
  const projectDir = resolve(io.cwd, flags.projectDir ?? ".");
  return {
    projectDir: flags.projectDir ?? io.cwd,
    ...(flags.profilesDir === undefined ? {} : { profilesDir: flags.profilesDir }),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.targetPath === undefined ? {} : { targetPath: targetPathFlag(flags.targetPath, projectDir) }),
    vars: parseVars(flags.vars, io.cwd),
    env: io.env,
  };
}

/**
 * `--target-path`: as floe_project.yml's `target-path`, relative to the project; an absolute path is kept
 * as a path relative to the project, which is how every artifact path is joined to the root.
 */
function targetPathFlag(value: string, projectDir: string): string {
  if (value.trim() === "") {
    throw invalidFlag("--target-path", "a folder", value, passExample("--target-path", "target-ci"));
  }
  const inside = isAbsolute(value) ? relative(projectDir, value) : value;
  return inside === "" ? "." : inside;
}

/**
 * Applies --select/--exclude (or --selector, or selectors.yml's default), reading --state (or target/) only
 * when a selector needs it.
 */
export function selectFromFlags(project: ParsedProject, root: string, flags: SelectionFlags): Set<string> {
  const named = namedSelector(root, flags);
  const select = flags.select ? parseSelector(flags.select) : undefined;
  const exclude = flags.exclude ? parseSelector(flags.exclude) : undefined;
  const selectors = [select ?? [], exclude ?? [], ...(named ? definitionSelectors(named) : [])];
  const needsState = selectors.some(usesState);
  const needsResults = selectors.some(usesResults);
  const previous = needsState && flags.state ? readStateManifest(flags.state) : undefined;
  const resultsDir = flags.state ?? join(root, project.targetPath);
  const results = needsResults ? readRunResults(resultsDir) : undefined;
  if (needsResults && !results) {
    throw new UsageError(
      `result: selectors need ${join(resultsDir, "run_results.json")}, which does not exist.`,
      {
        hint: "run floe build/run/test first, or pass --state <dir> holding run_results.json.",
      },
    );
  }
  const context = {
    manifest: project.manifest,
    ...(previous ? { previous } : {}),
    ...(results ? { results } : {}),
  };
  return named ? selectDefinition(context, named) : selectNodes(context, select, exclude);
}

/**
 * The selectors.yml definition to use: `--selector <name>`, or the one marked `default: true` when neither
 * --select nor --exclude is given (as dbt does).
 */
function namedSelector(root: string, flags: SelectionFlags): SelectorDefinition | undefined {
  if (flags.selector !== undefined) {
    if (flags.select || flags.exclude) {
      throw new UsageError("--selector cannot be combined with --select or --exclude.", {
        hint: "put the extra criteria into the selector's definition in selectors.yml, or drop --selector.",
      });
    }
    return findSelector(readSelectorsFile(root), flags.selector).definition;
  }
  if (flags.select || flags.exclude) return undefined;
  return readSelectorsFile(root)?.selectors.find((s) => s.default === true)?.definition;
}

/** One line per event: plain text, or a JSON object with `event` and the data (for --log-format json). */
export function createLog(format: "text" | "json", io: CliIO, quiet = false) {
  return {
    info(event: string, text: string, data: Record<string, unknown> = {}): void {
      if (quiet) return;
      if (format === "json") io.stdout(jsonLine("info", { event, msg: text, ...data }));
      else io.stdout(`${text}\n`);
    },
    warn(event: string, text: string): void {
      if (quiet) return;
      if (format === "json") io.stderr(jsonLine("warn", { event, msg: text }));
      else io.stderr(`Warning: ${text}\n`);
    },
  };
}

export type Log = ReturnType<typeof createLog>;

/**
 * Where Ctrl-C's "Cancelling running queries…" notice goes: stderr as written, or one JSON line under
 * `--log-format json` (where every line is JSON).
 */
export function interruptNotice(format: "text" | "json", io: CliIO): (text: string) => void {
  return format === "json"
    ? (text) => io.stderr(jsonLine("warn", { event: "interrupt", msg: text.trim() }))
    : io.stderr;
}
