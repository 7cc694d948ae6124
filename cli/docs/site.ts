import type { Manifest } from "../manifest/manifest.js";
import type { Catalog } from "./catalog.js";
import { type Layout, layeredLayout } from "./lineage-layout.js";
import { escapeHtml, renderMarkdown } from "./markdown.js";
import { SITE_SCRIPT } from "./site-script.js";

/**
 * `target/index.html`: the whole docs site in one file that needs no network — styles, the script and
 * the data (manifest, catalog, compiled SQL, lineage layout) are all inline, so it opens from disk, from
 * `floe docs serve`, or as a CI artifact. Pure.
 */
export interface SiteData {
  readonly manifest: Manifest;
  readonly catalog: Catalog;
  /** unique_id → compiled SQL (empty with --no-compile). */
  readonly compiled: Readonly<Record<string, string>>;
  readonly layout: Layout;
  readonly emptyCatalog: boolean;
  /** unique_id → the node's template source (models, singular tests), shown beside its compiled SQL. */
  readonly templates?: Readonly<Record<string, string>>;
}

export function docsSiteHtml(data: SiteData): string {
  return renderSite({ ...data, manifest: docsManifest(data.manifest) }, descriptionsHtml(data.manifest));
}

/** A node's description and its columns' (by lower-cased name) as HTML, for the nodes that have any. */
export interface DescriptionHtml {
  readonly description?: string;
  readonly columns?: Readonly<Record<string, string>>;
}

/**
 * Descriptions rendered as Markdown once, here: the page inserts these strings as markup and nothing else
 * (renderMarkdown escapes every description's own HTML first).
 */
export function descriptionsHtml(manifest: Manifest): Record<string, DescriptionHtml> {
  const out: Record<string, DescriptionHtml> = {};
  const add = (
    id: string,
    node: { description?: string; columns?: Readonly<Record<string, { description: string }>> },
  ) => {
    const columns: Record<string, string> = {};
    for (const [name, column] of Object.entries(node.columns ?? {})) {
      if (column.description.trim() !== "") columns[name.toLowerCase()] = renderMarkdown(column.description);
    }
    const description = node.description?.trim() ? renderMarkdown(node.description) : undefined;
    if (description === undefined && Object.keys(columns).length === 0) return;
    out[id] = {
      ...(description === undefined ? {} : { description }),
      ...(Object.keys(columns).length === 0 ? {} : { columns }),
    };
  };
  for (const [id, node] of Object.entries(manifest.nodes)) if (node.resource_type !== "test") add(id, node);
  for (const [id, source] of Object.entries(manifest.sources)) add(id, source);
  return out;
}

/** The node fields the page shows (dt/dd facts, columns, tests, lineage). */
const NODE_FIELDS = [
  "unique_id",
  "resource_type",
  "name",
  "description",
  "original_file_path",
  "relation",
  "tags",
  "columns",
  "test_metadata",
  "attached_node",
  "column_name",
  "loaded_at_field",
  "freshness",
] as const;

/**
 * The manifest as the page needs it: the documentation fields of each node, its materialization and
 * severity, and the parent/child maps — without checksums, fingerprints and the rest of each config,
 * which roughly halves the page for a 10,000-model project. target/manifest.json keeps everything.
 */
export function docsManifest(manifest: Manifest): Manifest {
  const slim = (node: object): Record<string, unknown> => {
    const full = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of NODE_FIELDS) if (full[key] !== undefined) out[key] = full[key];
    const config = full.config as Record<string, unknown> | undefined;
    out.config = {
      ...(config?.materialized === undefined ? {} : { materialized: config.materialized }),
      ...(config?.severity === undefined ? {} : { severity: config.severity }),
    };
    return out;
  };
  const map = <T extends object>(nodes: Readonly<Record<string, T>>) =>
    Object.fromEntries(Object.entries(nodes).map(([id, node]) => [id, slim(node)]));
  return {
    schemaVersion: manifest.schemaVersion,
    metadata: manifest.metadata,
    nodes: map(manifest.nodes),
    sources: map(manifest.sources),
    macros: {},
    parent_map: manifest.parent_map,
    child_map: manifest.child_map,
  } as unknown as Manifest;
}

function renderSite(data: SiteData, descriptions: Record<string, DescriptionHtml>): string {
  const project = data.manifest.metadata.project_name;
  const counts = new Map<string, number>();
  for (const node of Object.values(data.manifest.nodes))
    counts.set(node.resource_type, (counts.get(node.resource_type) ?? 0) + 1);
  const built = Object.keys(data.catalog.nodes).length + Object.keys(data.catalog.sources).length;
  const summary = [
    `${counts.get("model") ?? 0} models`,
    `${Object.keys(data.manifest.sources).length} sources`,
    `${counts.get("seed") ?? 0} seeds`,
    `${counts.get("test") ?? 0} tests`,
    data.emptyCatalog ? "catalog not generated" : `${built} relations in the catalog`,
    `generated ${data.catalog.metadata.generated_at}`,
  ].join(" · ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(project)} — Floe docs</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(project)} <span class="muted">Floe docs</span></h1><p id="summary" class="muted"></p></header>
<nav><input id="search" type="search" placeholder="Search names, descriptions, columns…" aria-label="search"><div id="list"></div></nav>
<main>
<section id="lineage"><h2>Lineage</h2><p id="graph-note" class="muted"></p><div id="graph"></div></section>
<article id="detail"></article>
</main>
<script id="floe-data" type="application/json">${embedJson({ ...data, templates: data.templates ?? {}, descriptions, summary })}</script>
<script>${layeredLayout.toString()}
${SITE_SCRIPT}</script>
</body>
</html>
`;
}

/** JSON safe inside a <script> element: `<` is escaped, so no `</script>` or `<!--` can end it early. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2430;display:grid;grid-template-columns:300px 1fr;grid-template-rows:auto 1fr;height:100vh}
header{grid-column:1/3;padding:10px 18px;border-bottom:1px solid #d8dde6;background:#f6f8fb}header h1{margin:0;font-size:18px}header p{margin:2px 0 0}
nav{overflow:auto;border-right:1px solid #d8dde6;padding:10px}nav input{width:100%;padding:6px 8px;border:1px solid #c4cad4;border-radius:4px}
nav h4{font-size:11.5px;color:#7a8597;margin:8px 0 2px 4px;font-weight:600}nav .match{font-size:11.5px;color:#6b7586;margin-left:4px}
.md p{margin:0 0 6px}.md :is(h1,h2,h3,h4,h5,h6){font-size:14px;margin:8px 0 4px}.md code{font-family:ui-monospace,Menlo,monospace;font-size:12.5px;background:#eef1f5;padding:0 3px;border-radius:3px}.md ul,.md ol{margin:0 0 6px;padding-left:20px}
.sql-pair{display:grid;grid-template-columns:1fr 1fr;gap:10px}.sql-pair h4{margin:4px 0;font-size:12px;color:#5b6677}
nav h3{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#5b6677;margin:14px 0 4px}nav ul{list-style:none;margin:0;padding:0}nav li{padding:1px 4px;border-radius:3px}nav li.current{background:#dde8fb}
main{overflow:auto;padding:0 18px 40px}#graph{overflow:auto;max-height:45vh;border:1px solid #d8dde6;border-radius:6px;background:#fbfcfe}
a.ref{color:#1f5fbf;text-decoration:none}a.ref:hover{text-decoration:underline}.muted{color:#6b7586}.mono,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre.sql{background:#f3f5f8;border:1px solid #dde2ea;border-radius:6px;padding:10px;overflow:auto;white-space:pre}
table{border-collapse:collapse;width:100%}th,td{text-align:left;border-bottom:1px solid #e3e7ee;padding:4px 8px;vertical-align:top}th{font-size:12px;color:#5b6677}
dl{display:grid;grid-template-columns:140px 1fr;gap:2px 10px}dt{color:#5b6677}dd{margin:0}
.badge{font-size:12px;padding:2px 8px;border-radius:10px;background:#e7ebf2;color:#334;vertical-align:middle}
.badge.model{background:#dde8fb}.badge.source{background:#dff3e4}.badge.seed{background:#fbefd9}.badge.test{background:#f1e3f7}
.missing{color:#a1361b;background:#fdeee9;padding:6px 10px;border-radius:4px}.built{color:#25613a;background:#eaf6ee;padding:6px 10px;border-radius:4px}
.edge{fill:none;stroke:#9aa6b8;stroke-width:1.2}.edge.dim{stroke:#e1e5eb}
.node{cursor:pointer}.node rect{fill:#dde8fb;stroke:#7d9bd1}.node.source rect{fill:#dff3e4;stroke:#6fae82}.node.seed rect{fill:#fbefd9;stroke:#d2a24f}
.node text{font-size:12px;fill:#1d2430}.node.dim{opacity:.25}.node.selected rect{stroke:#c2410c;stroke-width:2.5}
`;
