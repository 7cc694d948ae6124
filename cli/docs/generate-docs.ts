import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TrinoConnection } from "../../trino/connection.js";
import { type ParsedProject, renderNodes, topologicalOrder } from "../compile/compile.js";
import { relationOf } from "../manifest/manifest.js";
import { type Catalog, emptyCatalog } from "./catalog.js";
import { fetchCatalog } from "./fetch-catalog.js";
import { lineageLayout } from "./lineage-layout.js";
import { docsSiteHtml } from "./site.js";

/**
 * `floe docs generate` as a programmatic API: compiled SQL of the selected nodes (unless `compile` is
 * false), the catalog from Trino (unless `connection` is undefined: `--empty-catalog`), the lineage
 * layout, and the one-file site. Writes nothing: the command writes `catalog.json` and `index.html`.
 */
export interface GenerateDocsOptions {
  readonly project: ParsedProject;
  readonly selected: ReadonlySet<string>;
  readonly compile: boolean;
  /** undefined: `--empty-catalog`, no engine queried. */
  readonly connection: TrinoConnection | undefined;
  readonly threads: number;
  readonly signal?: AbortSignal;
}

export interface GeneratedDocs {
  readonly catalog: Catalog;
  readonly compiled: Map<string, string>;
  readonly html: string;
  /** Selected relations (models, seeds, sources; not ephemeral) missing from the catalog. */
  readonly notBuilt: string[];
}

export async function generateDocs(options: GenerateDocsOptions): Promise<GeneratedDocs> {
  const { project, selected } = options;
  const manifest = project.manifest;
  const order = topologicalOrder(manifest).filter((id) => selected.has(id));
  const compiled = options.compile ? renderNodes(project, order) : new Map<string, string>();
  const generatedAt = new Date().toISOString();
  const catalog = options.connection
    ? await fetchCatalog({
        manifest,
        ids: order,
        connection: options.connection,
        threads: options.threads,
        generatedAt,
        ...(options.signal ? { signal: options.signal } : {}),
      })
    : emptyCatalog(generatedAt);
  const notBuilt = options.connection
    ? order.filter(
        (id) =>
          relationOf(manifest.nodes[id] ?? manifest.sources[id]) !== undefined &&
          catalog.nodes[id] === undefined &&
          catalog.sources[id] === undefined,
      )
    : [];
  const html = docsSiteHtml({
    manifest,
    catalog,
    compiled: Object.fromEntries(compiled),
    layout: lineageLayout(manifest),
    emptyCatalog: options.connection === undefined,
    templates: templateSources(project, order),
  });
  return { catalog, compiled, html, notBuilt };
}

/** The template file of each selected model and singular test, as the user wrote it (shown beside the SQL). */
function templateSources(project: ParsedProject, ids: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const template = project.templates.get(id);
    if (template?.kind !== "template") continue;
    try {
      out[id] = readFileSync(join(project.root, template.file), "utf8");
    } catch {
      // Deleted since the compile: the page says "not available" rather than failing the docs.
    }
  }
  return out;
}
