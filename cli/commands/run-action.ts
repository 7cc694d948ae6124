/**
 * What `floe run/test/seed/build/retry` do once their flags are parsed. Loaded only when one of them runs,
 * so `floe --help` and the compile commands do not pay for the engine's modules.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cancelOnSigint } from "../../trino/cancel-on-sigint.js";
import type { RunArgs } from "../artifacts/run-results.js";
import { writeFileAtomic } from "../artifacts/write-artifacts.js";
import { loadProject, type ParsedProject } from "../compile.js";
import { jsonLogger } from "../log/json-logger.js";
import { textLogger } from "../log/text-logger.js";
import { connectTarget, locationRootOf } from "../runner/connect.js";
import type { TaskKind } from "../runner/run-graph.js";
import { DEFAULT_LOCATION_ROOT, type RunTaskResult, runTask } from "../runner/run-task.js";
import { createLog, loadOptions, type ProjectFlags } from "./common-flags.js";
import type { RunCommandFlags } from "./run.js";

export function loadRunProject(flags: ProjectFlags): ParsedProject {
  const project = loadProject(loadOptions(flags));
  const log = createLog(flags.logFormat);
  for (const warning of project.warnings) log.warn("project.warning", warning);
  return project;
}

/** Shared by run/test/seed/build and retry: connect, cancel on Ctrl-C, run, write artifacts. */
export async function executeTask(
  project: ParsedProject,
  kind: TaskKind,
  selected: ReadonlySet<string>,
  flags: RunCommandFlags,
  previousResults?: readonly { readonly unique_id: string }[],
): Promise<RunTaskResult> {
  const connection = connectTarget(project.target);
  const controller = new AbortController();
  const release = cancelOnSigint(connection, controller);
  const threads = flags.threads ?? project.target.threads;
  const args: RunArgs = {
    which: kind,
    ...(flags.select ? { select: flags.select } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
    full_refresh: flags.fullRefresh === true,
    store_failures: flags.storeFailures === true,
    threads,
    target: project.target.name,
    ...(flags.vars === undefined ? {} : { vars: flags.vars }),
    ...(flags.projectDir === undefined ? {} : { project_dir: flags.projectDir }),
    ...(flags.profilesDir === undefined ? {} : { profiles_dir: flags.profilesDir }),
  };
  try {
    return await runTask({
      project,
      selected,
      kind,
      args,
      connection,
      logger: flags.logFormat === "json" ? jsonLogger() : textLogger(),
      signal: controller.signal,
      threads,
      fullRefresh: flags.fullRefresh === true,
      storeFailures: flags.storeFailures === true,
      locationRoot: locationRootOf(project.target) ?? DEFAULT_LOCATION_ROOT,
      writeArtifact: (path, content) => writeFileAtomic(join(project.root, path), content),
      readProjectFile: (path) => readFileSync(join(project.root, path), "utf8"),
      ...(previousResults ? { previousResults } : {}),
    });
  } finally {
    release();
  }
}
