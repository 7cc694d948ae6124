import { join } from "node:path";
import { type Command, Option } from "commander";
import { UsageError } from "../../core/errors.js";
import { readRunResults, readStateManifest } from "../artifacts/read-state.js";
import type { LoadProjectOptions, ParsedProject } from "../compile/compile.js";
import { parseYaml } from "../project/yaml-file.js";
import { selectNodes } from "../select/apply-selector.js";
import { parseSelector, usesResults, usesState } from "../select/parse-selector.js";
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
}

export interface SelectionFlags {
  readonly select?: string[];
  readonly exclude?: string[];
  readonly state?: string;
}

export interface RunFlags {
  readonly threads?: number;
  readonly fullRefresh?: boolean;
  readonly defer?: boolean;
}

/** The flags of `floe run|test|seed|build`: declared here so the command and its action share them. */
export type RunCommandFlags = ProjectFlags &
  SelectionFlags &
  RunFlags & { readonly storeFailures?: boolean } & MicrobatchFlags;

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
    .option("--vars <yaml>", "variables for {{var}}, as YAML or JSON, e.g. '{start_date: 2024-01-01}'")
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
    );
}

export function addRunFlags<C extends Command>(command: C): C {
  return command
    .option("--threads <n>", "how many nodes to run at once (default: the profile's threads)", parseThreads)
    .option("--full-refresh", "rebuild incremental models and seeds from scratch")
    .option("--defer", "resolve refs to unselected nodes against the --state manifest");
}

/** `--threads <n>` of run, test, seed, build, retry, source freshness and validate. */
export const parseThreads = flagParser("--threads", positiveInt("4"));

const VARS_EXPECTED = "a YAML mapping of names to values";

export function parseVars(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    // The project's YAML parser: the same alias, nesting and size limits as the project's files.
    value = parseYaml(text, "--vars");
  } catch (error) {
    const syntax = (error as { cause?: { reason?: string } }).cause?.reason;
    throw invalidFlag(
      "--vars",
      VARS_EXPECTED,
      text,
      `${passExample("--vars", "'{name: value}'")} Quote it for the shell.`,
      syntax === undefined ? (error as Error).message : `not valid YAML: ${syntax}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidFlag("--vars", VARS_EXPECTED, text, passExample("--vars", "'{name: value}'"));
  }
  return value as Record<string, unknown>;
}

export function loadOptions(flags: ProjectFlags, io: CliIO): LoadProjectOptions {
  return {
    projectDir: flags.projectDir ?? io.cwd,
    ...(flags.profilesDir === undefined ? {} : { profilesDir: flags.profilesDir }),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    vars: parseVars(flags.vars),
    env: io.env,
  };
}

/** Applies --select/--exclude, reading --state (or target/) only when a selector needs it. */
export function selectFromFlags(project: ParsedProject, root: string, flags: SelectionFlags): Set<string> {
  const select = flags.select ? parseSelector(flags.select) : undefined;
  const exclude = flags.exclude ? parseSelector(flags.exclude) : undefined;
  const selectors = [select ?? [], exclude ?? []];
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
  return selectNodes(
    { manifest: project.manifest, ...(previous ? { previous } : {}), ...(results ? { results } : {}) },
    select,
    exclude,
  );
}

/** One line per event: plain text, or a JSON object with `event` and the data (for --log-format json). */
export function createLog(format: "text" | "json", io: CliIO) {
  return {
    info(event: string, text: string, data: Record<string, unknown> = {}): void {
      if (format === "json")
        io.stdout(`${JSON.stringify({ event, level: "info", message: text, ...data })}\n`);
      else io.stdout(`${text}\n`);
    },
    warn(event: string, text: string): void {
      if (format === "json") io.stderr(`${JSON.stringify({ event, level: "warn", message: text })}\n`);
      else io.stderr(`Warning: ${text}\n`);
    },
  };
}

export type Log = ReturnType<typeof createLog>;
