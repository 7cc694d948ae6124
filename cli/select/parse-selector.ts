import { closestName } from "../../core/closest-name.js";
import { UsageError } from "../../core/errors.js";

/**
 * Selector syntax, as in dbt: space = union, comma = intersection; each atom is
 * `[@][n+]method:value[+n]` or a bare name/path. Methods: `tag`, `path`, `config.<key>`, `source`,
 * `resource_type`, `state`, `result`, `fqn`, `test_type`, `test_name`, `package`.
 */
export type SelectorMethod =
  | "default"
  | "fqn"
  | "tag"
  | "path"
  | "config"
  | "source"
  | "resource_type"
  | "state"
  | "result"
  | "test_type"
  | "test_name"
  | "package";

export interface SelectorAtom {
  readonly raw: string;
  readonly method: SelectorMethod;
  /** For `config.<key>`: the key. */
  readonly key?: string;
  readonly value: string;
  readonly at: boolean;
  /** undefined = no `+` prefix; Infinity = `+x`; n = `n+x`. */
  readonly parents?: number;
  readonly children?: number;
}

/** Union of intersections. */
export type Selector = readonly (readonly SelectorAtom[])[];

const METHODS: readonly string[] = [
  "fqn",
  "tag",
  "path",
  "config",
  "source",
  "resource_type",
  "state",
  "result",
  "test_type",
  "test_name",
  "package",
];
const RESOURCE_TYPES = ["model", "seed", "snapshot", "test", "source", "unit_test"];
const STATES = [
  "modified",
  "new",
  "modified.body",
  "modified.configs",
  "modified.macros",
  "modified.yml",
  "modified.contract",
];

export function parseSelector(specs: readonly string[]): Selector {
  const terms: SelectorAtom[][] = [];
  for (const spec of specs) {
    for (const term of spec.split(/\s+/).filter(Boolean)) {
      const parts = term.split(",");
      // `a,` or `,` would otherwise intersect with nothing and select nothing, with exit 0.
      if (parts.some((part) => part === "")) {
        throw new UsageError(`selector '${term}' has an empty part around a comma.`, {
          hint: "a comma intersects two selectors (tag:daily,stg_orders); separate alternatives with spaces.",
        });
      }
      terms.push(parts.map(parseAtom));
    }
  }
  return terms;
}

export function parseAtom(raw: string): SelectorAtom {
  let text = raw;
  const at = text.startsWith("@");
  if (at) text = text.slice(1);
  let parents: number | undefined;
  let children: number | undefined;
  const prefix = /^(\d*)\+/.exec(text);
  if (prefix) {
    parents = prefix[1] ? Number(prefix[1]) : Number.POSITIVE_INFINITY;
    text = text.slice(prefix[0].length);
  }
  const suffix = /\+(\d*)$/.exec(text);
  if (suffix) {
    children = suffix[1] ? Number(suffix[1]) : Number.POSITIVE_INFINITY;
    text = text.slice(0, -suffix[0].length);
  }
  // One @, one leading and one trailing + at most: `+++x`, `x++` or `@@x` would otherwise look for a node
  // named `++x` and select nothing, with exit 0.
  if (/^[@+]|\+$/.test(text)) {
    throw new UsageError(`selector '${raw}' repeats an operator.`, {
      hint: "write +x (ancestors), x+ (descendants), 2+x+1 (by depth) or @x, each operator once, @ first.",
    });
  }
  if (at && (parents !== undefined || children !== undefined)) {
    throw new UsageError(`selector '${raw}': @ cannot be combined with + operators.`, {
      hint: "use @model (the model, its descendants and their ancestors) or +model+.",
    });
  }
  if (text === "") {
    throw new UsageError(`selector '${raw}' has no name.`, {
      hint: "write e.g. -s stg_orders+ or -s tag:daily.",
    });
  }
  const colon = text.indexOf(":");
  let method: SelectorMethod = "default";
  let key: string | undefined;
  let value = text;
  if (colon > 0) {
    const name = text.slice(0, colon);
    value = text.slice(colon + 1);
    if (name.startsWith("config.")) {
      method = "config";
      key = name.slice("config.".length);
      if (key === "")
        throw new UsageError(`selector '${raw}': config needs a key.`, {
          hint: "write config.materialized:table.",
        });
    } else if (METHODS.includes(name) && name !== "config") {
      method = name as SelectorMethod;
    } else {
      const suggestion = closestName(name, METHODS);
      throw new UsageError(`selector '${raw}': unknown method '${name}'.`, {
        hint: suggestion
          ? `did you mean '${suggestion}:'?`
          : `use one of ${METHODS.map((m) => `${m}:`).join(", ")}.`,
      });
    }
    if (value === "")
      throw new UsageError(`selector '${raw}' has an empty value.`, { hint: `write ${name}:<value>.` });
  }
  if (method === "resource_type" && !RESOURCE_TYPES.includes(value)) {
    throw new UsageError(`selector '${raw}': unknown resource type '${value}'.`, {
      hint: `use one of ${RESOURCE_TYPES.join(", ")}.`,
    });
  }
  if (method === "state" && !STATES.includes(value)) {
    throw new UsageError(`selector '${raw}': unknown state '${value}'.`, {
      hint: `use one of ${STATES.join(", ")}.`,
    });
  }
  return {
    raw,
    method,
    value,
    at,
    ...(key === undefined ? {} : { key }),
    ...(parents === undefined ? {} : { parents }),
    ...(children === undefined ? {} : { children }),
  };
}

export function usesState(selector: Selector): boolean {
  return selector.some((term) => term.some((atom) => atom.method === "state"));
}

export function usesResults(selector: Selector): boolean {
  return selector.some((term) => term.some((atom) => atom.method === "result"));
}
