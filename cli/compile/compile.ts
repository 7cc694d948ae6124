/**
 * The compiler's programmatic API — what `floe parse/compile/ls` and the runner (`run`, `test`, `seed`,
 * `build`, `retry`, `show`) build on.
 *
 * ```ts
 * const project = loadProject({ projectDir, profilesDir, target, vars });   // fs + parse, throws FloeError
 * const manifest = project.manifest;                                        // nodes, sources, parent/child maps
 * for (const id of topologicalOrder(manifest)) {                             // parents before children
 *   const node = manifest.nodes[id];                                         // undefined for sources
 *   if (node?.resource_type === "model") {
 *     node.relation;       // { catalog, schema, identifier }; quoteRelation(node.relation) → "c"."s"."t"
 *     node.config;         // ModelConfig: materialized, unique_key, incremental_strategy, on_schema_change,
 *                          // partitioned_by, sorted_by, format, properties, incremental_predicates, tags,
 *                          // schema, alias, full_refresh, ...
 *     renderNode(project, node, { isIncremental: tableExists && !fullRefresh });  // the model's SELECT
 *   }
 *   if (node?.resource_type === "test") {
 *     renderNode(project, node);            // a query returning the failing rows
 *     node.config;                          // severity, where, limit, warn_if, error_if, store_failures
 *     node.attached_node;                   // the model/seed/source it tests (generic tests)
 *     // grading its failing rows: testStatus(node.config, failures) in data-tests/grade.ts
 *   }
 *   if (node?.resource_type === "seed") seedFile(project, node);  // absolute CSV path; node.config.column_types
 * }
 * ```
 * Everything except `loadProject` and `writeArtifacts` is pure.
 */
import { join } from "node:path";
import type { ManifestNode, ModelNode, SeedNode, TestNode } from "../manifest/manifest.js";
import { type BuildOptions, buildProject, type ParsedProject } from "../project/build-project.js";
import { loadProfilesFile, loadProjectFiles } from "../project/load-project.js";
import { resolveTarget } from "../project/profiles.js";
import type { ProjectFiles } from "../project/project-files.js";
import { NodeRenderer, type RenderOptions } from "../render/render-node.js";
import { parseTemplate } from "../templating/parse-template.js";

export { quoteIdentifier, quoteRelation } from "../../trino/dialect.js";
export { ancestors, descendants, topologicalOrder } from "../graph/graph.js";
export type { ModelConfig, SeedConfig, TestConfig } from "../manifest/config.js";
export type {
  ColumnInfo,
  GraphNode,
  Manifest,
  ManifestNode,
  ModelNode,
  Relation,
  SeedNode,
  SnapshotNode,
  SourceNode,
  TestNode,
} from "../manifest/manifest.js";
export { graphNode, MANIFEST_SCHEMA_VERSION } from "../manifest/manifest.js";
export type { ParsedProject } from "../project/build-project.js";
export type { TargetConfig } from "../project/profiles.js";
export type { RenderOptions } from "../render/render-node.js";

export interface LoadProjectOptions {
  /** Default: the current directory. */
  readonly projectDir?: string;
  readonly profilesDir?: string;
  /** Output name in profiles.yml; default: the profile's `target`. */
  readonly target?: string;
  /** `--vars`, already parsed. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** `--target-path`: overrides floe_project.yml's `target-path`. */
  readonly targetPath?: string;
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Pre-parsed templates/YAML (see `compile-pipeline.ts`, which fills them from workers and the cache). */
  readonly parsedTemplates?: BuildOptions["parsedTemplates"];
  readonly parsedYaml?: BuildOptions["parsedYaml"];
}

/** Reads the project, its profile and every file, and parses them into a validated manifest. */
export function loadProject(options: LoadProjectOptions = {}): ParsedProject {
  const files = loadProjectFiles(options.projectDir ?? process.cwd(), options.targetPath);
  return parseProject(files, options);
}

/** The pure half of `loadProject`, for callers that already hold the files. */
export function parseProject(files: ProjectFiles, options: LoadProjectOptions = {}): ParsedProject {
  const env = options.env ?? process.env;
  const profiles = loadProfilesFile(files.root, options.profilesDir, env);
  const target = resolveTarget(profiles.text, profiles.path, {
    profileName: files.config.profile,
    ...(options.target === undefined ? {} : { targetName: options.target }),
    env,
  });
  return buildProject(files, {
    target,
    env,
    generatedAt: new Date().toISOString(),
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.parsedTemplates ? { parsedTemplates: options.parsedTemplates } : {}),
    ...(options.parsedYaml ? { parsedYaml: options.parsedYaml } : {}),
  });
}

/**
 * The SQL of one node: a model's SELECT (ephemeral refs inlined as CTEs), or a test's failing-rows query.
 * Pass `isIncremental: true` to render an incremental model's `{{#if (is_incremental)}}` branches.
 */
export function renderNode(
  project: ParsedProject,
  node: ManifestNode | string,
  options: RenderOptions = {},
): string {
  const resolved = typeof node === "string" ? project.manifest.nodes[node] : node;
  if (!resolved) throw new Error(`renderNode: unknown node ${String(node)}`);
  return new NodeRenderer(project).render(resolved, options);
}

/** Renders many nodes, sharing ephemeral CTE bodies between them. Seeds and sources have no SQL. */
export function renderNodes(
  project: ParsedProject,
  ids: Iterable<string>,
  options: RenderOptions = {},
): Map<string, string> {
  const out = new Map<string, string>();
  forEachRendered(project, ids, (id, sql) => out.set(id, sql), options);
  return out;
}

/**
 * `renderNodes` handing each node's SQL to `visit` as soon as it is rendered (`floe compile` writes files
 * meanwhile) instead of collecting them. Returns how many nodes were rendered.
 */
export function forEachRendered(
  project: ParsedProject,
  ids: Iterable<string>,
  visit: (id: string, sql: string) => void,
  options: RenderOptions = {},
): number {
  const renderer = new NodeRenderer(project);
  let rendered = 0;
  for (const id of ids) {
    const node = project.manifest.nodes[id];
    if (!node || node.resource_type === "seed") continue;
    visit(id, renderer.render(node, options));
    rendered++;
  }
  return rendered;
}

/**
 * Ad-hoc SQL rendered against the project (`floe show --inline`): refs, sources, vars, macros and ephemeral
 * CTEs as in a model. `label` names it in errors (a syntax error is reported at `label:line:column`).
 */
export function renderInline(project: ParsedProject, sql: string, label = "--inline"): string {
  return new NodeRenderer(project).renderInline(parseTemplate(sql, label), label);
}

/** The absolute path of a seed's CSV file. */
export function seedFile(projectRoot: string, seed: SeedNode): string {
  return join(projectRoot, seed.original_file_path);
}

export function isModel(node: ManifestNode | undefined): node is ModelNode {
  return node?.resource_type === "model";
}
export function isTest(node: ManifestNode | undefined): node is TestNode {
  return node?.resource_type === "test";
}
export function isSeed(node: ManifestNode | undefined): node is SeedNode {
  return node?.resource_type === "seed";
}
