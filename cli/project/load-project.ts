import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { ConfigError } from "../../core/errors.js";
import { loadInstalledPackages } from "./load-packages.js";
import { PROFILES_FILE } from "./profiles.js";
import type { ProjectFiles } from "./project-files.js";
import { PROJECT_FILE, type ProjectConfig, parseProjectFile } from "./project-schema.js";
import { emptyResources, readResources, readTextFile } from "./read-resources.js";

export { readTextFile };

export function findProjectDir(projectDir: string | undefined, cwd: string): string {
  return resolve(cwd, projectDir ?? ".");
}

/** floe_project.yml of the project in `root`: its text, hash and validated config. */
export function readProjectFile(root: string): { text: string; hash: string; config: ProjectConfig } {
  const projectPath = join(root, PROJECT_FILE);
  if (!existsSync(projectPath)) {
    throw new ConfigError(`no ${PROJECT_FILE} in ${root}.`, {
      location: { file: PROJECT_FILE },
      hint: "run floe from a Floe project, pass --project-dir <dir>, or create one with `floe init <dir>`.",
    });
  }
  const { text, hash } = readTextFile(projectPath, PROJECT_FILE, { allowEmpty: true });
  return { text, hash, config: parseProjectFile(text, PROJECT_FILE) };
}

/** `targetPath`: `--target-path`, which overrides floe_project.yml's `target-path`. */
export function loadProjectFiles(projectDir: string, targetPath?: string): ProjectFiles {
  const root = resolve(projectDir);
  const fromFile = readProjectFile(root);
  const { text, hash } = fromFile;
  const config =
    targetPath === undefined ? fromFile.config : { ...fromFile.config, "target-path": targetPath };
  const warnings: string[] = [];
  const files = emptyResources();
  readResources(root, "", config, undefined, files, warnings);
  const packages = loadInstalledPackages(root, config, files, warnings);
  return {
    root,
    project: { path: PROJECT_FILE, text, hash, base: "" },
    config,
    ...files,
    ...(packages.length > 0 ? { packages } : {}),
    warnings,
  };
}

/** profiles.yml: `--profiles-dir`, then $FLOE_PROFILES_DIR, then the project directory, then ~/.floe/. */
export function loadProfilesFile(
  projectDir: string,
  profilesDir: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): { path: string; text: string } {
  const candidates = profilesDir
    ? [resolve(profilesDir)]
    : [env.FLOE_PROFILES_DIR, projectDir, join(home, ".floe")].filter(
        (d): d is string => d !== undefined && d !== "",
      );
  for (const dir of candidates) {
    const file = join(dir, PROFILES_FILE);
    if (existsSync(file)) {
      const display = relative(projectDir, file).startsWith("..") ? file : relative(projectDir, file);
      return { path: display, text: readTextFile(file, display, { allowEmpty: true }).text };
    }
  }
  throw new ConfigError(`no ${PROFILES_FILE} found (looked in ${candidates.join(", ")}).`, {
    location: { file: PROFILES_FILE },
    hint: `create ${PROFILES_FILE} in the project or ~/.floe/, or pass --profiles-dir <dir>.`,
  });
}
