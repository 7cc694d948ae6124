import { UsageError } from "../../core/errors.js";
import {
  addProjectFlags,
  addSelectionFlags,
  type ProjectFlags,
  type SelectionFlags,
  selectFromFlags,
} from "./common-flags.js";
import { flagParser, positiveInt } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

/** `floe show -s model --limit N`: runs the model's compiled SELECT and prints the first rows as a table. */
export function registerShowCommand(program: FloeCommand): void {
  const { io } = program;
  addSelectionFlags(
    addProjectFlags(program.command("show").description("preview the rows of a model's (or test's) query")),
  )
    .option("--limit <n>", "rows to print", flagParser("--limit", positiveInt("20")), 10)
    .option("--inline <sql>", "preview this SQL instead of a node ({{ref}}, {{source}}, macros work)")
    .handle(async (flags: ProjectFlags & SelectionFlags & { limit: number; inline?: string }) => {
      const { loadRunProject } = await import("./run-action.js");
      const { formatTable } = await import("../log/format-table.js");
      const { NodeRenderer } = await import("../render/render-node.js");
      const { connectTarget } = await import("../runner/connect.js");
      const project = loadRunProject(flags, io);
      let sql: string;
      let label: string;
      if (flags.inline !== undefined) {
        const { renderInline } = await import("../compile/compile.js");
        sql = renderInline(project, flags.inline);
        label = "inline query";
      } else {
        // Selecting a model also selects its tests (indirect selection): preview the model then.
        const all = [...selectFromFlags(project, project.root, flags)];
        const ofType = (type: string) =>
          all.filter((id) => project.manifest.nodes[id]?.resource_type === type);
        const models = ofType("model");
        const selected = models.length > 0 ? models : ofType("test");
        if (selected.length !== 1) {
          throw new UsageError(
            selected.length === 0
              ? "floe show needs one model or test; the selection matched none."
              : `floe show previews one node; the selection matched ${selected.length} (${selected.slice(0, 3).join(", ")}…).`,
            { hint: "pass -s <model_name>." },
          );
        }
        const node = project.manifest.nodes[selected[0]!]!;
        sql = new NodeRenderer(project).render(node);
        label = node.name;
      }
      const connection = connectTarget(project.target);
      const result = await connection.query(
        `SELECT * FROM (\n${sql.replace(/[\s;]+$/, "")}\n) AS floe_show LIMIT ${flags.limit}`,
        { maxRows: flags.limit },
      );
      const columns = result.columns.map((c) => c.name);
      const rows = result.rows.map((r) => columns.map((c) => (r as Record<string, unknown>)[c]));
      if (flags.logFormat === "json") {
        io.stdout(
          `${JSON.stringify({ event: "show", node: label, columns, rows, query_id: result.queryId })}\n`,
        );
        return 0;
      }
      io.stdout(`Previewing ${label} (first ${flags.limit} rows):\n${formatTable(columns, rows)}\n`);
      return 0;
    });
}
