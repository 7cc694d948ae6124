import { addProjectFlags, type ProjectFlags, parseMappingFlag } from "./common-flags.js";
import type { FloeCommand } from "./floe-command.js";

/**
 * `floe run-operation <macro> --args '<yaml>'`: renders a macro with the arguments and runs its statements
 * in Trino, printing each one as it completes.
 */
export function registerRunOperationCommand(program: FloeCommand): void {
  const { io } = program;
  addProjectFlags(
    program
      .command("run-operation")
      .description("render a macro with --args and run its statements (split on top-level ;) in Trino")
      .argument("<macro>", "the macro's name (its file stem under macros/, or <package>/<name>)"),
  )
    .option("--args <yaml>", "the macro's arguments, a YAML mapping, e.g. '{role: analyst}'", parseArgs)
    .handle(async (macro: string, flags: ProjectFlags & { args?: Record<string, unknown> }) => {
      const { loadRunProject } = await import("./run-action.js");
      const { planOperation, runOperation, oneLine } = await import("../operation/run-operation.js");
      const { connectTarget } = await import("../runner/connect.js");
      const { cancelOnSigint } = await import("../../trino/cancel-on-sigint.js");
      const project = loadRunProject(flags, io);
      const plan = planOperation(project, macro, flags.args ?? {});
      const json = flags.logFormat === "json";
      const total = plan.statements.length;
      if (total === 0) {
        io.stdout(
          json
            ? `${JSON.stringify({ event: "operation.empty", macro })}\n`
            : `Macro '${macro}' rendered no SQL statement; nothing ran.\n`,
        );
        return 0;
      }
      if (!json) io.stdout(`Running macro '${macro}' (${total} statement${total === 1 ? "" : "s"})\n`);
      const connection = connectTarget(project.target);
      const controller = new AbortController();
      const release = cancelOnSigint(connection, controller, io.stderr);
      const started = performance.now();
      try {
        await runOperation(
          plan,
          connection,
          (r) => {
            if (json) {
              io.stdout(
                `${JSON.stringify({ event: "operation.statement", macro, index: r.index, total, sql: r.sql, query_id: r.queryId, seconds: Math.round(r.seconds * 1000) / 1000, rows: r.rows })}\n`,
              );
              return;
            }
            const plural = (n: number) => `${n} row${n === 1 ? "" : "s"}`;
            const rows =
              r.updateCount !== undefined
                ? `, ${plural(r.updateCount)}`
                : r.rows > 0
                  ? `, ${plural(r.rows)} returned`
                  : "";
            io.stdout(`${r.index} of ${total} OK [${r.seconds.toFixed(2)}s${rows}] ${oneLine(r.sql, 160)}\n`);
          },
          controller.signal,
        );
      } finally {
        release();
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      io.stdout(
        json
          ? `${JSON.stringify({ event: "operation.done", macro, statements: total, seconds: Number(seconds) })}\n`
          : `Completed run-operation ${macro}: ${total} statement${total === 1 ? "" : "s"} in ${seconds}s.\n`,
      );
      return 0;
    });
}

/** `--args`: a YAML (or JSON) mapping of the macro's argument names to values. */
function parseArgs(text: string): Record<string, unknown> {
  return parseMappingFlag("--args", "a YAML mapping of argument names to values", text, "'{role: analyst}'");
}
