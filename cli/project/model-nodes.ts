import { ConfigError } from "../../core/errors.js";
import type { ModelNode, SeedNode } from "../manifest/manifest.js";
import { resolveMicrobatch } from "../plan/microbatch.js";
import { type TemplateDependencies, templateDependencies } from "../templating/dependencies.js";
import type { BuildContext } from "./build-context.js";
import type { Patch } from "./config-resolver.js";
import { bodyFingerprint, shortHash, stableStringify } from "./hashing.js";
import type { StaticRef, StaticSource } from "./macro-registry.js";
import { relativeTo, stem } from "./node-paths.js";
import type { SeedFile, SourceText } from "./project-files.js";
import { columnsOf, constraintOf } from "./property-files.js";
import { yamlError } from "./yaml-file.js";

/**
 * Model and seed nodes. A model's refs are collected here and resolved once every model and seed is
 * registered (`resolveDependencies`), since a model may ref one defined later.
 */
export type PendingRefs = Map<string, { refs: StaticRef[]; sources: StaticSource[] }>;

const EMPTY_HASH = shortHash("");

/**
 * One of a versioned model's `versions:` (dbt's model versions): the node is named after the model, its
 * unique_id ends in `.v<N>`, its relation is `<name>_v<N>` (dbt's default alias), and the version's own
 * `config:`, `columns:`, `description:` and `constraints:` override the model's.
 */
export interface ModelVersion {
  readonly v: number;
  readonly latest: number;
  /** The version's entry under `versions:`, as a patch (its `config:` is a yml layer over the model's). */
  readonly patch: Patch;
}

export function addModel(
  ctx: BuildContext,
  file: SourceText,
  modelPatch: Patch | undefined,
  pending: PendingRefs,
  version?: ModelVersion,
): void {
  const relative = relativeTo(file);
  const name = version ? (modelPatch?.entry.name ?? stem(file.path)) : stem(file.path);
  const projectName = ctx.packageOf(file);
  const id = version ? `model.${projectName}.${name}.v${version.v}` : `model.${projectName}.${name}`;
  const own = version?.patch.entry as VersionEntry | undefined;
  // The model's yml entry as this node sees it: a version's columns and text over the model's.
  const patch: Patch | undefined =
    modelPatch && own
      ? {
          ...modelPatch,
          entry: {
            ...modelPatch.entry,
            ...(own.columns ? { columns: own.columns } : {}),
            ...(own.description === undefined ? {} : { description: own.description }),
            ...(own.constraints ? { constraints: own.constraints } : {}),
            versions: undefined,
            version: own,
          } as Patch["entry"],
        }
      : modelPatch;
  const ast = ctx.parse(file);
  const deps = templateDependencies(ast);
  const folders = ctx.foldersOf(file);
  const configs = ctx.configs;
  const { config, hash: configHash } = configs.model([
    ...configs.treeLayers("model", file.package, [...folders, name]),
    ...configs.ymlLayer(modelPatch, "model"),
    ...(version ? configs.ymlLayer(version.patch, "model") : []),
    ...configs.templateLayers(deps.configs, file.path, "model"),
  ]);
  if (!config.enabled) {
    ctx.disabled.add(name);
    return;
  }
  if (
    config.materialized === "incremental" &&
    (config.incremental_strategy === "merge" || config.incremental_strategy === "delete+insert") &&
    config.unique_key === undefined
  ) {
    throw new ConfigError(`incremental_strategy '${config.incremental_strategy}' needs a unique_key.`, {
      location: { file: file.path },
      hint: 'add unique_key="id" to {{config}} (or use incremental_strategy="append").',
    });
  }
  if (config.materialized === "incremental" && config.incremental_strategy === "microbatch") {
    try {
      resolveMicrobatch(config, name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(error.message, {
        location: { file: file.path },
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
  }
  if (!version || version.v === version.latest) ctx.registerName(name, id, file.path);
  if (version) ctx.registerVersion(name, version.v, id);
  const macroNames = ctx.macros.closure(deps.partials, file.path);
  pending.set(id, staticReferences(ctx, deps, file.path, macroNames));
  const macros = ctx.macros.use(macroNames);
  // Fields are added one by one onto the identity object: `{...identity(), ...}` makes V8 build every node
  // through its slow generic path (~30 µs a node, 0.3 s for 10,000 models). Key order is the manifest's.
  const node: Draft = identity(projectName, "model", id, name, file, relative, folders);
  addTemplatedFields(ctx, node, {
    template: file,
    name,
    // dbt's default alias of a version: <name>_v<N>.
    identifier: version ? `${name}_v${version.v}` : name,
    configHash,
    config,
    macros,
    patch,
  });
  if (version) {
    node.fqn = [projectName, ...folders, name, `v${version.v}`];
    node.version = version.v;
    node.latest_version = version.latest;
  }
  const constraints = (patch?.entry as { constraints?: Parameters<typeof constraintOf>[0][] } | undefined)
    ?.constraints;
  if (constraints) node.constraints = constraints.map(constraintOf);
  if (config.contract?.enforced === true) checkContractColumns(name, file, patch);
  ctx.nodes[id] = node as unknown as ModelNode;
  ctx.templates.set(id, ctx.template(file, ast));
}

/**
 * The fields after `identity` of a node built from a template (a model or snapshot), in manifest order:
 * fingerprint, description, tags, depends_on (nodes filled by `resolveDependencies`), patch_path, config,
 * relation, columns, compiled_path.
 */
export function addTemplatedFields(
  ctx: BuildContext,
  node: Draft,
  parts: {
    readonly template: {
      readonly path: string;
      readonly text: string;
      readonly package?: string | undefined;
    };
    readonly name: string;
    /** The relation's identifier before any alias (default: the name). */
    readonly identifier?: string;
    readonly configHash: string;
    readonly config: { readonly tags: string[]; schema?: string; alias?: string; catalog?: string };
    readonly macros: { readonly prints: string; readonly ids: readonly string[] };
    readonly patch: Patch | undefined;
  },
): void {
  const { patch, config } = parts;
  node.fingerprint = {
    body: bodyFingerprint(parts.template.text),
    config: parts.configHash,
    macros: shortHash(parts.macros.prints),
    yml: patch ? shortHash(stableStringify(patch.entry)) : EMPTY_HASH,
  };
  node.description = patch?.entry.description ?? "";
  node.tags = config.tags;
  node.depends_on = { nodes: [], macros: parts.macros.ids };
  if (patch) node.patch_path = patch.file.path;
  node.config = config;
  node.relation = ctx.relation(parts.identifier ?? parts.name, config);
  node.columns = columnsOf(patch?.entry.columns);
  node.compiled_path = ctx.compiledPath(parts.template);
}

interface VersionEntry {
  readonly columns?: Patch["entry"]["columns"];
  readonly description?: string;
  readonly constraints?: unknown[];
}

/** An enforced contract is the yml's columns with their types: every column needs a `data_type`. */
function checkContractColumns(name: string, file: SourceText, patch: Patch | undefined): void {
  const columns = patch?.entry.columns ?? [];
  if (!patch || columns.length === 0) {
    throw new ConfigError(`'${name}' has an enforced contract but no columns in its yml.`, {
      location: { file: patch?.file.path ?? file.path },
      hint: `list the model's columns with their data_type under models: - name: ${name} columns: in a .yml file.`,
    });
  }
  const untyped = columns.findIndex((c) => c.data_type === undefined);
  if (untyped >= 0) {
    throw yamlError(
      patch.file.path,
      patch.file.text,
      [...patch.path, "columns", untyped, "name"],
      `column '${columns[untyped]?.name}' of '${name}' has no data_type, and the model's contract is enforced`,
      "give every column of a contracted model a data_type (a Trino type: bigint, varchar, decimal(18,2), timestamp(6), ...).",
    );
  }
}

/** A node under construction: `identity` plus the fields its builder adds. */
export type Draft = Record<string, unknown>;

/** The fields that identify a model or seed and its file (the first keys of its manifest entry). */
export function identity(
  projectName: string,
  resourceType: "model" | "seed" | "snapshot",
  id: string,
  name: string,
  file: { readonly path: string; readonly hash: string },
  relative: string,
  folders: readonly string[],
) {
  return {
    unique_id: id,
    resource_type: resourceType,
    name,
    package_name: projectName,
    original_file_path: file.path,
    path: relative,
    fqn: [projectName, ...folders, name],
    checksum: { name: "sha256", checksum: file.hash },
  } as Draft;
}

/** The template's literal refs and sources plus those of every macro it uses. */
export function staticReferences(
  ctx: BuildContext,
  deps: TemplateDependencies,
  file: string,
  macroNames: Iterable<string>,
): { refs: StaticRef[]; sources: StaticSource[] } {
  const refs: StaticRef[] = deps.refs.map((r) => ({
    name: r.name,
    ...(r.version === undefined ? {} : { version: r.version }),
    file,
    ...(r.loc ? { loc: r.loc } : {}),
  }));
  const sources: StaticSource[] = deps.sources.map((s) => ({ ...s, file }));
  for (const name of macroNames) {
    const macro = ctx.macros.get(name);
    if (!macro) continue;
    for (const ref of macro.refs) refs.push(ref);
    for (const source of macro.sources) sources.push(source);
  }
  return { refs, sources };
}

/** Sets each model's `depends_on.nodes` from its collected refs and sources. */
export function resolveDependencies(ctx: BuildContext, pending: PendingRefs): void {
  for (const [id, refs] of pending) {
    const node = ctx.nodes[id];
    if (!node) continue;
    const parents = new Set<string>();
    for (const source of refs.sources) parents.add(ctx.resolveSource(source, node.name, node.package_name));
    for (const ref of refs.refs) parents.add(ctx.resolveRef(ref, node.name));
    (node.depends_on as { nodes: readonly string[] }).nodes = [...parents].sort();
  }
  pending.clear();
}

export function addSeed(ctx: BuildContext, file: SeedFile, patch: Patch | undefined): void {
  const relative = relativeTo(file);
  const name = stem(file.path);
  const projectName = ctx.packageOf(file);
  const id = `seed.${projectName}.${name}`;
  const folders = ctx.foldersOf(file);
  const configs = ctx.configs;
  const { config, hash: configHash } = configs.seed([
    ...configs.treeLayers("seed", file.package, [...folders, name]),
    ...configs.ymlLayer(patch, "seed"),
  ]);
  if (!config.enabled) return;
  ctx.registerName(name, id, file.path);
  const columns = columnsOf(patch?.entry.columns);
  for (const column of file.columns) {
    if (!columns[column]) columns[column] = { name: column, description: "", meta: {}, tags: [] };
  }
  const node: Draft = identity(projectName, "seed", id, name, file, relative, folders);
  node.fingerprint = {
    body: file.hash,
    config: configHash,
    macros: EMPTY_HASH,
    yml: patch ? shortHash(stableStringify(patch.entry)) : EMPTY_HASH,
  };
  node.description = patch?.entry.description ?? "";
  node.tags = config.tags;
  node.depends_on = { nodes: [], macros: [] };
  if (patch) node.patch_path = patch.file.path;
  node.config = config;
  node.relation = ctx.relation(name, config);
  node.columns = columns;
  ctx.nodes[id] = node as unknown as SeedNode;
}
