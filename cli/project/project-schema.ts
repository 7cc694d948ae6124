import { z } from "zod";
import { strictMapping, unsupportedKeys } from "../manifest/strict-keys.js";
import { validateStrictYaml } from "./strict-yaml.js";
import { parseYaml } from "./yaml-file.js";

/**
 * `floe_project.yml`. Keys follow dbt's `dbt_project.yml`; unknown top-level keys are rejected so a typo
 * (`model_paths`) is an error naming the closest key rather than a silently ignored setting, and dbt's keys
 * that Floe does not implement yet (`dispatch`, `quoting`, ...) say so.
 */
const pathList = z.array(z.string().min(1), { error: "expected a list of folder paths" });
/** on-run-start / on-run-end: a SQL statement (a template) or a list of them. */
const runHooks = z
  .union([z.string(), z.array(z.string())], { error: "expected a SQL statement or a list of them" })
  .transform((v) => (typeof v === "string" ? [v] : v))
  .default([]);
const configTree = z.record(z.string(), z.unknown(), { error: "expected a mapping of folders to +config" });

const projectShape = {
  name: z
    .string({ error: "name is required" })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "name must be an identifier (letters, digits, underscores)"),
  version: z.union([z.string(), z.number()]).optional(),
  "config-version": z.number().optional(),
  profile: z.string({ error: "profile is required" }).min(1),
  "model-paths": pathList.default(["models"]),
  "macro-paths": pathList.default(["macros"]),
  "test-paths": pathList.default(["tests"]),
  "seed-paths": pathList.default(["seeds"]),
  "snapshot-paths": pathList.default(["snapshots"]),
  "target-path": z.string().min(1).default("target"),
  "packages-install-path": z.string().min(1).default("floe_packages"),
  "clean-targets": pathList.optional(),
  "require-floe-version": z.union([z.string(), z.array(z.string())]).optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
  "on-run-start": runHooks,
  "on-run-end": runHooks,
  models: configTree.default({}),
  seeds: configTree.default({}),
  snapshots: configTree.default({}),
  tests: configTree.default({}),
  data_tests: configTree.default({}),
  sources: configTree.default({}),
};

export const projectSchema = strictMapping(
  "floe_project.yml",
  projectShape,
  unsupportedKeys({
    "analysis-paths": "",
    "docs-paths": "",
    "asset-paths": "",
    "log-path": "",
    "require-dbt-version": "use require-floe-version.",
    quoting: "",
    dispatch: "",
    flags: "",
    "query-comment": "",
    "restrict-access": "",
    unit_tests: "",
    "semantic-models": "",
    metrics: "",
    "saved-queries": "",
    exposures: "",
  }),
);

export type ProjectConfig = z.output<typeof projectSchema>;

export const PROJECT_FILE = "floe_project.yml";

/** floe_project.yml's text → its validated config (the root project's, or an installed package's). */
export function parseProjectFile(text: string, display: string): ProjectConfig {
  const raw = parseYaml(text, display) ?? {};
  // Unknown keys bring their own fix (the closest known key); see manifest/strict-keys.ts.
  return validateStrictYaml(projectSchema, raw, display, text, (path) => {
    return `fix '${String(path[0] ?? "")}' in ${display}.`;
  });
}
