import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where Floe's own files live: the package root (holds trino/etc, catalog/, stack/ configs and poms). */
export function packageRoot(): string {
  // This file is stack/paths.ts in the source tree and dist/stack/paths.js when built.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "trino", "etc"))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`Cannot find the Floe package root above ${fileURLToPath(import.meta.url)}`);
}

export interface StackPaths {
  /** Floe's package root: configs and poms are read from here. */
  readonly home: string;
  /** The git-ignored stack folder: downloads, installs, data, pid files and logs. */
  readonly root: string;
  readonly downloads: string;
  readonly install: string;
  readonly data: string;
  readonly run: string;
}

/**
 * The stack folder defaults to `<package>/.floe/stack` so that every `floe` invocation of one checkout
 * talks about the same processes; `FLOE_STACK_DIR` moves it (e.g. to a bigger disk).
 */
export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const home = packageRoot();
  const root = resolve(env.FLOE_STACK_DIR ?? join(home, ".floe", "stack"));
  return {
    home,
    root,
    downloads: join(root, "downloads"),
    install: join(root, "install"),
    data: join(root, "data"),
    run: join(root, "run"),
  };
}
