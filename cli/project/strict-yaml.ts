import { createRequire } from "node:module";
import type * as YamlModule from "yaml";
import type { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import { issueHint } from "../manifest/strict-keys.js";
import { formatYamlPath, lineOf, validateYaml } from "./yaml-file.js";

/**
 * `validateYaml` for schemas built with strict keys: an unknown or unsupported key brings its own fix
 * (`params.hint`, see manifest/strict-keys.ts) and is located at the key itself; any other issue gets
 * `hintFor`'s fix at its value, as `validateYaml` does.
 */
export function validateStrictYaml<T extends z.ZodType>(
  schema: T,
  value: unknown,
  file: string,
  text: string,
  hintFor: (path: readonly PropertyKey[], message: string) => string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const hint = issueHint(issue);
  if (issue && hint !== undefined) throw yamlKeyError(file, text, issue.path, issue.message, hint);
  // Any other issue: validateYaml (on this error path only) reports it as it reports every file's.
  return validateYaml(schema, value, file, text, hintFor);
}

/** A ConfigError on the line of the key `path` ends with (not its value, which may be a block below it). */
export function yamlKeyError(
  file: string,
  text: string,
  path: readonly PropertyKey[],
  message: string,
  hint: string,
): ConfigError {
  const position = keyPosition(text, path) ?? lineOf(text, path);
  return new ConfigError(message.endsWith(".") ? message : `${message}.`, {
    location: { file, ...position, path: formatYamlPath(path) },
    hint,
  });
}

function keyPosition(
  text: string,
  path: readonly PropertyKey[],
): { line: number; column: number } | undefined {
  const key = path[path.length - 1];
  if (typeof key !== "string") return undefined;
  // `yaml` is loaded only on this error path, as in yaml-file.ts.
  const { isMap, isScalar, LineCounter, parseDocument } = createRequire(import.meta.url)(
    "yaml",
  ) as typeof YamlModule;
  const lineCounter = new LineCounter();
  try {
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
    const parentPath = path.slice(0, -1);
    const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath as unknown[], true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
    const range = isScalar(pair?.key) ? pair.key.range : undefined;
    if (!range) return undefined;
    const pos = lineCounter.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  } catch {
    // As in lineOf: the line is a courtesy, so an unlocatable key is still reported by file and path.
    return undefined;
  }
}
