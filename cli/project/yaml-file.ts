import { createRequire } from "node:module";
import jsYaml from "js-yaml";
import type * as YamlModule from "yaml";
import type { z } from "zod";
import { ConfigError } from "../../core/errors.js";

/**
 * YAML at the boundary. Files are parsed with js-yaml (several times faster than `yaml`, which matters at
 * 10,000 models); only when something is wrong do we re-read the file with `yaml`'s document model to find
 * the line of the offending key, so errors still say file:line and the YAML path.
 *
 * js-yaml has no alias limit (unlike `yaml`'s `maxAliasCount`): an alias shares its anchor's object, so a
 * "billion laughs" parses in a millisecond and explodes later, when zod, hashing or the parse cache walk the
 * value (4 GB and a V8 abort for a 9^9 bomb). Merge keys (`<<: *a`) copy keys at parse time, so a chain of
 * them is quadratic inside the parser itself. So every document is bounded while it is parsed:
 */

/** Bytes of one YAML file. The shop's largest property file is a few KB; dbt's biggest are a few MB. */
export const MAX_YAML_BYTES = 8 * 1024 * 1024;
/** Nesting, counting what aliases bring in: keeps every later recursive walk (zod, hashing) far from the stack limit. */
export const MAX_YAML_DEPTH = 100;
/** Nodes that aliases (and merge keys) add to a document, summed over all aliases: generous for shared column lists. */
export const MAX_ALIAS_EXPANSION = 100_000;

const LIMITS_HINT = "keep YAML files small and plain";

export function parseYaml(text: string, file: string): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_YAML_BYTES) {
    throw new ConfigError(
      `${file} is ${(bytes / 1024 / 1024).toFixed(1)} MB, more than Floe reads in one YAML file (${MAX_YAML_BYTES / 1024 / 1024} MB).`,
      { location: { file }, hint: "split it into several .yml files (one per folder or per model group)." },
    );
  }
  try {
    return jsYaml.load(text, { filename: file, json: false, listener: expansionGuard(file) });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason =
      (error as { reason?: string }).reason ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError(`invalid YAML: ${reason}.`, {
      location: mark ? { file, line: mark.line + 1, column: mark.column + 1 } : { file },
      hint: "fix the YAML syntax (indentation, quotes, unique keys) at this position.",
      cause: error,
    });
  }
}

/** What js-yaml's `listener` sees of its parser state on each node's open and close. */
interface ListenerState {
  readonly kind: string | null;
  readonly result: unknown;
  readonly line: number;
}

/**
 * A js-yaml listener that throws a ConfigError as soon as the document nests too deep or its aliases
 * expand too far. An alias is the only node that closes with no kind (it reuses its anchor's value);
 * every collection closes with `sequence` or `mapping`. An alias of a collection that has not closed yet
 * is an alias inside its own anchor: a cycle, which no later walk of the value could survive.
 */
function expansionGuard(file: string): (event: "open" | "close", state: ListenerState) => void {
  const closed = new WeakSet<object>();
  // nodes and depth of each aliased collection, measured once (a DAG walk, linear in its distinct nodes).
  const measured = new WeakMap<object, { nodes: number; depth: number }>();
  const measure = (value: unknown): { nodes: number; depth: number } => {
    if (!isCollection(value)) return { nodes: 1, depth: 0 };
    const known = measured.get(value);
    if (known) return known;
    let nodes = 1;
    let depth = 0;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      const m = measure(child);
      nodes += m.nodes;
      depth = Math.max(depth, m.depth);
    }
    const result = { nodes, depth: depth + 1 };
    measured.set(value, result);
    return result;
  };
  let depth = 0;
  let expansion = 0;
  const at = (state: ListenerState) => ({ file, line: state.line + 1 });
  return (event, state) => {
    if (event === "open") {
      if (++depth > MAX_YAML_DEPTH) throw tooDeep(at(state));
      return;
    }
    depth--;
    const value = state.result;
    if (!isCollection(value)) return;
    if (state.kind !== null) {
      closed.add(value);
      return;
    }
    if (!closed.has(value)) {
      throw new ConfigError("a YAML alias refers to itself (it sits inside the anchor it names).", {
        location: at(state),
        hint: "an alias (*name) must come after its anchor (&name) has ended, never inside it.",
      });
    }
    const size = measure(value);
    // The alias sits at `depth` (its parents) and brings in `size.depth` levels of its own.
    if (depth + size.depth > MAX_YAML_DEPTH) throw tooDeep(at(state));
    expansion += size.nodes;
    if (expansion > MAX_ALIAS_EXPANSION) {
      throw new ConfigError(
        `the aliases in ${file} expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString("en-US")} nodes (an alias bomb?).`,
        {
          location: at(state),
          hint: `${LIMITS_HINT}: write the values out, or use fewer and smaller anchors (&name / *name / <<:).`,
        },
      );
    }
  };
}

function tooDeep(location: { file: string; line: number }): ConfigError {
  return new ConfigError(`YAML nests deeper than ${MAX_YAML_DEPTH} levels (aliases included).`, {
    location,
    hint: `${LIMITS_HINT}: flatten the structure.`,
  });
}

function isCollection(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  // Tagged scalars (!!timestamp, !!binary) construct objects too; only arrays and plain objects nest.
  const proto = Object.getPrototypeOf(value);
  return Array.isArray(value) || proto === Object.prototype || proto === null;
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
  try {
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
  } catch {
    // The line is a courtesy: an error that cannot be located is still reported, by file and path.
  }
  return {};
}
