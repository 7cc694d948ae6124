import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../core/errors.js";
import { LOCK_FILE, PACKAGES_FILE, packagesHash, parseLockFile, parsePackagesFile } from "./packages-file.js";
import type { PackageProject } from "./project-files.js";
import { PROJECT_FILE, type ProjectConfig, parseProjectFile } from "./project-schema.js";
import { type ResourceFiles, readResources, readTextFile } from "./read-resources.js";

/** The fix of every "packages are not (or no longer) installed" error. */
export const RUN_DEPS = "run `floe deps` to install the packages listed in packages.yml.";

/**
 * The packages `floe deps` installed, read as part of the project: each is a Floe project under the
 * packages install path (`floe_packages/<name>/`), whose models, macros, tests and seeds join the root
 * project's files marked with the package's name. packages.yml is the truth: a lock written for another
 * packages.yml, or a package folder that is missing, stops the compile with `floe deps` as the fix,
 * rather than building with packages that are not the ones asked for.
 */
export function loadInstalledPackages(
  root: string,
  config: ProjectConfig,
  files: ResourceFiles,
  warnings: string[],
): PackageProject[] {
  const packagesPath = join(root, PACKAGES_FILE);
  if (!existsSync(packagesPath)) return [];
  const { text } = readTextFile(packagesPath, PACKAGES_FILE, { allowEmpty: true });
  const specs = parsePackagesFile(text);
  if (specs.length === 0) return [];
  const lockPath = join(root, LOCK_FILE);
  if (!existsSync(lockPath)) {
    throw new ConfigError(
      `${PACKAGES_FILE} lists ${specs.length} package${specs.length === 1 ? "" : "s"}, but they are not installed (no ${LOCK_FILE}).`,
      { location: { file: PACKAGES_FILE }, hint: RUN_DEPS },
    );
  }
  const lock = parseLockFile(readTextFile(lockPath, LOCK_FILE, { allowEmpty: true }).text);
  if (lock.sha256_hash !== packagesHash(text)) {
    throw new ConfigError(
      `${PACKAGES_FILE} changed since \`floe deps\` last ran (${LOCK_FILE} is for another list).`,
      {
        location: { file: PACKAGES_FILE },
        hint: RUN_DEPS,
      },
    );
  }
  const installPath = config["packages-install-path"];
  const out: PackageProject[] = [];
  for (const entry of lock.packages) {
    const dir = `${installPath}/${entry.name}`;
    const projectAbs = join(root, dir, PROJECT_FILE);
    if (!existsSync(projectAbs)) {
      throw new ConfigError(`package '${entry.name}' is not installed: ${dir}/${PROJECT_FILE} is missing.`, {
        location: { file: PACKAGES_FILE },
        hint: RUN_DEPS,
      });
    }
    const path = `${dir}/${PROJECT_FILE}`;
    const project = {
      path,
      base: dir,
      package: entry.name,
      ...readTextFile(projectAbs, path, { allowEmpty: true }),
    };
    const packageConfig = parseProjectFile(project.text, path);
    if (packageConfig.name !== entry.name) {
      throw new ConfigError(
        `${dir} holds project '${packageConfig.name}', but ${LOCK_FILE} installed '${entry.name}' there.`,
        { location: { file: path }, hint: RUN_DEPS },
      );
    }
    readResources(root, dir, packageConfig, entry.name, files, warnings);
    const own = join(root, dir, PACKAGES_FILE);
    if (existsSync(own) && parsePackagesFile(readTextFile(own, `${dir}/${PACKAGES_FILE}`).text).length > 0) {
      // dbt installs a package's own packages too; Floe installs one level, so say what is missing.
      warnings.push(
        `package '${entry.name}' lists packages of its own (${dir}/${PACKAGES_FILE}); Floe installs only this project's ${PACKAGES_FILE}: add the ones it needs there and run \`floe deps\`.`,
      );
    }
    out.push({ name: entry.name, dir, project, config: packageConfig });
  }
  return out;
}
