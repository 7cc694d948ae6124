import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { strictMapping } from "../manifest/strict-keys.js";
import type { SelectorDefinition, SelectorsFile } from "../select/yaml-selectors.js";
import { readTextFile } from "./load-project.js";
import { validateStrictYaml } from "./strict-yaml.js";
import { parseYaml, yamlError } from "./yaml-file.js";

/**
 * `selectors.yml` beside floe_project.yml (dbt's format): `selectors: [{name, description, default,
 * definition}]`, where a definition is a `method:value` string, `{method, value, parents, children,
 * parents_depth, children_depth, childrens_parents, exclude}`, `{union: [...]}`, `{intersection: [...]}`
 * or `{exclude: [...]}`. Strict keys, as every yml Floe reads: a misspelled key names the closest one.
 */
export const SELECTORS_FILE = "selectors.yml";

/**
 * A definition's form is decided by its shape (a string, or which key it has) and only that form is
 * checked, so an issue is reported inside it (a misspelled `valeu:` names 'value') rather than as "no
 * form matched".
 */
const definition: z.ZodType<SelectorDefinition> = z.lazy(() =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      const result = formOf(value).safeParse(value);
      if (result.success) return;
      for (const issue of result.error.issues) {
        ctx.addIssue({ ...(issue as object), code: "custom", message: issue.message, path: issue.path });
      }
    })
    .transform((value) => formOf(value).parse(value) as SelectorDefinition),
);

function formOf(value: unknown): z.ZodType {
  if (typeof value !== "object" || value === null) return z.string().min(1);
  if ("union" in value) return strictMapping("a union", { union: z.array(definition).min(1) });
  if ("intersection" in value) {
    return strictMapping("an intersection", { intersection: z.array(definition).min(1) });
  }
  if ("exclude" in value && !("method" in value)) {
    return strictMapping("an exclude", { exclude: z.array(definition).min(1) });
  }
  return methodDefinition;
}

const methodDefinition = strictMapping(
  "a selector definition",
  {
    method: z.string().min(1),
    value: z.union([z.string().min(1), z.number().transform(String)]),
    parents: z.boolean().optional(),
    children: z.boolean().optional(),
    parents_depth: z.number().int().nonnegative().optional(),
    children_depth: z.number().int().nonnegative().optional(),
    childrens_parents: z.boolean().optional(),
    exclude: z.array(definition).optional(),
  },
  new Map([["indirect_selection", "Floe always selects the tests of selected nodes (dbt's eager mode)."]]),
);

const selectorsFileSchema = strictMapping("selectors.yml", {
  selectors: z.array(
    strictMapping("a selector", {
      name: z.string().min(1),
      description: z.string().optional(),
      default: z.boolean().optional(),
      definition,
    }),
  ),
});

/** Reads `<root>/selectors.yml`, or undefined when the project has none. */
export function readSelectorsFile(root: string): SelectorsFile | undefined {
  const path = join(root, SELECTORS_FILE);
  if (!existsSync(path)) return undefined;
  const { text } = readTextFile(path, SELECTORS_FILE, { allowEmpty: true });
  return parseSelectorsFile(text);
}

/** Pure: the text of selectors.yml, validated. */
export function parseSelectorsFile(text: string): SelectorsFile {
  const raw = parseYaml(text, SELECTORS_FILE) ?? { selectors: [] };
  const file = validateStrictYaml(selectorsFileSchema, raw, SELECTORS_FILE, text, (path) =>
    path.includes("definition")
      ? "write a definition as 'method:value', {method, value}, {union: [...]}, {intersection: [...]} or {exclude: [...]}."
      : "each selector needs a name and a definition: selectors: [{name: nightly, definition: 'tag:nightly'}].",
  );
  const defaults = file.selectors.filter((s) => s.default === true);
  if (defaults.length > 1) {
    const index = file.selectors.indexOf(defaults[1]!);
    throw yamlError(
      SELECTORS_FILE,
      text,
      ["selectors", index, "default"],
      `only one selector may be the default; ${defaults.map((d) => d.name).join(" and ")} both are`,
      "keep default: true on one selector.",
    );
  }
  return file as SelectorsFile;
}
