import { closestName } from "../../core/closest-name.js";
import { ConfigError } from "../../core/errors.js";
import type { ManifestNode, Relation, SourceNode } from "../manifest/manifest.js";
import type { Program } from "../templating/ast.js";
import { parseSimpleTemplate } from "../templating/fast-parse.js";
import { FLOE_UTILS_PACKAGE } from "../templating/floe-utils/library.js";
import { parseTemplate, parseWithHandlebars } from "../templating/parse-template.js";
import { ConfigResolver } from "./config-resolver.js";
import { MacroRegistry, type StaticRef, type StaticSource } from "./macro-registry.js";
import { folders, location, relativeTo } from "./node-paths.js";
import type { BuildOptions, NodeTemplate } from "./parsed-project.js";
import type { PackageProject, ProjectFiles, SourceText } from "./project-files.js";

/**
 * The state one `buildProject` call accumulates — nodes, sources, templates, the name index, warnings —
 * and the lookups the node builders share (refs, sources, relations). One per build; never shared.
 */
export class BuildContext {
  readonly projectName: string;
  readonly targetPath: string;
  readonly vars: Record<string, unknown>;
  readonly nodes: Record<string, ManifestNode> = {};
  readonly sources: Record<string, SourceNode> = {};
  readonly templates = new Map<string, NodeTemplate>();
  readonly warnings: string[] = [];
  readonly macros: MacroRegistry;
  readonly configs: ConfigResolver;
  private readonly nameIndex = new Map<string, { id: string; file: string }>();
  private readonly fileFolders = new Map<string, readonly string[]>();

  constructor(
    readonly files: ProjectFiles,
    readonly options: BuildOptions,
  ) {
    const config = files.config;
    this.projectName = config.name;
    this.targetPath = config["target-path"];
    this.vars = { ...config.vars, ...(options.vars ?? {}) };
    checkPackageNames(this.projectName, files.packages ?? []);
    this.macros = new MacroRegistry(this.projectName, new Set([FLOE_UTILS_PACKAGE]));
    this.configs = new ConfigResolver(files, { vars: this.vars, env: options.env });
    this.warnings.push(...(files.warnings ?? []));
  }

  /** The project a file belongs to: an installed package's name, or the root project's. */
  packageOf(file: { readonly package?: string | undefined }): string {
    return file.package ?? this.projectName;
  }

  /** `target/compiled/<package>/<path in that package>`, as dbt lays out compiled SQL. */
  compiledPath(file: { readonly path: string; readonly package?: string | undefined }): string {
    const dir =
      file.package === undefined ? undefined : this.files.packages?.find((p) => p.name === file.package)?.dir;
    const path =
      dir !== undefined && file.path.startsWith(`${dir}/`) ? file.path.slice(dir.length + 1) : file.path;
    return `${this.targetPath}/compiled/${this.packageOf(file)}/${path}`;
  }

  /** ASTs from the fast parser, which `template` does not keep (they are cheap to make again). */
  private readonly fastAsts = new WeakSet<Program>();

  parse(file: SourceText): Program {
    const given = this.options.parsedTemplates?.get(file.hash);
    if (given) return given;
    const fast = parseSimpleTemplate(file.text);
    if (!fast) return parseWithHandlebars(file.text, file.path);
    this.fastAsts.add(fast);
    return fast;
  }

  /**
   * A model's or singular test's template for rendering. One the fast parser read is parsed again when
   * rendered instead of being kept: 10,000 kept ASTs are some 400,000 objects, which every garbage
   * collection during the build would copy, while parsing one again takes a few microseconds.
   */
  template(file: SourceText, ast: Program): NodeTemplate {
    if (!this.fastAsts.has(ast)) return { kind: "template", file: file.path, ast };
    const { text, path } = file;
    return {
      kind: "template",
      file: path,
      get ast() {
        return parseTemplate(text, path);
      },
    };
  }

  /** The folders of a file below its resource folder, computed once per file (yml files hold many tests). */
  foldersOf(file: { readonly path: string; readonly base: string }): readonly string[] {
    let out = this.fileFolders.get(file.path);
    if (!out) {
      out = folders(relativeTo(file));
      this.fileFolders.set(file.path, out);
    }
    return out;
  }

  // ---- names and references -----------------------------------------------------------------------------

  /** Resources switched off by `enabled: false` (dbt keeps them out of the graph, not their yml entries). */
  readonly disabled = new Set<string>();

  registerName(name: string, id: string, file: string): void {
    const existing = this.nameIndex.get(name);
    if (existing) {
      throw new ConfigError(`two resources are named '${name}': ${existing.file} and ${file}.`, {
        location: { file },
        hint: "rename one of them: model and seed names must be unique across the project ({{ref}} uses them).",
      });
    }
    this.nameIndex.set(name, { id, file });
  }

  private readonly versionIndex = new Map<string, string>();

  /** A model version, for `{{ref "name" v=N}}`; its latest version is also registered under the plain name. */
  registerVersion(name: string, version: number, id: string): void {
    this.versionIndex.set(`${name}.v${version}`, id);
  }

  /** The unique_id of version `version` of model `name`, if declared. */
  idOfVersion(name: string, version: number): string | undefined {
    return this.versionIndex.get(`${name}.v${version}`);
  }

  /** The unique_id of the model or seed called `name`. */
  idOf(name: string): string | undefined {
    return this.nameIndex.get(name)?.id;
  }

  names(): IterableIterator<string> {
    return this.nameIndex.keys();
  }

  resolveRef(ref: StaticRef, from: string): string {
    if (ref.version !== undefined) {
      const id = this.versionIndex.get(`${ref.name}.v${ref.version}`);
      if (id) return id;
      const versions = [...this.versionIndex.keys()].filter((k) => k.startsWith(`${ref.name}.v`));
      throw new ConfigError(
        `'${from}' refers to version ${ref.version} of '${ref.name}', which is not declared.`,
        {
          location: location(ref.file, ref.loc),
          hint:
            versions.length === 0
              ? `'${ref.name}' has no versions: write {{ref "${ref.name}"}}, or declare versions: in its yml.`
              : `declared: ${versions.map((k) => `v=${k.slice(ref.name.length + 2)}`).join(", ")}.`,
        },
      );
    }
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

  /** A source table as seen from a node of package `pkg`: its own package's first, then the root's, then any. */
  resolveSource(ref: StaticSource, from: string, pkg: string = this.projectName): string {
    for (const owner of [pkg, this.projectName]) {
      const id = `source.${owner}.${ref.source}.${ref.table}`;
      if (this.sources[id]) return id;
    }
    for (const source of Object.values(this.sources)) {
      if (source.source_name === ref.source && source.table_name === ref.table) return source.unique_id;
    }
    const names = Object.values(this.sources).map((s) => s.name);
    const suggestion = closestName(`${ref.source}.${ref.table}`, names);
    throw new ConfigError(`'${from}' uses source '${ref.source}.${ref.table}', which is not declared.`, {
      location: location(ref.file, ref.loc),
      hint: suggestion
        ? `did you mean {{source "${suggestion.split(".")[0]}" "${suggestion.split(".").slice(1).join(".")}"}}?`
        : `declare it in a .yml file: sources: [{name: ${ref.source}, tables: [{name: ${ref.table}}]}].`,
    });
  }

  // ---- relations ----------------------------------------------------------------------------------------

  relation(name: string, config: { schema?: string; alias?: string; catalog?: string }): Relation {
    const target = this.options.target;
    return {
      catalog: config.catalog ?? target.catalog,
      schema: config.schema ? `${target.schema}_${config.schema}` : target.schema,
      identifier: config.alias ?? name,
    };
  }

  storeFailuresRelation(name: string, schema: string | undefined): Relation {
    const target = this.options.target;
    return {
      catalog: target.catalog,
      schema: `${target.schema}_${schema ?? "floe_test__audit"}`,
      identifier: name,
    };
  }
}

/** A package may not take the root project's name nor that of Floe's bundled library: ids would collide. */
function checkPackageNames(projectName: string, packages: readonly PackageProject[]): void {
  for (const pkg of packages) {
    if (pkg.name !== projectName && pkg.name !== FLOE_UTILS_PACKAGE) continue;
    throw new ConfigError(
      `package '${pkg.name}' (${pkg.dir}) has the same name as ${pkg.name === projectName ? "this project" : "Floe's bundled macro library"}.`,
      {
        location: { file: pkg.project.path },
        hint: "rename the package's project (name: in its floe_project.yml), then run `floe deps`.",
      },
    );
  }
}
