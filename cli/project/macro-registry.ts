import { closestName } from "../../core/closest-name.js";
import { ConfigError } from "../../core/errors.js";
import type { MacroNode } from "../manifest/manifest.js";
import type { Program, SourceLocation } from "../templating/ast.js";
import { templateDependencies } from "../templating/dependencies.js";
import { bodyFingerprint } from "./hashing.js";
import { location, stem } from "./node-paths.js";
import type { SourceText } from "./project-files.js";

/**
 * The project's macros (`macros/*.sql`, each a Handlebars partial named by its file stem): their manifest
 * nodes, and which macros a template reaches through its partial calls.
 */
export interface StaticRef {
  readonly name: string;
  readonly version?: number;
  readonly file: string;
  readonly loc?: SourceLocation;
}

export interface StaticSource {
  readonly source: string;
  readonly table: string;
  readonly file: string;
  readonly loc?: SourceLocation;
}

export interface MacroInfo {
  readonly file: SourceText;
  readonly ast: Program;
  readonly node: MacroNode;
  readonly partials: readonly { name: string; loc?: SourceLocation }[];
  readonly refs: readonly StaticRef[];
  readonly sources: readonly StaticSource[];
}

/** What a set of used macros contributes to a model: shared by every model that uses the same set. */
export interface MacroUse {
  /** `macro.<project>.<name>`, sorted. */
  readonly ids: readonly string[];
  /** `name:fingerprint,...` of the sorted names, the input of the model's `fingerprint.macros`. */
  readonly prints: string;
}

export class MacroRegistry {
  /** By the name templates call them with: `name` (root project), `<package>/name` (and `name` when free). */
  private readonly macros = new Map<string, MacroInfo>();
  private readonly closures = new Map<string, ReadonlySet<string>>();
  private readonly uses = new Map<string, MacroUse>();

  /** `unaliased`: packages whose macros are called only with their prefix (Floe's bundled library). */
  constructor(
    private readonly projectName: string,
    private readonly unaliased: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * Root-project macros are called by their file stem; a package's as `{{> <package>/<name>}}`, and also
   * by the bare name when neither the root project nor an earlier package has a macro of that name (so a
   * package's own macros call each other as they do when it is built on its own).
   */
  load(files: readonly SourceText[], parse: (file: SourceText) => Program): void {
    const aliases: [string, MacroInfo][] = [];
    for (const file of files) {
      const name = stem(file.path);
      const pkg = file.package ?? this.projectName;
      const callName = file.package === undefined ? name : `${file.package}/${name}`;
      const existing = this.macros.get(callName);
      if (existing) {
        throw new ConfigError(`two macros are named '${callName}': ${existing.file.path} and ${file.path}.`, {
          location: { file: file.path },
          hint: "rename one of the files: a macro's name is its file name.",
        });
      }
      const ast = parse(file);
      const deps = templateDependencies(ast);
      const info: MacroInfo = {
        file,
        ast,
        partials: deps.partials,
        refs: deps.refs.map((r) => ({ name: r.name, file: file.path, ...(r.loc ? { loc: r.loc } : {}) })),
        sources: deps.sources.map((s) => ({ ...s, file: file.path })),
        node: {
          unique_id: `macro.${pkg}.${name}`,
          resource_type: "macro",
          name,
          package_name: pkg,
          original_file_path: file.path,
          checksum: { name: "sha256", checksum: file.hash },
          fingerprint: bodyFingerprint(file.text),
          depends_on: { macros: [] },
        },
      };
      this.macros.set(callName, info);
      if (file.package !== undefined && !this.unaliased.has(file.package)) aliases.push([name, info]);
    }
    for (const [name, info] of aliases) if (!this.macros.has(name)) this.macros.set(name, info);
    for (const info of this.values()) {
      const ids = info.partials.flatMap((p) => {
        const target = this.macros.get(p.name);
        return target ? [target.node.unique_id] : [];
      });
      (info.node.depends_on as { macros: readonly string[] }).macros = [...new Set(ids)].sort();
    }
  }

  /** Every macro once, whatever number of names it is called by. */
  values(): IterableIterator<MacroInfo> {
    return new Set(this.macros.values()).values();
  }

  /** Call name → macro, aliases included: the partials a template environment registers. */
  entries(): IterableIterator<[string, MacroInfo]> {
    return this.macros.entries();
  }

  get(name: string): MacroInfo | undefined {
    return this.macros.get(name);
  }

  /** Every macro reachable from the partial calls, checked to exist. */
  closure(partials: readonly { name: string; loc?: SourceLocation }[], file: string): Set<string> {
    const out = new Set<string>();
    for (const partial of partials) {
      if (partial.name.startsWith("@")) continue;
      const macro = this.macros.get(partial.name);
      if (!macro) throw this.unknownMacro(partial.name, location(file, partial.loc));
      out.add(partial.name);
      let closure = this.closures.get(partial.name);
      if (!closure) {
        this.closures.set(partial.name, new Set()); // recursion guard
        closure = this.closure(macro.partials, macro.file.path);
        this.closures.set(partial.name, closure);
      }
      for (const name of closure) out.add(name);
    }
    return out;
  }

  /** "unknown macro", with the closest name: within the package for `<package>/<name>`. */
  private unknownMacro(name: string, at: ReturnType<typeof location>): ConfigError {
    const slash = name.indexOf("/");
    const prefix = slash > 0 ? name.slice(0, slash + 1) : "";
    const names = [...this.macros.keys()].filter((k) => prefix === "" || k.startsWith(prefix));
    const closest = closestName(
      name.slice(prefix.length),
      names.map((k) => k.slice(prefix.length)),
    );
    const hint =
      closest !== undefined
        ? `did you mean '${prefix}${closest}'?`
        : prefix !== "" && names.length > 0
          ? `${prefix.slice(0, -1)}'s macros are ${names.join(", ")}.`
          : `create macros/${name}.sql (each file under macros/ is a partial named by its file stem).`;
    return new ConfigError(`unknown macro '${name}' in {{> ${name}}}.`, { location: at, hint });
  }

  /** The ids and fingerprint input of a set of macros, computed once per distinct set. */
  use(names: ReadonlySet<string>): MacroUse {
    const sorted = [...names].sort();
    const key = sorted.join(",");
    let use = this.uses.get(key);
    if (!use) {
      use = {
        ids: [
          ...new Set(
            sorted.map((m) => this.macros.get(m)?.node.unique_id ?? `macro.${this.projectName}.${m}`),
          ),
        ].sort(),
        prints: sorted.map((m) => `${m}:${this.macros.get(m)?.node.fingerprint ?? ""}`).join(","),
      };
      this.uses.set(key, use);
    }
    return use;
  }
}
