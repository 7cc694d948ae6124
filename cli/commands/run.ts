import type { TaskKind } from "../runner/run-graph.js";
import {
  addMicrobatchFlags,
  addProjectFlags,
  addRunFlags,
  addSelectionFlags,
  type RunCommandFlags,
} from "./common-flags.js";
import type { FloeCommand } from "./floe-command.js";

const DESCRIPTIONS: Record<TaskKind, string> = {
  run: "build the selected models in Trino (views, Iceberg tables, incrementals) in DAG order",
  test: "run the selected data tests; print failing rows",
  seed: "load the CSV seeds into Iceberg tables",
  build: "seed, run and test in DAG order; a failing test skips everything downstream",
};

/** `floe run`, `floe test`, `floe seed`, `floe build`: flags → runTask → exit code. */
export function registerRunCommand(program: FloeCommand, kind: TaskKind): void {
  let command = addRunFlags(
    addSelectionFlags(addProjectFlags(program.command(kind).description(DESCRIPTIONS[kind]))),
  );
  if (kind === "run" || kind === "build") command = addMicrobatchFlags(command);
  if (kind === "test" || kind === "build") {
    command = command.option("--store-failures", "write each test's failing rows to its audit table");
  }
  command.handle(async (flags: RunCommandFlags) => {
    const { executeTask, loadRunProject } = await import("./run-action.js");
    const { selectFromFlags } = await import("./common-flags.js");
    const project = loadRunProject(flags, program.io);
    const selected = selectFromFlags(project, project.root, flags);
    const result = await executeTask(project, kind, selected, flags, program.io);
    return result.exitCode;
  });
}
