import type { ParsedProject } from "../compile/compile.js";
import type { TaskKind } from "../runner/run-graph.js";
import {
  addMicrobatchFlags,
  addProjectFlags,
  addRunFlags,
  addSelectionFlags,
  type RunCommandFlags,
} from "./common-flags.js";
import { flagListParser, oneOf } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

const DESCRIPTIONS: Record<TaskKind, string> = {
  run: "build the selected models in Trino (views, Iceberg tables, incrementals) in DAG order",
  test: "run the selected data tests; print failing rows",
  seed: "load the CSV seeds into Iceberg tables",
  snapshot: "record the selected snapshots' changed rows as SCD type 2 history (Iceberg MERGE)",
  build: "seed, run, snapshot and test in DAG order; a failing test skips everything downstream",
};

/** `floe run`, `floe test`, `floe seed`, `floe build`: flags → runTask → exit code. */
export function registerRunCommand(program: FloeCommand, kind: TaskKind): void {
  let command = addRunFlags(
    addSelectionFlags(addProjectFlags(program.command(kind).description(DESCRIPTIONS[kind]))),
  );
  if (kind === "run" || kind === "build") {
    command = addMicrobatchFlags(command).option(
      "--due",
      "build only what is due (freshness.build_after) and whose upstream changed since its last build; the rest is skipped with the reason (state: <target>/due_state.json)",
    );
  }
  if (kind === "test" || kind === "build") {
    command = command
      .option("--store-failures", "write each test's failing rows to its audit table")
      .option("--no-batch-tests", "one query per data test, not one per model's tests (for comparison)");
  }
  if (kind === "build") {
    command = command.option(
      "--resource-type <type...>",
      `only these resource types: ${BUILD_RESOURCE_TYPES.join(", ")} (repeatable)`,
      flagListParser("--resource-type", oneOf(BUILD_RESOURCE_TYPES, "model")),
    );
  }
  command.handle(async (flags: RunCommandFlags) => {
    const { executeTask, loadRunProject, nothingToDo } = await import("./run-action.js");
    const { selectFromFlags } = await import("./common-flags.js");
    const project = loadRunProject(flags, program.io);
    const selected = ofResourceTypes(
      project,
      selectFromFlags(project, project.root, flags),
      flags.resourceType,
    );
    const nothing = nothingToDo(project, kind, selected, flags, program.io);
    if (nothing !== undefined) return nothing;
    const result = await executeTask(project, kind, selected, flags, program.io);
    return result.exitCode;
  });
}

/** dbt's `build --resource-type` values (a unit test is found in `manifest.unit_tests`). */
const BUILD_RESOURCE_TYPES = ["model", "test", "seed", "snapshot", "unit_test"] as const;

/** `--resource-type`: the selected nodes of those types (a test stays only when `test` is listed). */
function ofResourceTypes(
  project: ParsedProject,
  selected: Set<string>,
  types: readonly string[] | undefined,
): Set<string> {
  if (!types || types.length === 0) return selected;
  const wanted = new Set(types);
  return new Set(
    [...selected].filter((id) =>
      wanted.has((project.manifest.nodes[id] ?? project.manifest.unit_tests[id])?.resource_type ?? "source"),
    ),
  );
}
