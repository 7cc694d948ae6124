import { createRequire } from "node:module";
import jsYaml from "js-yaml";
import type * as YamlModule from "yaml";
import type { z } from "zod";
import { ConfigError } from "../../core/errors.js";

/**
 * YAML at the boundary. Files are parsed with js-yaml (several times faster than `yaml`, which matters at
 * 10,000 models); only when something is wrong do we re-read the file with `yaml`'s document model to find
 * the line of the offending key, so errors still say file:line and the YAML path.
 */

export function parseYaml(text: string, file: string): unknown {
  try {
    return jsYaml.load(text, { filename: file, json: false });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason =
      (error as { reason?: string }).reason ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError(`invalid YAML: ${reason}.`, {
      location: mark ? { file, line: mark.line + 1, column: mark.column + 1 } : { file },
      hint: "fix the YAML syntax (indentation, quotes, unique keys) at this position.",
    });
  }
}

/** Validates parsed YAML with a zod schema; the first issue becomes a ConfigError at its line and path. */
export function validateYaml<T extends z.ZodType>(
  schema: T,
  value: unknown,
  file: string,
  text: string,
  hintFor: (path: readonly PropertyKey[], message: string) => string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const message = issue?.message ?? "invalid value";
  throw yamlError(file, text, path, message, hintFor(path, message));
}

export function yamlError(
  file: string,
  text: string,
  path: readonly PropertyKey[],
  message: string,
  hint: string,
): ConfigError {
  return new ConfigError(message.endsWith(".") ? message : `${message}.`, {
    location: { file, ...lineOf(text, path), path: formatYamlPath(path) },
    hint,
  });
}

export function formatYamlPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The line (1-based) of the deepest node along `path` that exists in the document. */
export function lineOf(text: string, path: readonly PropertyKey[]): { line?: number; column?: number } {
  // `yaml` (70-odd modules) is loaded only here, on the error path, so a successful run never pays for it.
  const { LineCounter, parseDocument } = createRequire(import.meta.url)("yaml") as typeof YamlModule;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  for (let length = path.length; length >= 0; length--) {
    const keyPath = path.slice(0, length);
    const node = length === 0 ? doc.contents : doc.getIn(keyPath as unknown[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      // Point at the key rather than the value when the value is a nested block.
      const pos = lineCounter.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}
