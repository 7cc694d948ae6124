import { isFloeError } from "../../core/errors.js";
import { renderError } from "../log/render-error.js";
import { addProjectFlags, type ProjectFlags } from "./common-flags.js";
import type { FloeCommand } from "./floe-command.js";

/** `floe debug`: shows the project, the resolved target (secrets hidden) and checks the Trino connection. */
export function registerDebugCommand(program: FloeCommand): void {
  addProjectFlags(
    program.command("debug").description("show the configuration and check the connection to Trino"),
  ).handle(async (flags: ProjectFlags) => {
    const { loadRunProject } = await import("./run-action.js");
    const { connectTarget } = await import("../runner/connect.js");
    const { quoteString } = await import("../../trino/dialect.js");
    const out = (line: string) => program.io.stdout(`${line}\n`);
    const project = loadRunProject(flags, program.io);
    const t = project.target;
    out(`floe version: 0.1.0 (node ${process.version})`);
    out(`project: ${project.manifest.metadata.project_name} at ${project.root}`);
    out(`profile: ${t.profile}, target: ${t.name}`);
    out(
      `  type: ${t.type}  host: ${t.host}  port: ${t.port}  http_scheme: ${t.http_scheme}  user: ${t.user}`,
    );
    out(`  catalog: ${t.catalog}  schema: ${t.schema}  threads: ${t.threads}`);
    out(
      `  password: ${t.password || t.auth?.method === "basic" ? "****" : "(none)"}  auth: ${t.auth?.method ?? "none"}`,
    );
    if (t.session_properties) out(`  session_properties: ${JSON.stringify(t.session_properties)}`);
    try {
      const connection = connectTarget(t);
      const result = await connection.query<{ version: string; catalog_ok: boolean }>(
        `SELECT version() AS version, count(*) > 0 AS catalog_ok FROM system.metadata.catalogs WHERE catalog_name = ${quoteString(t.catalog)}`,
      );
      const row = result.rows[0];
      out(
        `connection: OK (Trino ${row?.version ?? "?"} at ${connection.server}, ${result.elapsedMillis} ms)`,
      );
      if (row && !row.catalog_ok) {
        out(
          `catalog '${t.catalog}': NOT FOUND in Trino. Fix: set catalog in profiles.yml to an existing catalog.`,
        );
        return 2;
      }
      out(`catalog '${t.catalog}': OK`);
      out("All checks passed!");
      return 0;
    } catch (error) {
      if (!isFloeError(error)) throw error;
      const { text, exitCode } = renderError(error);
      out(`connection: FAILED\n${text}`);
      return exitCode;
    }
  });
}
