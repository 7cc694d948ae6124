import { createHash } from "node:crypto";
import {
  type ColumnInfo,
  type Fingerprint,
  MANIFEST_SCHEMA_VERSION,
  type MacroNode,
  type Manifest,
  type ManifestNode,
  type ModelNode,
  type Relation,
  type SeedNode,
  type SourceNode,
  type TestNode,
} from "../artifacts/manifest.js";
import { BUILTIN_TESTS } from "../data-tests/generic/builtin-tests.js";
import {
  duplicateTestError,
  type GenericTestSpec,
  parseTestEntry,
  type TestTarget,
} from "../data-tests/parse-test-entries.js";
import { ConfigError } from "../errors.js";
import { closestName } from "../graph/closest-name.js";
import { findCycle } from "../graph/cycles.js";
import { buildChildMap } from "../graph/graph.js";
import type { Program, SourceLocation } from "../templating/ast.js";
import type { TemplateEnvironment } from "../templating/ast-render.js";
import { type TemplateDependencies, templateDependencies } from "../templating/dependencies.js";
import { createTemplateEnvironment } from "../templating/environment.js";
import { parseTemplate } from "../templating/parse-template.js";
import { readConfigCalls } from "../templating/template-config.js";
import {
  type ConfigLayer,
  configHint,
  configLayerSchema,
  mergeLayers,
  toModelConfig,
  toSeedConfig,
  toTestConfig,
} from "./config.js";
import { ConfigTree } from "./config-tree.js";
import type { TargetConfig } from "./profiles.js";
import type { ProjectFiles, SourceText } from "./project-files.js";
import { parseYaml, validateYaml, yamlError } from "./yaml-file.js";
import {
  type ColumnEntry,
  type NodeEntry,
  type PropertyFile,
  propertyFileSchema,
  type TestEntry,
} from "./yml-schema.js";

/**
 * Project files → a validated manifest plus what is needed to render each node. Pure: no file system, no
 * network, no clock (the caller passes `generatedAt`). Errors name the file, line and fix.
 */
export type NodeTemplate =
  | { readonly kind: "template"; readonly file: string; readonly ast: Program }
  | { readonly kind: "builtin-test" }
  | { readonly kind: "custom-test"; readonly file: string; readonly ast: Program };

export interface ParsedProject {
  /** The project directory (absolute): where seeds are read from and artifacts written to. */
  readonly root: string;
  readonly manifest: Manifest;
  readonly target: TargetConfig;
  readonly targetPath: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly environment: TemplateEnvironment;
  readonly templates: ReadonlyMap<string, NodeTemplate>;
  /** Things worth telling the user that do not stop the compile (a yml entry for a missing model). */
  readonly warnings: readonly string[];
}

export interface BuildOptions {
  readonly target: TargetConfig;
  /** `--vars`, over the project's `vars:`. */
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** ASTs parsed ahead of time (worker threads, cache), by file content hash. */
  readonly parsedTemplates?: ReadonlyMap<string, Program>;
  /** Parsed YAML property files, by content hash. */
  readonly parsedYaml?: ReadonlyMap<string, unknown>;
  readonly generatedAt?: string;
  readonly floeVersion?: string;
}

interface MacroInfo {
  readonly file: SourceText;
  readonly ast: Program;
  readonly node: MacroNode;
  readonly partials: readonly { name: string; loc?: SourceLocation }[];
  readonly refs: readonly StaticRef[];
  readonly sources: readonly StaticSource[];
}

interface StaticRef {
  readonly name: string;
  readonly file: string;
  readonly loc?: SourceLocation;
}
interface StaticSource {
  readonly source: string;
  readonly table: string;
  readonly file: string;
  readonly loc?: SourceLocation;
}

interface Patch {
  readonly entry: NodeEntry;
  readonly file: SourceText;
  readonly path: readonly PropertyKey[];
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A short content hash for fingerprints (change detection, not security): two 32-bit FNV-style hashes,
 * 16 hex characters. Tens of thousands of fingerprints per compile make `createHash` per string slow.
 */
export function shortHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** Whitespace-insensitive hash: reformatting a template is not a modification. */
export function bodyFingerprint(text: string): string {
  return shortHash(text.replace(/\s+/g, " ").trim());
}

/** JSON with sorted keys, so equal configs hash equally whatever order their layers set keys in. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || typeof v === "function") continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${stableStringify(v)}`;
  }
  return `${out}}`;
}

function stem(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

function relativeTo(file: { path: string; base: string }): string {
  return file.base === "" || file.base === "." ? file.path : file.path.slice(file.base.length + 1);
}

function folders(relative: string): string[] {
  const parts = relative.split("/");
  parts.pop();
  return parts;
}

function location(file: string, loc: SourceLocation | undefined) {
  return loc ? { file, line: loc.start.line, column: loc.start.column + 1 } : { file };
}

export function buildProject(files: ProjectFiles, options: BuildOptions): ParsedProject {
  return new ProjectBuilder(files, options).build();
}

class ProjectBuilder {
  private readonly projectName: string;
  private readonly vars: Record<string, unknown>;
  private readonly warnings: string[] = [];
  private readonly macros = new Map<string, MacroInfo>();
  private readonly macroClosures = new Map<string, ReadonlySet<string>>();
  private readonly nodes: Record<string, ManifestNode> = {};
  private readonly sources: Record<string, SourceNode> = {};
  private readonly templates = new Map<string, NodeTemplate>();
  private readonly nameIndex = new Map<string, { id: string; file: string }>();
  private readonly modelPatches = new Map<string, Patch>();
  private readonly seedPatches = new Map<string, Patch>();
  private readonly testNames = new Map<string, string>();
  private readonly customTests = new Map<string, { file: SourceText; ast: Program }>();
  private readonly pendingRefs = new Map<string, { refs: StaticRef[]; sources: StaticSource[] }>();
  private readonly modelTree: ConfigTree;
  private readonly seedTree: ConfigTree;
  private readonly testTree: ConfigTree;
  private readonly targetPath: string;
  private readonly layerCache = new Map<string, ConfigLayer>();

  constructor(
    private readonly files: ProjectFiles,
    private readonly options: BuildOptions,
  ) {
    const config = files.config;
    this.projectName = config.name;
    this.targetPath = config["target-path"];
    this.vars = { ...config.vars, ...(options.vars ?? {}) };
    const projectFile = files.project.path;
    const text = files.project.text;
    this.modelTree = new ConfigTree(config.models, "models", this.projectName, projectFile, text);
    this.seedTree = new ConfigTree(config.seeds, "seeds", this.projectName, projectFile, text);
    const testTreeKey = Object.keys(config.data_tests).length > 0 ? "data_tests" : "tests";
    this.testTree = new ConfigTree(
      testTreeKey === "data_tests" ? config.data_tests : config.tests,
      testTreeKey,
      this.projectName,
      projectFile,
      text,
    );
  }

  build(): ParsedProject {
    this.loadMacros();
    const environment = createTemplateEnvironment(
      [...this.macros.values()].map((m) => ({
        name: m.node.name,
        file: m.file.path,
        ast: m.ast,
        source: m.file.text,
      })),
    );
    const propertyFiles = this.loadPropertyFiles();
    this.loadSources(propertyFiles);
    for (const file of this.files.models) this.addModel(file);
    for (const file of this.files.seeds) this.addSeed(file);
    for (const [name, patch] of this.modelPatches) this.warnUnmatched("models", name, patch);
    for (const [name, patch] of this.seedPatches) this.warnUnmatched("seeds", name, patch);
    for (const file of this.files.genericTests) {
      this.customTests.set(stem(file.path), { file, ast: this.parse(file) });
    }
    this.resolveDependencies();
    this.addYmlTests(propertyFiles);
    for (const file of this.files.singularTests) this.addSingularTest(file);
    const parentMap: Record<string, string[]> = {};
    for (const id of Object.keys(this.sources)) parentMap[id] = [];
    for (const [id, node] of Object.entries(this.nodes)) parentMap[id] = [...node.depends_on.nodes];
    const childMap = buildChildMap(parentMap);
    this.checkCycles(childMap);
    const manifest: Manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      metadata: {
        floe_version: this.options.floeVersion ?? "0.1.0",
        generated_at: this.options.generatedAt ?? new Date(0).toISOString(),
        project_name: this.projectName,
        target_name: this.options.target.name,
        adapter_type: "trino",
      },
      nodes: this.nodes,
      sources: this.sources,
      macros: Object.fromEntries([...this.macros.values()].map((m) => [m.node.unique_id, m.node])),
      parent_map: parentMap,
      child_map: childMap,
    };
    return {
      root: this.files.root,
      manifest,
      target: this.options.target,
      targetPath: this.targetPath,
      vars: this.vars,
      env: this.options.env,
      environment,
      templates: this.templates,
      warnings: this.warnings,
    };
  }

  private parse(file: SourceText): Program {
    return this.options.parsedTemplates?.get(file.hash) ?? parseTemplate(file.text, file.path);
  }

  // ---- macros -------------------------------------------------------------------------------------------

  private loadMacros(): void {
    for (const file of this.files.macros) {
      const name = stem(file.path);
      const existing = this.macros.get(name);
      if (existing) {
        throw new ConfigError(`two macros are named '${name}': ${existing.file.path} and ${file.path}.`, {
          location: { file: file.path },
          hint: "rename one of the files: a macro's name is its file name.",
        });
      }
      const ast = this.parse(file);
      const deps = templateDependencies(ast);
      this.macros.set(name, {
        file,
        ast,
        partials: deps.partials,
        refs: deps.refs.map((r) => ({ name: r.name, file: file.path, ...(r.loc ? { loc: r.loc } : {}) })),
        sources: deps.sources.map((s) => ({ ...s, file: file.path })),
        node: {
          unique_id: `macro.${this.projectName}.${name}`,
          resource_type: "macro",
          name,
          package_name: this.projectName,
          original_file_path: file.path,
          checksum: { name: "sha256", checksum: file.hash },
          fingerprint: bodyFingerprint(file.text),
          depends_on: {
            macros: [...new Set(deps.partials.map((p) => `macro.${this.projectName}.${p.name}`))].sort(),
          },
        },
      });
    }
  }

  /** Every macro reachable from the partial calls, checked to exist. */
  private macroClosure(
    partials: readonly { name: string; loc?: SourceLocation }[],
    file: string,
  ): Set<string> {
    const out = new Set<string>();
    for (const partial of partials) {
      if (partial.name.startsWith("@")) continue;
      const macro = this.macros.get(partial.name);
      if (!macro) {
        const suggestion = closestName(partial.name, this.macros.keys());
        throw new ConfigError(`unknown macro '${partial.name}' in {{> ${partial.name}}}.`, {
          location: location(file, partial.loc),
          hint: suggestion
            ? `did you mean '${suggestion}'?`
            : `create macros/${partial.name}.sql (each file under macros/ is a partial named by its file stem).`,
        });
      }
      out.add(partial.name);
      let closure = this.macroClosures.get(partial.name);
      if (!closure) {
        this.macroClosures.set(partial.name, new Set()); // recursion guard
        closure = this.macroClosure(macro.partials, macro.file.path);
        this.macroClosures.set(partial.name, closure);
      }
      for (const name of closure) out.add(name);
    }
    return out;
  }

  // ---- property files and sources -----------------------------------------------------------------------

  private loadPropertyFiles(): { file: SourceText; content: PropertyFile }[] {
    const out: { file: SourceText; content: PropertyFile }[] = [];
    for (const file of this.files.propertyFiles) {
      const raw = this.options.parsedYaml?.has(file.hash)
        ? this.options.parsedYaml.get(file.hash)
        : parseYaml(file.text, file.path);
      if (raw === null || raw === undefined) {
        this.warnings.push(`${file.path} is empty; it was skipped.`);
        continue;
      }
      const content = validateYaml(propertyFileSchema, raw, file.path, file.text, (path) => {
        const top = path[0];
        return top === "models" || top === "seeds" || top === "sources"
          ? `see dbt's property file format: ${String(top)}: [{name: ..., columns: [...]}].`
          : "a property file has version: 2 and models:, seeds: or sources: lists.";
      });
      for (const [kind, patches] of [
        ["models", this.modelPatches],
        ["seeds", this.seedPatches],
      ] as const) {
        (content[kind] ?? []).forEach((entry, index) => {
          const existing = patches.get(entry.name);
          if (existing) {
            throw yamlError(
              file.path,
              file.text,
              [kind, index, "name"],
              `'${entry.name}' is described twice: in ${existing.file.path} and ${file.path}`,
              `keep one ${kind}: entry for '${entry.name}'.`,
            );
          }
          patches.set(entry.name, { entry, file, path: [kind, index] });
        });
      }
      out.push({ file, content });
    }
    return out;
  }

  private warnUnmatched(kind: "models" | "seeds", name: string, patch: Patch): void {
    const id = this.nameIndex.get(name)?.id;
    if (id && this.nodes[id]?.resource_type === (kind === "models" ? "model" : "seed")) return;
    const candidates = [...this.nameIndex.keys()];
    const suggestion = closestName(name, candidates);
    this.warnings.push(
      `${patch.file.path}: ${kind}: entry '${name}' matches no ${kind === "models" ? "model" : "seed"} file${suggestion ? ` (did you mean '${suggestion}'?)` : ""}.`,
    );
  }

  private loadSources(propertyFiles: readonly { file: SourceText; content: PropertyFile }[]): void {
    for (const { file, content } of propertyFiles) {
      (content.sources ?? []).forEach((source, sourceIndex) => {
        source.tables.forEach((table, tableIndex) => {
          const id = `source.${this.projectName}.${source.name}.${table.name}`;
          const existing = this.sources[id];
          if (existing) {
            throw yamlError(
              file.path,
              file.text,
              ["sources", sourceIndex, "tables", tableIndex, "name"],
              `source table '${source.name}.${table.name}' is declared twice (also in ${existing.original_file_path})`,
              "keep one declaration of each source table.",
            );
          }
          const relation: Relation = {
            catalog: source.catalog ?? source.database ?? this.options.target.catalog,
            schema: source.schema ?? source.name,
            identifier: table.identifier ?? table.name,
          };
          const tags = [...new Set([...(source.tags ?? [])])];
          const loadedAt = table.loaded_at_field ?? source.loaded_at_field;
          const freshness = table.freshness === undefined ? source.freshness : table.freshness;
          this.sources[id] = {
            unique_id: id,
            resource_type: "source",
            name: `${source.name}.${table.name}`,
            source_name: source.name,
            table_name: table.name,
            package_name: this.projectName,
            original_file_path: file.path,
            path: file.path,
            fqn: [this.projectName, ...folders(relativeTo(file)), source.name, table.name],
            description: table.description ?? "",
            relation,
            ...(loadedAt === undefined ? {} : { loaded_at_field: loadedAt }),
            ...(freshness === undefined || freshness === null ? {} : { freshness }),
            columns: columnsOf(table.columns),
            tags,
            config: { enabled: true, tags, meta: {} },
            fingerprint: {
              body: shortHash(stableStringify({ relation, loadedAt, freshness })),
              config: shortHash("{}"),
              macros: shortHash(""),
              yml: shortHash(stableStringify(table)),
            },
          };
        });
      });
    }
  }

  // ---- models and seeds ---------------------------------------------------------------------------------

  private registerName(name: string, id: string, file: string): void {
    const existing = this.nameIndex.get(name);
    if (existing) {
      throw new ConfigError(`two resources are named '${name}': ${existing.file} and ${file}.`, {
        location: { file },
        hint: "rename one of them: model and seed names must be unique across the project ({{ref}} uses them).",
      });
    }
    this.nameIndex.set(name, { id, file });
  }

  private ymlLayer(patch: Patch | undefined): ConfigLayer[] {
    if (!patch?.entry.config) return [];
    const result = configLayerSchema.safeParse(patch.entry.config);
    if (!result.success) {
      const issue = result.error.issues[0];
      const key = issue?.path[0];
      throw yamlError(
        patch.file.path,
        patch.file.text,
        [...patch.path, "config", ...(issue?.path ?? [])],
        issue?.message ?? "invalid config",
        configHint(typeof key === "string" ? key : undefined),
      );
    }
    return [result.data];
  }

  private templateLayers(
    ast: Program,
    file: string,
    configs = templateDependencies(ast).configs,
  ): ConfigLayer[] {
    return readConfigCalls(configs, file, { vars: this.vars, env: this.options.env }).map((call) => {
      // Thousands of models share a handful of distinct {{config}} calls: validate each distinct one once.
      const key = stableStringify(call.values);
      const cached = this.layerCache.get(key);
      if (cached) return cached;
      const result = configLayerSchema.safeParse(call.values);
      if (result.success) this.layerCache.set(key, result.data);
      if (!result.success) {
        const issue = result.error.issues[0];
        const key = issue?.path[0];
        throw new ConfigError(`{{config}}: ${issue?.message ?? "invalid value"}.`, {
          location: { file, line: call.line, column: call.column },
          hint: configHint(typeof key === "string" ? key : undefined),
        });
      }
      return result.data;
    });
  }

  private relation(name: string, config: { schema?: string; alias?: string; catalog?: string }): Relation {
    const target = this.options.target;
    return {
      catalog: config.catalog ?? target.catalog,
      schema: config.schema ? `${target.schema}_${config.schema}` : target.schema,
      identifier: config.alias ?? name,
    };
  }

  private addModel(file: SourceText): void {
    const relative = relativeTo(file);
    const name = stem(file.path);
    const id = `model.${this.projectName}.${name}`;
    const ast = this.parse(file);
    const deps = templateDependencies(ast);
    const patch = this.modelPatches.get(name);
    const layers = [
      ...this.modelTree.layers([...folders(relative), name]),
      ...this.ymlLayer(patch),
      ...this.templateLayers(ast, file.path, deps.configs),
    ];
    const config = toModelConfig(mergeLayers(layers));
    if (!config.enabled) return;
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
    this.registerName(name, id, file.path);
    const macroNames = this.macroClosure(deps.partials, file.path);
    this.pendingRefs.set(id, this.staticReferences(deps, file.path, macroNames));
    const macroIds = [...macroNames].map((m) => `macro.${this.projectName}.${m}`).sort();
    const node: ModelNode = {
      unique_id: id,
      resource_type: "model",
      name,
      package_name: this.projectName,
      original_file_path: file.path,
      path: relative,
      fqn: [this.projectName, ...folders(relative), name],
      checksum: { name: "sha256", checksum: file.hash },
      fingerprint: this.fingerprint(file.text, config, macroNames, patch),
      description: patch?.entry.description ?? "",
      tags: config.tags,
      depends_on: { nodes: [], macros: macroIds },
      ...(patch ? { patch_path: patch.file.path } : {}),
      config,
      relation: this.relation(name, config),
      columns: columnsOf(patch?.entry.columns),
      compiled_path: `${this.targetPath}/compiled/${this.projectName}/${file.path}`,
    };
    this.nodes[id] = node;
    this.templates.set(id, { kind: "template", file: file.path, ast });
  }

  /** The template's literal refs and sources plus those of every macro it uses. */
  private staticReferences(
    deps: TemplateDependencies,
    file: string,
    macroNames: Iterable<string>,
  ): { refs: StaticRef[]; sources: StaticSource[] } {
    const refs: StaticRef[] = deps.refs.map((r) => ({
      name: r.name,
      file,
      ...(r.loc ? { loc: r.loc } : {}),
    }));
    const sources: StaticSource[] = deps.sources.map((s) => ({ ...s, file }));
    for (const macro of macroNames) {
      refs.push(...(this.macros.get(macro)?.refs ?? []));
      sources.push(...(this.macros.get(macro)?.sources ?? []));
    }
    return { refs, sources };
  }

  private fingerprint(
    text: string,
    config: unknown,
    macros: Iterable<string>,
    patch: Patch | undefined,
  ): Fingerprint {
    const macroPrints = [...macros]
      .sort()
      .map((m) => `${m}:${this.macros.get(m)?.node.fingerprint ?? ""}`)
      .join(",");
    return {
      body: bodyFingerprint(text),
      config: shortHash(stableStringify(config)),
      macros: shortHash(macroPrints),
      yml: shortHash(patch ? stableStringify(patch.entry) : ""),
    };
  }

  private addSeed(file: (typeof this.files.seeds)[number]): void {
    const relative = relativeTo(file);
    const name = stem(file.path);
    const id = `seed.${this.projectName}.${name}`;
    const patch = this.seedPatches.get(name);
    const config = toSeedConfig(
      mergeLayers([...this.seedTree.layers([...folders(relative), name]), ...this.ymlLayer(patch)]),
    );
    if (!config.enabled) return;
    this.registerName(name, id, file.path);
    const columns = columnsOf(patch?.entry.columns);
    for (const column of file.columns) {
      if (!columns[column]) columns[column] = { name: column, description: "", meta: {}, tags: [] };
    }
    const node: SeedNode = {
      unique_id: id,
      resource_type: "seed",
      name,
      package_name: this.projectName,
      original_file_path: file.path,
      path: relative,
      fqn: [this.projectName, ...folders(relative), name],
      checksum: { name: "sha256", checksum: file.hash },
      fingerprint: {
        body: file.hash,
        config: shortHash(stableStringify(config)),
        macros: shortHash(""),
        yml: shortHash(patch ? stableStringify(patch.entry) : ""),
      },
      description: patch?.entry.description ?? "",
      tags: config.tags,
      depends_on: { nodes: [], macros: [] },
      ...(patch ? { patch_path: patch.file.path } : {}),
      config,
      relation: this.relation(name, config),
      columns,
    };
    this.nodes[id] = node;
  }

  // ---- references ---------------------------------------------------------------------------------------

  private resolveRef(ref: StaticRef, from: string): string {
    const found = this.nameIndex.get(ref.name);
    if (found) return found.id;
    const suggestion = closestName(ref.name, this.nameIndex.keys());
    throw new ConfigError(`'${from}' refers to '${ref.name}', which is not a model or seed.`, {
      location: location(ref.file, ref.loc),
      hint: suggestion
        ? `did you mean {{ref "${suggestion}"}}?`
        : `create models/${ref.name}.sql or seeds/${ref.name}.csv, or fix the name.`,
    });
  }

  private resolveSource(ref: StaticSource, from: string): string {
    const id = `source.${this.projectName}.${ref.source}.${ref.table}`;
    if (this.sources[id]) return id;
    const names = Object.values(this.sources).map((s) => s.name);
    const suggestion = closestName(`${ref.source}.${ref.table}`, names);
    throw new ConfigError(`'${from}' uses source '${ref.source}.${ref.table}', which is not declared.`, {
      location: location(ref.file, ref.loc),
      hint: suggestion
        ? `did you mean {{source "${suggestion.split(".")[0]}" "${suggestion.split(".").slice(1).join(".")}"}}?`
        : `declare it in a .yml file: sources: [{name: ${ref.source}, tables: [{name: ${ref.table}}]}].`,
    });
  }

  private resolveDependencies(): void {
    for (const [id, pending] of this.pendingRefs) {
      const node = this.nodes[id];
      if (!node) continue;
      const parents = new Set<string>();
      for (const source of pending.sources) parents.add(this.resolveSource(source, node.name));
      for (const ref of pending.refs) parents.add(this.resolveRef(ref, node.name));
      (node.depends_on as { nodes: readonly string[] }).nodes = [...parents].sort();
    }
    this.pendingRefs.clear();
  }

  private checkCycles(childMap: Readonly<Record<string, readonly string[]>>): void {
    if (isAcyclic(childMap)) return;
    const cycle = findCycle(Object.keys(childMap), (id) => childMap[id] ?? []);
    if (!cycle) return;
    const names = cycle.map((id) => this.nodes[id]?.name ?? id);
    const first = this.nodes[cycle[0] ?? ""];
    const files = [...new Set(cycle.map((id) => this.nodes[id]?.original_file_path).filter(Boolean))];
    throw new ConfigError(
      `models depend on each other in a cycle: ${names.join(" → ")} (each feeds the next; files: ${files.join(", ")}).`,
      {
        location: { file: first?.original_file_path ?? "" },
        hint: "remove one of these refs so the graph has no cycle (an incremental model reads itself with {{this}}, not ref).",
      },
    );
  }

  // ---- tests --------------------------------------------------------------------------------------------

  private addYmlTests(propertyFiles: readonly { file: SourceText; content: PropertyFile }[]): void {
    const customTests = new Set(this.customTests.keys());
    for (const { file, content } of propertyFiles) {
      for (const kind of ["models", "seeds"] as const) {
        (content[kind] ?? []).forEach((entry, index) => {
          const found = this.nameIndex.get(entry.name);
          const attached = found ? this.nodes[found.id] : undefined;
          if (!attached || attached.resource_type !== (kind === "models" ? "model" : "seed")) return;
          const target: TestTarget = { kind: kind === "models" ? "model" : "seed", label: entry.name };
          this.addTestsOf(entry, [kind, index], file, target, attached.unique_id, customTests);
        });
      }
      (content.sources ?? []).forEach((source, sourceIndex) => {
        source.tables.forEach((table, tableIndex) => {
          const id = `source.${this.projectName}.${source.name}.${table.name}`;
          const target: TestTarget = { kind: "source", label: `${source.name}_${table.name}` };
          this.addTestsOf(
            table,
            ["sources", sourceIndex, "tables", tableIndex],
            file,
            target,
            id,
            customTests,
          );
        });
      });
    }
  }

  private addTestsOf(
    entry: { tests?: TestEntry[]; data_tests?: TestEntry[]; columns?: ColumnEntry[] },
    path: readonly PropertyKey[],
    file: SourceText,
    target: TestTarget,
    attachedId: string,
    customTests: ReadonlySet<string>,
  ): void {
    const add = (
      tests: TestEntry[] | undefined,
      key: string,
      testPath: readonly PropertyKey[],
      column?: string,
    ) => {
      (tests ?? []).forEach((test, i) => {
        const spec = parseTestEntry(test, {
          file: file.path,
          text: file.text,
          yamlPath: [...testPath, key, i],
          target,
          ...(column === undefined ? {} : { column }),
          customTests,
        });
        this.addGenericTest(spec, file, attachedId);
      });
    };
    add(entry.tests, "tests", path);
    add(entry.data_tests, "data_tests", path);
    (entry.columns ?? []).forEach((column, i) => {
      add(column.tests, "tests", [...path, "columns", i], column.name);
      add(column.data_tests, "data_tests", [...path, "columns", i], column.name);
    });
  }

  private checkTestName(name: string, file: string): void {
    const existing = this.testNames.get(name);
    if (existing !== undefined) throw duplicateTestError(name, file, existing);
    this.testNames.set(name, file);
  }

  private addGenericTest(spec: GenericTestSpec, file: SourceText, attachedId: string): void {
    const config = toTestConfig(mergeLayers([...this.testTree.layers([spec.name]), spec.config]));
    if (!config.enabled) return;
    this.checkTestName(spec.name, file.path);
    const id = `test.${this.projectName}.${spec.name}`;
    const parents = new Set<string>([attachedId]);
    if (spec.testName === "relationships") {
      parents.add(this.relationshipTarget(String(spec.kwargs.to), spec, file));
    }
    const custom = this.customTests.get(spec.testName);
    const macroNames = new Set<string>();
    if (custom) {
      const deps = templateDependencies(custom.ast);
      for (const m of this.macroClosure(deps.partials, custom.file.path)) macroNames.add(m);
      for (const r of deps.refs)
        parents.add(
          this.resolveRef(
            { name: r.name, file: custom.file.path, ...(r.loc ? { loc: r.loc } : {}) },
            spec.name,
          ),
        );
    }
    const definition = stableStringify({ test: spec.testName, kwargs: spec.kwargs, column: spec.column });
    const definitionHash = shortHash(definition);
    const node: TestNode = {
      unique_id: id,
      resource_type: "test",
      name: spec.name,
      package_name: this.projectName,
      original_file_path: file.path,
      path: `${spec.name}.sql`,
      fqn: [this.projectName, ...folders(relativeTo(file)), spec.name],
      checksum: { name: "sha256", checksum: sha256(definition) },
      fingerprint: {
        body: custom ? shortHash(definition + bodyFingerprint(custom.file.text)) : definitionHash,
        config: shortHash(stableStringify(config)),
        macros: shortHash([...macroNames].sort().join(",")),
        yml: definitionHash,
      },
      description: "",
      tags: config.tags,
      depends_on: {
        nodes: [...parents].sort(),
        macros: [...macroNames].map((m) => `macro.${this.projectName}.${m}`),
      },
      config,
      test_metadata: { name: spec.testName, kwargs: spec.kwargs },
      attached_node: attachedId,
      ...(spec.column === undefined ? {} : { column_name: spec.column }),
      store_failures_relation: this.storeFailuresRelation(spec.name, config.schema),
      compiled_path: `${this.targetPath}/compiled/${this.projectName}/${file.path}/${spec.name}.sql`,
    };
    this.nodes[id] = node;
    this.templates.set(
      id,
      custom ? { kind: "custom-test", file: custom.file.path, ast: custom.ast } : { kind: "builtin-test" },
    );
    if (!BUILTIN_TESTS[spec.testName] && !custom) throw new Error(`unreachable: test ${spec.testName}`);
  }

  private storeFailuresRelation(name: string, schema: string | undefined): Relation {
    const target = this.options.target;
    return {
      catalog: target.catalog,
      schema: `${target.schema}_${schema ?? "floe_test__audit"}`,
      identifier: name,
    };
  }

  /** `to: stg_customers`, `to: ref('stg_customers')` or `to: source('shop', 'customers')`. */
  private relationshipTarget(to: string, spec: GenericTestSpec, file: SourceText): string {
    const parsed = parseRelationshipTarget(to);
    if (parsed.kind === "source") {
      const id = `source.${this.projectName}.${parsed.source}.${parsed.table}`;
      if (this.sources[id]) return id;
    } else {
      const found = this.nameIndex.get(parsed.name);
      if (found) return found.id;
    }
    const wanted = parsed.kind === "source" ? `${parsed.source}.${parsed.table}` : parsed.name;
    const candidates =
      parsed.kind === "source" ? Object.values(this.sources).map((s) => s.name) : [...this.nameIndex.keys()];
    const suggestion = closestName(wanted, candidates);
    throw yamlError(
      file.path,
      file.text,
      [...spec.yamlPath, "to"],
      `relationships test: '${wanted}' is not a ${parsed.kind === "source" ? "declared source" : "model or seed"}`,
      suggestion
        ? `did you mean '${suggestion}'?`
        : "point to: at an existing model, e.g. to: ref('stg_customers').",
    );
  }

  private addSingularTest(file: SourceText): void {
    const name = stem(file.path);
    const ast = this.parse(file);
    const deps = templateDependencies(ast);
    const config = toTestConfig(
      mergeLayers([
        ...this.testTree.layers([...folders(relativeTo(file)), name]),
        ...this.templateLayers(ast, file.path, deps.configs),
      ]),
    );
    if (!config.enabled) return;
    this.checkTestName(name, file.path);
    const id = `test.${this.projectName}.${name}`;
    const macroNames = this.macroClosure(deps.partials, file.path);
    const parents = new Set<string>();
    const { refs, sources } = this.staticReferences(deps, file.path, macroNames);
    for (const s of sources) parents.add(this.resolveSource(s, name));
    for (const r of refs) parents.add(this.resolveRef(r, name));
    const relative = relativeTo(file);
    const node: TestNode = {
      unique_id: id,
      resource_type: "test",
      name,
      package_name: this.projectName,
      original_file_path: file.path,
      path: relative,
      fqn: [this.projectName, ...folders(relative), name],
      checksum: { name: "sha256", checksum: file.hash },
      fingerprint: this.fingerprint(file.text, config, macroNames, undefined),
      description: "",
      tags: config.tags,
      depends_on: {
        nodes: [...parents].sort(),
        macros: [...macroNames].map((m) => `macro.${this.projectName}.${m}`).sort(),
      },
      config,
      store_failures_relation: this.storeFailuresRelation(name, config.schema),
      compiled_path: `${this.targetPath}/compiled/${this.projectName}/${file.path}`,
    };
    this.nodes[id] = node;
    this.templates.set(id, { kind: "template", file: file.path, ast });
  }
}

/** Kahn's algorithm: cheap, and only when it fails do we search for the cycle to print. */
function isAcyclic(childMap: Readonly<Record<string, readonly string[]>>): boolean {
  const indegree = new Map<string, number>();
  for (const id of Object.keys(childMap)) indegree.set(id, indegree.get(id) ?? 0);
  for (const children of Object.values(childMap)) {
    for (const child of children) indegree.set(child, (indegree.get(child) ?? 0) + 1);
  }
  const ready = [...indegree].filter(([, n]) => n === 0).map(([id]) => id);
  let visited = 0;
  while (ready.length > 0) {
    const id = ready.pop() as string;
    visited++;
    for (const child of childMap[id] ?? []) {
      const left = (indegree.get(child) ?? 0) - 1;
      indegree.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  return visited === indegree.size;
}

export type RelationshipTarget =
  | { readonly kind: "ref"; readonly name: string }
  | { readonly kind: "source"; readonly source: string; readonly table: string };

export function parseRelationshipTarget(to: string): RelationshipTarget {
  const text = to.trim();
  const ref = /^ref\(\s*['"]([^'"]+)['"]\s*\)$/.exec(text);
  if (ref) return { kind: "ref", name: ref[1] ?? "" };
  const source = /^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/.exec(text);
  if (source) return { kind: "source", source: source[1] ?? "", table: source[2] ?? "" };
  return { kind: "ref", name: text };
}

function columnsOf(columns: readonly ColumnEntry[] | undefined): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const column of columns ?? []) {
    out[column.name] = {
      name: column.name,
      description: column.description ?? "",
      ...(column.data_type === undefined ? {} : { data_type: column.data_type }),
      meta: column.meta ?? {},
      tags: column.tags ?? [],
    };
  }
  return out;
}
