import type { Manifest } from "../manifest/manifest.js";
import type { Program } from "../templating/ast.js";
import type { TemplateEnvironment } from "../templating/ast-render.js";
import type { TargetConfig } from "./profiles.js";

/**
 * What the project build takes and gives, apart from how it is built: every step module (build-context,
 * model-nodes, property-files, test-nodes) and every consumer can name these types without importing the
 * build itself, so the build imports its steps and never the reverse.
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
  /** floe_project.yml's `on-run-start` / `on-run-end`: SQL templates run before and after a run's nodes. */
  readonly runHooks?: { readonly onRunStart: readonly string[]; readonly onRunEnd: readonly string[] };
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
