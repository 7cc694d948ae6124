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
  /** The installed package the file belongs to (its project's name); absent for the root project's files. */
  readonly package?: string;
}

export interface SeedFile {
  readonly path: string;
  readonly hash: string;
  readonly base: string;
  /** The CSV header's column names. */
  readonly columns: readonly string[];
  readonly package?: string;
}

/** An installed package (`floe deps`): a Floe project of its own under the packages install path. */
export interface PackageProject {
  readonly name: string;
  /** Its folder, relative to the root project (`floe_packages/utils`). */
  readonly dir: string;
  readonly project: SourceText;
  readonly config: ProjectConfig;
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
  /** Installed packages, in packages.yml order; their files are in the lists above, marked `package`. */
  readonly packages?: readonly PackageProject[];
  /** `snapshots/*.sql` (the snapshot paths' yml files are among `propertyFiles`). */
  readonly snapshots?: readonly SourceText[];
  /** What reading skipped and why (a dangling or looping symlink); they join the project's warnings. */
  readonly warnings?: readonly string[];
}
