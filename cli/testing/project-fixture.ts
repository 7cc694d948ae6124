import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  type LoadProjectOptions,
  loadProject,
  type ParsedProject,
  type TargetConfig,
} from "../compile/compile.js";

/** Test support: a throw-away project directory with the given files, plus a default project and profile. */
export const DEFAULT_PROJECT = "name: shop\nprofile: floe\n";
export const DEFAULT_PROFILES = `floe:
  target: dev
  outputs:
    dev:
      type: trino
      host: localhost
      port: 8080
      user: floe
      catalog: iceberg
      schema: analytics
    ci:
      type: trino
      host: localhost
      user: ci
      catalog: lake
      schema: ci
`;

export function writeProject(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "floe-fixture-"));
  const all: Record<string, string | Buffer> = {
    "floe_project.yml": DEFAULT_PROJECT,
    "profiles.yml": DEFAULT_PROFILES,
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

export function loadFixture(
  files: Record<string, string | Buffer>,
  options: LoadProjectOptions = {},
): ParsedProject {
  return loadProject({ env: {}, ...options, projectDir: writeProject(files) });
}

/** The FloeError a function throws, for asserting message, location and hint. */
export function errorOf(run: () => unknown): {
  code: string;
  message: string;
  hint?: string;
  location?: { file: string; line?: number; column?: number; path?: string };
} {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected an error");
}

/** A resolved profile target (the defaults a loaded profile gets), with `overrides`. */
export function testTarget(overrides: Partial<TargetConfig> = {}): TargetConfig {
  return {
    type: "trino",
    host: "127.0.0.1",
    port: 8080,
    user: "floe",
    catalog: "iceberg",
    schema: "s",
    threads: 1,
    http_scheme: "http",
    name: "dev",
    profile: "floe",
    ...overrides,
  };
}
