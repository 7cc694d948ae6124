import { hash } from "node:crypto";
import { z } from "zod";
import { strictMapping, unsupportedKeys } from "../manifest/strict-keys.js";
import { validateStrictYaml } from "./strict-yaml.js";
import { parseYaml } from "./yaml-file.js";

/**
 * `packages.yml` and `package-lock.yml`, in dbt's format as far as Floe installs packages: a package is a
 * local folder (`local: ../path`) or a tarball (`tarball: <path or URL>`, with `name:`). dbt Hub and git
 * packages are named as unsupported, with the way to get them in anyway (their tarball).
 */
export const PACKAGES_FILE = "packages.yml";
export const LOCK_FILE = "package-lock.yml";

const hubOrGit =
  "Floe installs `local:` and `tarball:` packages; point `tarball:` at the package's release archive instead.";

const packageEntry = strictMapping(
  "a packages.yml entry",
  {
    local: z.string().min(1).optional(),
    tarball: z.string().min(1).optional(),
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "name must be an identifier (letters, digits, underscores)")
      .optional(),
  },
  unsupportedKeys({
    package: hubOrGit,
    git: hubOrGit,
    private: hubOrGit,
    version: "",
    revision: "",
    subdirectory: "",
    "install-prerelease": "",
    "warn-unpinned": "",
  }),
).superRefine((entry, ctx) => {
  if ((entry.local === undefined) === (entry.tarball === undefined)) {
    ctx.addIssue({ code: "custom", message: "each package needs exactly one of local: or tarball:" });
  } else if (entry.tarball !== undefined && entry.name === undefined) {
    ctx.addIssue({ code: "custom", path: ["name"], message: "a tarball package needs a name:" });
  }
});

export const packagesFileSchema = strictMapping(PACKAGES_FILE, {
  packages: z.array(packageEntry, { error: "expected a list of packages" }).default([]),
});

export type PackageSpec = z.output<typeof packageEntry>;

const lockEntry = strictMapping("a package-lock.yml entry", {
  local: z.string().min(1).optional(),
  tarball: z.string().min(1).optional(),
  name: z.string().min(1),
  /** sha256 of the package's content: the tarball's bytes, or a local folder's files (paths and bytes). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected a sha256 in hex"),
});

export const lockFileSchema = strictMapping(LOCK_FILE, {
  packages: z.array(lockEntry).default([]),
  /** sha256 of packages.yml's text when the lock was written (dbt's lock has `sha1_hash` here). */
  sha256_hash: z.string().regex(/^[0-9a-f]{64}$/, "expected a sha256 in hex"),
});

export type LockEntry = z.output<typeof lockEntry>;
export type LockFile = z.output<typeof lockFileSchema>;

export function parsePackagesFile(text: string, file = PACKAGES_FILE): readonly PackageSpec[] {
  const raw = parseYaml(text, file) ?? {};
  return validateStrictYaml(packagesFileSchema, raw, file, text, () => {
    return "write each package as `- local: ../path` or `- tarball: <path or https URL>` with `name: <package>`.";
  }).packages;
}

export function parseLockFile(text: string, file = LOCK_FILE): LockFile {
  const raw = parseYaml(text, file) ?? {};
  return validateStrictYaml(lockFileSchema, raw, file, text, () => {
    return `delete ${LOCK_FILE} and run \`floe deps\` to write it again.`;
  });
}

/** The lock's `sha256_hash`: packages.yml changed since `floe deps` when this differs. */
export function packagesHash(text: string): string {
  return hash("sha256", text, "hex");
}

/** Where a package came from, as written in packages.yml (the lock keeps the same key). */
export function sourceOf(spec: { local?: string | undefined; tarball?: string | undefined }): {
  kind: "local" | "tarball";
  location: string;
} {
  return spec.local !== undefined
    ? { kind: "local", location: spec.local }
    : { kind: "tarball", location: spec.tarball ?? "" };
}

/** package-lock.yml's text: dbt's layout (a `packages:` list, the packages.yml hash last), stable order. */
export function formatLockFile(lock: LockFile): string {
  const lines = ["packages:"];
  for (const entry of lock.packages) {
    const { kind, location } = sourceOf(entry);
    lines.push(`  - ${kind}: ${JSON.stringify(location)}`);
    lines.push(`    name: ${entry.name}`);
    lines.push(`    sha256: ${entry.sha256}`);
  }
  if (lock.packages.length === 0) lines[0] = "packages: []";
  lines.push(`sha256_hash: ${lock.sha256_hash}`);
  return `${lines.join("\n")}\n`;
}
