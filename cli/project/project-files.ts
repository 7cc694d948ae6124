import type { ProjectConfig } from "./project-schema.js";

/**
 * The raw inputs of a compile, as read by `load-project.ts`: file paths relative to the project root with
 * forward slashes, their text and a sha256 of their bytes. Everything after loading works on this data.
 */
export interface SourceText {
  readonly path: string;
  readonly text: string;
  readonly hash: string;
  /** The resource folder the file was found under (`models`), for node paths and fqns. */
  readonly base: string;
}

export interface SeedFile {
  readonly path: string;
  readonly hash: string;
  readonly base: string;
  /** The CSV header's column names. */
  readonly columns: readonly string[];
}

export interface ProjectFiles {
  /** The project directory (absolute), for the edges that do I/O; the core never reads it. */
  readonly root: string;
  readonly project: SourceText;
  readonly config: ProjectConfig;
  readonly models: readonly SourceText[];
  readonly macros: readonly SourceText[];
  readonly singularTests: readonly SourceText[];
  readonly genericTests: readonly SourceText[];
  readonly propertyFiles: readonly SourceText[];
  /** `.md` files under the model and seed paths: dbt's docs blocks (`docs-blocks.ts`). */
  readonly docFiles?: readonly SourceText[];
  readonly seeds: readonly SeedFile[];
  /** What reading skipped and why (a dangling or looping symlink); they join the project's warnings. */
  readonly warnings?: readonly string[];
}
