import { rmSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { UsageError } from "../../core/errors.js";
import { writeCompiledSql } from "../artifacts/compiled-sql-writer.js";
import { whileWritingManifest, writeManifest } from "../artifacts/write-artifacts.js";
import type { LoadProjectOptions } from "../compile/compile.js";
import {
  forEachRendered,
  type GraphNode,
  type ParsedProject,
  renderInline,
  topologicalOrder,
} from "../compile/compile.js";
import { loadProjectFast } from "../compile/compile-pipeline.js";
import { openResultCache, type ResultCache } from "../compile/result-cache.js";
import type { UnitTestNode } from "../manifest/manifest.js";
import { envPrefixFor, initProject, projectNameFor } from "../project/init-project.js";
import { loadProjectFiles } from "../project/load-project.js";
import { FLOE_UTILS_PACKAGE } from "../templating/floe-utils/library.js";
import {
  addProjectFlags,
  addQuietFlag,
  addSelectionFlags,
  createLog,
  type Log,
  loadOptions,
  type ProjectFlags,
  type SelectionFlags,
  selectFromFlags,
} from "./common-flags.js";
import { flagListParser, flagParser, oneOf } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";
import type { CliIO } from "./io.js";

/**
 * `floe parse`, `compile`, `ls`, `init`, `clean`: the commands that need no engine. Thin: flags in, the
 * compile API, text out.
 */
export function registerCompileCommands(program: FloeCommand): void {
  const { io } = program;
  addQuietFlag(
    addProjectFlags(
      program.command("parse").description("validate the project and write target/manifest.json"),
    ),
  ).handle(async (flags: ProjectFlags) => {
    const log = createLog(flags.logFormat, io, flags.quiet);
    const started = performance.now();
    const options = loadOptions(flags, io);
    const cache = openResultCache(options, "parse", true);
    if (cache.hit) {
      for (const warning of cache.hit.warnings) log.warn("project.warning", warning);
      log.info("parse.done", `Parsed ${summary(cache.hit.counts)} in ${seconds(started)}.`, cache.hit.counts);
      return 0;
    }
    const project = await loadFast(options, cache, log);
    writeManifest(project.root, project.targetPath, project.manifest);
    const c = counts(project);
    cache.record({ counts: c, warnings: project.warnings });
    log.info("parse.done", `Parsed ${summary(c)} in ${seconds(started)}.`, c);
    return 0;
  });

  addQuietFlag(
    addSelectionFlags(
      addProjectFlags(
        program
          .command("compile")
          .description("render every selected model and test to SQL in target/compiled/"),
      ),
    ),
  )
    .option(
      "--inline <sql>",
      "compile this SQL against the project ({{ref}}, {{source}}, macros) and print it",
    )
    .handle(async (flags: ProjectFlags & SelectionFlags & { inline?: string }) => {
      const log = createLog(flags.logFormat, io, flags.quiet);
      const started = performance.now();
      const options = loadOptions(flags, io);
      const whole =
        flags.inline === undefined &&
        flags.select === undefined &&
        flags.exclude === undefined &&
        flags.selector === undefined;
      const cache = openResultCache(options, "compile", whole);
      if (cache.hit) {
        const { counts: c, rendered, warnings } = cache.hit;
        for (const warning of warnings) log.warn("project.warning", warning);
        const where = join(cache.hit.targetPath, "compiled", cache.hit.projectName);
        logCompiled(log, started, c, where, rendered, 0, rendered);
        return 0;
      }
      const project = await loadFast(options, cache, log);
      if (flags.inline !== undefined) {
        // As dbt's `compile --inline`: printed, nothing written.
        printCompiled(io, flags, "inline", "inline query", renderInline(project, flags.inline));
        return 0;
      }
      const selected = selectFromFlags(project, project.root, flags);
      if (selected.size === 0) log.warn("select.empty", "no nodes selected.");
      const order = topologicalOrder(project.manifest).filter((id) => selected.has(id));
      // With a selection, the selected models' SQL is printed too (dbt's `compile -s model`).
      const chosen = flags.select !== undefined || flags.selector !== undefined;
      const printed = new Map<string, string>();
      // Files are written by writer threads while the rest renders, and the manifest is serialised while
      // they finish; it replaces the old one last.
      const {
        produced: rendered,
        written,
        unchanged,
      } = await whileWritingManifest(project.root, project.targetPath, project.manifest, () =>
        writeCompiledSql(project.root, project.targetPath, project.manifest, order.length, (add) =>
          forEachRendered(project, order, (id, sql) => {
            if (chosen && project.manifest.nodes[id]?.resource_type === "model") printed.set(id, sql);
            add(id, sql);
          }),
        ),
      );
      for (const [id, sql] of printed) {
        printCompiled(io, flags, id, project.manifest.nodes[id]?.name ?? id, sql);
      }
      const where = join(project.targetPath, "compiled", project.manifest.metadata.project_name);
      const c = counts(project);
      // An empty selection warns, which the recorded result would not repeat.
      if (selected.size > 0) cache.record({ counts: c, warnings: project.warnings, rendered });
      logCompiled(log, started, c, where, rendered, written, unchanged);
      return 0;
    });

  addSelectionFlags(
    addProjectFlags(program.command("ls").alias("list").description("list the selected resources")),
  )
    .option(
      "--resource-type <type...>",
      "only these: model, seed, snapshot, test, unit_test, source (repeatable)",
      flagListParser(
        "--resource-type",
        oneOf(["model", "seed", "snapshot", "test", "unit_test", "source", "all"], "model"),
      ),
    )
    .option(
      "--output <format>",
      "name, path, selector or json",
      flagParser("--output", oneOf(["name", "path", "selector", "json"], "path")),
      "name",
    )
    .handle(async (flags: ProjectFlags & SelectionFlags & { resourceType?: string[]; output: string }) => {
      const types = new Set(flags.resourceType ?? []);
      // `floe ls | head` closes the pipe early: main's IO then drops the rest, and ls still exits 0.
      const log = createLog("text", io);
      const options = loadOptions({ ...flags, logFormat: "text" }, io);
      const { project } = await loadProjectFast(options);
      const selected = selectFromFlags(project, project.root, flags);
      if (selected.size === 0) log.warn("select.empty", "no nodes selected.");
      const manifest = project.manifest;
      for (const id of [...selected].sort()) {
        const node: GraphNode | UnitTestNode | undefined =
          manifest.nodes[id] ?? manifest.sources[id] ?? manifest.unit_tests[id];
        if (!node || (types.size > 0 && !types.has("all") && !types.has(node.resource_type))) continue;
        io.stdout(`${listLine(node, flags.output)}\n`);
      }
      return 0;
    });

  program
    .command("init")
    .description("create a starter Floe project in <dir>")
    .argument("<dir>", "the folder to create (or an empty existing one)")
    .handle((dir: string) => {
      const path = resolve(io.cwd, dir);
      const created = initProject(path);
      const env = envPrefixFor(projectNameFor(path));
      io.stdout(
        [
          `Created a Floe project in ${dir} (${created.length} files). To run it:`,
          `  cd ${dir}`,
          "  floe compile          # render the models to SQL, no engine needed",
          "  floe stack up         # start the local lakehouse (Trino, Iceberg, S3, Kafka) once",
          "  floe build            # seeds, models and tests against it",
          `Its profile reads ${env}_TRINO_HOST, ${env}_TRINO_SCHEMA, ... (see profiles.yml).`,
          "",
        ].join("\n"),
      );
      return 0;
    });

  program
    .command("clean")
    .description("delete the clean-targets of floe_project.yml (default: target/)")
    .option("--project-dir <dir>", "the Floe project directory")
    .handle((flags: { projectDir?: string }) => {
      const files = loadProjectFiles(flags.projectDir ?? io.cwd);
      const targets = files.config["clean-targets"] ?? [files.config["target-path"]];
      for (const target of targets) {
        const path = resolve(files.root, target);
        const inside = relative(files.root, path);
        if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
          throw new UsageError(
            `clean-targets entry '${target}' is not inside the project; refusing to delete it.`,
            {
              hint: "list only folders inside the project, e.g. clean-targets: [target].",
            },
          );
        }
        rmSync(path, { recursive: true, force: true });
        io.stdout(`Cleaned ${inside}\n`);
      }
      return 0;
    });
}

/** The full build, from the files the result cache read and with its recording environment. */
async function loadFast(options: LoadProjectOptions, cache: ResultCache, log: Log): Promise<ParsedProject> {
  const { project } = await loadProjectFast({ ...options, files: cache.files, env: cache.env });
  for (const warning of project.warnings) log.warn("project.warning", warning);
  return project;
}

function logCompiled(
  log: Log,
  started: number,
  c: Record<string, number>,
  where: string,
  rendered: number,
  written: number,
  unchanged: number,
): void {
  log.info(
    "compile.done",
    `Compiled ${rendered} nodes (${summary(c)}) to ${where} in ${seconds(started)} (${written} files written, ${unchanged} unchanged).`,
    { ...c, compiled: rendered, written, unchanged, elapsed_s: (performance.now() - started) / 1000 },
  );
}

function counts(project: ParsedProject): Record<string, number> {
  const out: Record<string, number> = {
    model: 0,
    seed: 0,
    test: 0,
    source: Object.keys(project.manifest.sources).length,
  };
  const nodes = project.manifest.nodes;
  for (const id in nodes) {
    const type = (nodes[id] as GraphNode).resource_type;
    out[type] = (out[type] ?? 0) + 1;
  }
  // The project's and its packages' macros; floe_utils, bundled with Floe, is in every manifest.
  out.macro = Object.values(project.manifest.macros).filter(
    (m) => m.package_name !== FLOE_UTILS_PACKAGE,
  ).length;
  out.unit_test = Object.keys(project.manifest.unit_tests).length;
  return out;
}

function summary(c: Record<string, number>): string {
  const plural = (n: number | undefined, word: string) => `${n ?? 0} ${word}${n === 1 ? "" : "s"}`;
  return [
    plural(c.model, "model"),
    plural(c.test, "test"),
    ...(c.unit_test ? [plural(c.unit_test, "unit test")] : []),
    plural(c.seed, "seed"),
    ...(c.snapshot ? [plural(c.snapshot, "snapshot")] : []),
    plural(c.source, "source"),
    plural(c.macro, "macro"),
  ].join(", ");
}

/**
 * One compiled query on stdout: dbt's "Compiled node 'x' is:" heading, then the SQL; under -q only the SQL
 * (so `floe compile -q -s x > x.sql` works); under --log-format json one `compile.node` event.
 */
function printCompiled(io: CliIO, flags: ProjectFlags, id: string, label: string, sql: string): void {
  const code = sql.trimEnd();
  if (flags.logFormat === "json") {
    io.stdout(
      `${JSON.stringify({ event: "compile.node", level: "info", unique_id: id, compiled_code: code })}\n`,
    );
  } else if (flags.quiet) io.stdout(`${code}\n`);
  else io.stdout(`Compiled node '${label}' is:\n${code}\n\n`);
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(2)}s`;
}

function listLine(node: GraphNode | UnitTestNode, output: string): string {
  switch (output) {
    case "path":
      return node.original_file_path;
    case "selector":
      return node.resource_type === "source" ? `source:${node.fqn.join(".")}` : node.fqn.join(".");
    case "json":
      return JSON.stringify({
        name: node.name,
        resource_type: node.resource_type,
        package_name: node.package_name,
        original_file_path: node.original_file_path,
        unique_id: node.unique_id,
        alias: "relation" in node ? node.relation.identifier : undefined,
        config: node.config,
        tags: node.tags,
        depends_on: "depends_on" in node ? node.depends_on : { nodes: [], macros: [] },
      });
    default:
      return node.name;
  }
}
