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
  private readonly macros = new Map<string, MacroInfo>();
  private readonly closures = new Map<string, ReadonlySet<string>>();
  private readonly uses = new Map<string, MacroUse>();

  constructor(private readonly projectName: string) {}

  load(files: readonly SourceText[], parse: (file: SourceText) => Program): void {
    for (const file of files) {
      const name = stem(file.path);
      const existing = this.macros.get(name);
      if (existing) {
        throw new ConfigError(`two macros are named '${name}': ${existing.file.path} and ${file.path}.`, {
          location: { file: file.path },
          hint: "rename one of the files: a macro's name is its file name.",
        });
      }
      const ast = parse(file);
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

  get(name: string): MacroInfo | undefined {
    return this.macros.get(name);
  }

  values(): IterableIterator<MacroInfo> {
    return this.macros.values();
  }

  /** Every macro reachable from the partial calls, checked to exist. */
  closure(partials: readonly { name: string; loc?: SourceLocation }[], file: string): Set<string> {
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

  /** The ids and fingerprint input of a set of macros, computed once per distinct set. */
  use(names: ReadonlySet<string>): MacroUse {
    const sorted = [...names].sort();
    const key = sorted.join(",");
    let use = this.uses.get(key);
    if (!use) {
      use = {
        ids: sorted.map((m) => `macro.${this.projectName}.${m}`),
        prints: sorted.map((m) => `${m}:${this.macros.get(m)?.node.fingerprint ?? ""}`).join(","),
      };
      this.uses.set(key, use);
    }
    return use;
  }
}
