import { ConfigError } from "../../../core/errors.js";
import { splitArgs, stateOf } from "../render-state.js";

/** `{{ref "model"}}` (or `{{ref "project" "model"}}`): the quoted relation of a model or seed. */
export function refHelper(...args: unknown[]): string {
  const { params, options } = splitArgs(args);
  const strings = params.filter((p): p is string => typeof p === "string");
  if (strings.length !== params.length || strings.length < 1 || strings.length > 2) {
    throw new ConfigError("{{ref}} takes the name of a model or seed as a string.", {
      hint: 'write {{ref "model_name"}}.',
    });
  }
  const [first, second] = strings as [string, string | undefined];
  const version = refVersionOf(options.hash);
  return second === undefined
    ? stateOf(options, "ref").ref(first, undefined, version)
    : stateOf(options, "ref").ref(second, first, version);
}

/** `v=2` or `version=2` (a number or its digits): the model version a ref names. */
function refVersionOf(hash: Record<string, unknown> | undefined): number | undefined {
  const value = hash?.v ?? hash?.version;
  if (value === undefined) return undefined;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n) || n < 0) {
    throw new ConfigError(`{{ref}}: v=${String(value)} is not a model version.`, {
      hint: 'write {{ref "model_name" v=2}} with a version the model declares.',
    });
  }
  return n;
}

/** `{{source "source_name" "table_name"}}`: the quoted relation of a declared source table. */
export function sourceHelper(...args: unknown[]): string {
  const { params, options } = splitArgs(args);
  const [sourceName, tableName] = params;
  if (params.length !== 2 || typeof sourceName !== "string" || typeof tableName !== "string") {
    throw new ConfigError("{{source}} takes a source name and a table name.", {
      hint: 'write {{source "source_name" "table_name"}}.',
    });
  }
  return stateOf(options, "source").source(sourceName, tableName);
}
