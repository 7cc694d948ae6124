import type { Patch } from "./config-resolver.js";
import type { ModelVersion } from "./model-nodes.js";
import type { PropertyFiles } from "./property-files.js";
import { yamlError } from "./yaml-file.js";

/**
 * Model versions (dbt's `versions:` and `latest_version` in a model's yml): which file defines each
 * version. A version lives in `defined_in`, or `<name>_v<N>.sql` by default, as in dbt. The latest version
 * is `latest_version`, else the highest declared; `{{ref "name"}}` reads it, `{{ref "name" v=N}}` any.
 */
export interface VersionFile extends ModelVersion {
  readonly modelPatch: Patch;
  readonly file: string;
}

/** File stem → the version it defines. */
export function modelVersions(propertyFiles: PropertyFiles): Map<string, VersionFile> {
  const out = new Map<string, VersionFile>();
  for (const patch of propertyFiles.modelPatches.values()) {
    const entry = patch.entry as Patch["entry"] & {
      versions?: { v: number; defined_in?: string | undefined }[];
      latest_version?: number;
    };
    const versions = entry.versions ?? [];
    if (versions.length === 0) {
      if (entry.latest_version !== undefined) {
        throw yamlError(
          patch.file.path,
          patch.file.text,
          [...patch.path, "latest_version"],
          `'${entry.name}' has a latest_version but no versions`,
          "declare its versions: [{v: 1}, ...] or remove latest_version.",
        );
      }
      continue;
    }
    const numbers = versions.map((v) => v.v);
    const latest = entry.latest_version ?? Math.max(...numbers);
    if (!numbers.includes(latest)) {
      throw yamlError(
        patch.file.path,
        patch.file.text,
        [...patch.path, "latest_version"],
        `latest_version ${latest} of '${entry.name}' is not one of its versions (${numbers.join(", ")})`,
        `declare - v: ${latest} under versions:, or set latest_version to one of them.`,
      );
    }
    versions.forEach((version, index) => {
      const path = [...patch.path, "versions", index];
      if (numbers.indexOf(version.v) !== index) {
        throw yamlError(
          patch.file.path,
          patch.file.text,
          [...path, "v"],
          `version ${version.v} of '${entry.name}' is declared twice`,
          "declare each version once.",
        );
      }
      const file = version.defined_in ?? `${entry.name}_v${version.v}`;
      out.set(file, {
        v: version.v,
        latest,
        modelPatch: patch,
        patch: { entry: version as unknown as Patch["entry"], file: patch.file, path },
        file,
      });
    });
  }
  return out;
}

/** Every declared version must have its file. */
export function checkVersionFiles(
  versions: ReadonlyMap<string, VersionFile>,
  found: ReadonlySet<string>,
): void {
  for (const [file, version] of versions) {
    if (found.has(file)) continue;
    throw yamlError(
      version.patch.file.path,
      version.patch.file.text,
      [...version.patch.path, "v"],
      `version ${version.v} of '${version.modelPatch.entry.name}' is defined in ${file}.sql, which does not exist`,
      `create ${file}.sql under the model paths, or set defined_in: to the file (without .sql) that defines it.`,
    );
  }
}
