import { z } from "zod";

/**
 * `floe_project.yml`. Keys follow dbt's `dbt_project.yml`; unknown top-level keys are rejected so a typo
 * (`model_paths`) is an error naming the key rather than a silently ignored setting.
 */
const pathList = z.array(z.string().min(1), { error: "expected a list of folder paths" });
const configTree = z.record(z.string(), z.unknown(), { error: "expected a mapping of folders to +config" });

export const projectSchema = z.strictObject({
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
  "target-path": z.string().min(1).default("target"),
  "clean-targets": pathList.optional(),
  "require-floe-version": z.union([z.string(), z.array(z.string())]).optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
  models: configTree.default({}),
  seeds: configTree.default({}),
  tests: configTree.default({}),
  data_tests: configTree.default({}),
  sources: configTree.default({}),
});

export type ProjectConfig = z.output<typeof projectSchema>;

export const PROJECT_FILE = "floe_project.yml";
export const PROJECT_KEYS = Object.keys(projectSchema.shape);
