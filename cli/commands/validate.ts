import {
  addProjectFlags,
  addSelectionFlags,
  interruptNotice,
  type ProjectFlags,
  parseThreads,
  type SelectionFlags,
} from "./common-flags.js";
import type { FloeCommand } from "./floe-command.js";

type ValidateFlags = ProjectFlags & SelectionFlags & { readonly engine: boolean; readonly threads?: number };

/**
 * `floe validate`: parse and render the whole project (no artifacts written), then, when Trino is
 * reachable, `EXPLAIN (TYPE VALIDATE)` each selected model and test. Exit 2 on project errors, 1 on SQL
 * errors, 0 otherwise.
 */
export function registerValidateCommand(program: FloeCommand): void {
  const { io } = program;
  addSelectionFlags(
    addProjectFlags(
      program
        .command("validate")
        .description(
          "check the project without writing anything: render every node, then EXPLAIN (TYPE VALIDATE) in Trino",
        ),
    ),
  )
    .option("--no-engine", "only parse and render; do not ask Trino")
    .option("--threads <n>", "EXPLAINs to run at once (default: the profile's threads)", parseThreads)
    .handle(async (flags: ValidateFlags) => {
      const { readFileSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { loadRunProject } = await import("./run-action.js");
      const { selectFromFlags } = await import("./common-flags.js");
      const { connectTarget, withSigintCancel } = await import("../runner/connect.js");
      const { validateProject } = await import("../validate/validate-project.js");
      const { validateLogger } = await import("../validate/validate-log.js");
      const project = loadRunProject(flags, io);
      const selected = selectFromFlags(project, project.root, flags);
      const connection = flags.engine ? connectTarget(project.target) : undefined;
      const result = await withSigintCancel(connection, interruptNotice(flags.logFormat, io), (signal) =>
        validateProject({
          project,
          selected,
          connection,
          threads: flags.threads ?? project.target.threads,
          signal,
          onEvent: validateLogger(flags.logFormat, io.stdout),
          readProjectFile: (path) => readFileSync(join(project.root, path), "utf8"),
        }),
      );
      return result.exitCode;
    });
}
