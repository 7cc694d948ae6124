import {
  addProjectFlags,
  addSelectionFlags,
  interruptNotice,
  type ProjectFlags,
  parseThreads,
  type SelectionFlags,
} from "./common-flags.js";
import type { FloeCommand } from "./floe-command.js";

type FreshnessFlags = ProjectFlags & SelectionFlags & { readonly threads?: number; readonly output?: string };

/**
 * `floe source freshness`: for each selected source with `loaded_at_field` and `freshness`, the age of
 * `max(loaded_at_field)` → pass/warn/error, a dbt-like log line each, and `target/sources.json`. Exit 1
 * when a source is stale past `error_after` or its query fails; warnings exit 0.
 */
export function registerSourceCommands(program: FloeCommand): void {
  const { io } = program;
  const source = program.command("source").description("commands about sources (freshness)");
  addSelectionFlags(
    addProjectFlags(
      source
        .command("freshness")
        .description("check how recently each selected source was loaded; write target/sources.json"),
    ),
  )
    .option("--threads <n>", "sources to check at once (default: the profile's threads)", parseThreads)
    .option("-o, --output <path>", "where to write the results (default: <target-path>/sources.json)")
    .handle(async (flags: FreshnessFlags) => {
      const { join, isAbsolute, relative } = await import("node:path");
      const { loadRunProject } = await import("./run-action.js");
      const { selectFromFlags } = await import("./common-flags.js");
      const { connectTarget, withSigintCancel } = await import("../runner/connect.js");
      const { writeFileAtomic } = await import("../../core/write-file-atomic.js");
      const { planFreshness, runFreshness, freshnessExitCode } = await import(
        "../freshness/run-freshness.js"
      );
      const { sourcesJson } = await import("../freshness/sources-json.js");
      const { freshnessLogger } = await import("../freshness/freshness-log.js");

      const project = loadRunProject(flags, io);
      const selected = selectFromFlags(project, project.root, flags);
      const { checks, skipped } = planFreshness(project.manifest, selected);
      const output = flags.output ?? join(project.targetPath, "sources.json");
      const outputPath = isAbsolute(output) ? output : join(project.root, output);
      const shownPath = isAbsolute(output) ? output : relative(io.cwd, outputPath) || output;
      // UTC session: naive timestamps in loaded_at_field are read as UTC, as dbt does.
      const connection = connectTarget(project.target, { timeZone: "UTC" });
      const started = performance.now();
      const generatedAt = new Date().toISOString();
      return withSigintCancel(connection, interruptNotice(flags.logFormat, io), async (signal) => {
        const results = await runFreshness({
          checks,
          skipped,
          connection,
          threads: flags.threads ?? project.target.threads,
          signal,
          onEvent: freshnessLogger(flags.logFormat, io.stdout),
          sourcesPath: shownPath,
        });
        const json = sourcesJson(results, (performance.now() - started) / 1000, generatedAt);
        writeFileAtomic(outputPath, `${JSON.stringify(json, null, 2)}\n`);
        return signal.aborted ? 1 : freshnessExitCode(results);
      });
    });
}
