import { UsageError } from "../../core/errors.js";
import { writeCompiledSql } from "../artifacts/compiled-sql-writer.js";
import {
  addProjectFlags,
  addSelectionFlags,
  interruptNotice,
  type ProjectFlags,
  type SelectionFlags,
} from "./common-flags.js";
import { flagParser, PORT } from "./flag-values.js";
import type { FloeCommand } from "./floe-command.js";

type GenerateFlags = ProjectFlags &
  SelectionFlags & { readonly compile: boolean; readonly emptyCatalog?: boolean; readonly threads?: number };

/**
 * `floe docs generate`: manifest.json, compiled SQL, catalog.json (columns and stats from Trino) and the
 * one-file site index.html with a lineage graph. `floe docs serve`: the target folder over HTTP.
 */
export function registerDocsCommands(program: FloeCommand): void {
  const { io } = program;
  const docs = program.command("docs").description("generate and serve the project's documentation site");

  addSelectionFlags(
    addProjectFlags(
      docs
        .command("generate")
        .description("write target/catalog.json and target/index.html (a self-contained docs site)"),
    ),
  )
    .option("--no-compile", "do not render SQL (the site then shows no compiled SQL)")
    .option("--empty-catalog", "do not query Trino: write an empty catalog.json")
    .handle(async (flags: GenerateFlags) => {
      const { join, relative } = await import("node:path");
      const { loadRunProject } = await import("./run-action.js");
      const { selectFromFlags, createLog } = await import("./common-flags.js");
      const { writeFileAtomic } = await import("../../core/write-file-atomic.js");
      const { writeManifest } = await import("../artifacts/write-artifacts.js");
      const { connectTarget, withSigintCancel } = await import("../runner/connect.js");
      const { generateDocs } = await import("../docs/generate-docs.js");
      const log = createLog(flags.logFormat, io);
      const started = performance.now();
      const project = loadRunProject(flags, io);
      const selected = selectFromFlags(project, project.root, flags);
      const connection = flags.emptyCatalog ? undefined : connectTarget(project.target);
      const docs = await withSigintCancel(connection, interruptNotice(flags.logFormat, io), (signal) =>
        generateDocs({
          project,
          selected,
          compile: flags.compile,
          connection,
          threads: project.target.threads,
          signal,
        }),
      );
      const target = join(project.root, project.targetPath);
      writeManifest(project.root, project.targetPath, project.manifest);
      if (flags.compile) {
        await writeCompiledSql(
          project.root,
          project.targetPath,
          project.manifest,
          docs.compiled.size,
          (add) => {
            for (const [id, sql] of docs.compiled) add(id, sql);
          },
        );
      }
      writeFileAtomic(join(target, "catalog.json"), `${JSON.stringify(docs.catalog, null, 2)}\n`);
      writeFileAtomic(join(target, "index.html"), docs.html);
      const shown = (file: string) => relative(io.cwd, join(target, file)) || file;
      const relations = Object.keys(docs.catalog.nodes).length + Object.keys(docs.catalog.sources).length;
      if (docs.notBuilt.length > 0) {
        log.info(
          "docs.not_built",
          `Not built yet (shown as such in the site): ${docs.notBuilt.length} relation(s): ${docs.notBuilt
            .slice(0, 5)
            .map((id) => id.split(".").slice(2).join("."))
            .join(", ")}${docs.notBuilt.length > 5 ? ", …" : ""}`,
          { not_built: docs.notBuilt },
        );
      }
      for (const error of docs.catalog.errors ?? []) log.warn("docs.catalog_error", error);
      log.info(
        "docs.generated",
        `Catalog written to ${shown("catalog.json")} (${flags.emptyCatalog ? "empty: --empty-catalog" : `${relations} relations`}); docs site written to ${shown("index.html")} in ${((performance.now() - started) / 1000).toFixed(2)}s.`,
        {
          catalog_path: join(target, "catalog.json"),
          index_path: join(target, "index.html"),
          relations,
          compiled: docs.compiled.size,
        },
      );
      return 0;
    });

  docs
    .command("serve")
    .description("serve target/ (the docs site) over HTTP on localhost; Ctrl-C stops it")
    .option("--project-dir <dir>", "the Floe project directory")
    .option(
      "--port <port>",
      "the port (default 8580: Trino owns dbt's default 8080 here)",
      flagParser("--port", PORT),
    )
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .handle(async (flags: { projectDir?: string; port?: number; host: string }) => {
      const { existsSync } = await import("node:fs");
      const { resolve, join } = await import("node:path");
      const { loadProjectFiles } = await import("../project/load-project.js");
      const { DEFAULT_DOCS_PORT, serveDocs } = await import("../docs/serve-docs.js");
      const files = loadProjectFiles(flags.projectDir ?? io.cwd);
      const root = resolve(files.root, files.config["target-path"]);
      if (!existsSync(join(root, "index.html"))) {
        throw new UsageError(`${join(root, "index.html")} does not exist.`, {
          hint: "run floe docs generate first.",
        });
      }
      const port = flags.port ?? DEFAULT_DOCS_PORT;
      const server = await serveDocs(root, port, flags.host);
      const address = server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      const shownHost = flags.host === "0.0.0.0" || flags.host === "::" ? "localhost" : flags.host;
      io.stdout(
        `Serving docs from ${root} at http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${actualPort}/ — press Ctrl-C to stop.\n`,
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          io.stdout("Stopped serving docs.\n");
          server.close(() => done());
          server.closeAllConnections();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      return 0;
    });
}
