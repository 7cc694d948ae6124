import { ConfigError } from "../../core/errors.js";
import type { SnapshotConfig } from "../manifest/config.js";
import type { SnapshotNode } from "../manifest/manifest.js";
import { templateDependencies } from "../templating/dependencies.js";
import type { BuildContext } from "./build-context.js";
import type { Patch } from "./config-resolver.js";
import { shortHash } from "./hashing.js";
import {
  addTemplatedFields,
  type Draft,
  identity,
  type PendingRefs,
  staticReferences,
} from "./model-nodes.js";
import { folders, relativeTo, stem } from "./node-paths.js";
import type { SourceText } from "./project-files.js";
import { yamlError } from "./yaml-file.js";

/**
 * Snapshot nodes (`snapshot.<project>.<name>`), in two forms that build the same node:
 * - dbt 1.9's yml: `snapshots: [{name, relation: ref('x'), config: {...}}]`, the query being every row of
 *   the relation (`relation:` as dbt writes it, `ref('x')` / `source('a', 'b')`, or as Floe's templates do,
 *   `{{ref "x"}}` / `{{source "a" "b"}}`);
 * - `snapshots/<name>.sql`: Floe's form of dbt's `{% snapshot %}` block, a template with `{{config ...}}`
 *   and the query (a `snapshots:` entry without `relation:` describes it, as for models).
 * Config: project tree `snapshots:` < yml `config:` < `{{config}}`.
 */
export function addSnapshotFile(
  ctx: BuildContext,
  file: SourceText,
  patch: Patch | undefined,
  pending: PendingRefs,
): void {
  if (patch?.entry.relation !== undefined) {
    throw yamlError(
      patch.file.path,
      patch.file.text,
      [...patch.path, "relation"],
      `snapshot '${stem(file.path)}' has both ${file.path} and a relation: in ${patch.file.path}`,
      "keep one: the .sql file's query, or the yml entry's relation:.",
    );
  }
  addSnapshot(ctx, file, file, patch, pending);
}

/** `snapshots:` entries with a `relation:` (entries without one describe a snapshot file). */
export function addYmlSnapshots(
  ctx: BuildContext,
  patches: ReadonlyMap<string, Patch>,
  pending: PendingRefs,
): void {
  for (const [name, patch] of patches) {
    const relation = patch.entry.relation;
    if (relation === undefined) continue;
    const target = parseRelation(relation);
    if (!target) {
      throw yamlError(
        patch.file.path,
        patch.file.text,
        [...patch.path, "relation"],
        `relation: '${relation}' is not a ref or a source`,
        `write relation: ref('model_name') or source('source_name', 'table_name') (or {{ref "model_name"}}).`,
      );
    }
    const query =
      target.kind === "ref"
        ? `select * from {{ref "${target.name}"}}`
        : `select * from {{source "${target.source}" "${target.table}"}}`;
    // The node's file is the yml entry's; its template is the query the relation stands for.
    const folder = patch.file.path.slice(0, patch.file.path.lastIndexOf("/") + 1);
    const template: SourceText = {
      path: `${folder}${name}.sql`,
      text: query,
      hash: shortHash(query),
      base: patch.file.base,
    };
    addSnapshot(ctx, template, patch.file, patch, pending);
  }
}

/** `ref('x')`, `ref("x")`, `source('a', 'b')`, `{{ref "x"}}`, `{{source "a" "b"}}`. */
export function parseRelation(
  text: string,
): { kind: "ref"; name: string } | { kind: "source"; source: string; table: string } | undefined {
  const s = text.trim();
  const arg = `\\s*['"]([^'"]+)['"]\\s*`;
  const ref = new RegExp(`^ref\\(${arg}\\)$`).exec(s) ?? /^\{\{\s*ref\s+"([^"]+)"\s*\}\}$/.exec(s);
  if (ref) return { kind: "ref", name: ref[1] as string };
  const source =
    new RegExp(`^source\\(${arg},${arg}\\)$`).exec(s) ??
    /^\{\{\s*source\s+"([^"]+)"\s+"([^"]+)"\s*\}\}$/.exec(s);
  if (source) return { kind: "source", source: source[1] as string, table: source[2] as string };
  return undefined;
}

function addSnapshot(
  ctx: BuildContext,
  template: SourceText,
  file: { readonly path: string; readonly hash: string; readonly base: string },
  patch: Patch | undefined,
  pending: PendingRefs,
): void {
  const name = stem(template.path);
  const projectName = ctx.projectName;
  const id = `snapshot.${projectName}.${name}`;
  const ast = ctx.parse(template);
  const deps = templateDependencies(ast);
  const folderList = folders(relativeTo(template));
  const configs = ctx.configs;
  const { config, hash: configHash } = configs.snapshot([
    ...configs.snapshotTree.layers([...folderList, name]),
    ...configs.ymlLayer(patch, "snapshot"),
    ...configs.templateLayers(deps.configs, template.path, "snapshot"),
  ]);
  if (!config.enabled) return;
  checkSnapshotConfig(config, name, patch, template.path);
  ctx.registerName(name, id, template.path);
  const macroNames = ctx.macros.closure(deps.partials, template.path);
  pending.set(id, staticReferences(ctx, deps, template.path, macroNames));
  const macros = ctx.macros.use(macroNames);
  const node: Draft = identity(projectName, "snapshot", id, name, file, relativeTo(template), folderList);
  addTemplatedFields(ctx, node, { template, name, configHash, config, macros, patch });
  ctx.nodes[id] = node as unknown as SnapshotNode;
  ctx.templates.set(id, ctx.template(template, ast));
}

/** What dbt requires of a snapshot's config, checked when the project loads rather than mid-run. */
function checkSnapshotConfig(
  config: SnapshotConfig,
  name: string,
  patch: Patch | undefined,
  file: string,
): void {
  const fail = (message: string, hint: string): never => {
    if (patch) {
      throw yamlError(patch.file.path, patch.file.text, [...patch.path, "config"], message, hint);
    }
    throw new ConfigError(message, { location: { file }, hint });
  };
  if (config.unique_key === undefined) {
    fail(`snapshot '${name}' needs a unique_key.`, "add unique_key: id (a column, or a list of columns).");
  }
  if (config.strategy === undefined) {
    fail(
      `snapshot '${name}' needs a strategy.`,
      "add strategy: timestamp (with updated_at) or strategy: check (with check_cols).",
    );
  }
  if (config.strategy === "timestamp" && config.updated_at === undefined) {
    fail(
      `snapshot '${name}' uses strategy timestamp without updated_at.`,
      "add updated_at: <the column that says when a row changed>.",
    );
  }
  if (config.strategy === "check" && config.check_cols === undefined) {
    fail(
      `snapshot '${name}' uses strategy check without check_cols.`,
      "add check_cols: all, or a list of the columns to compare.",
    );
  }
}
