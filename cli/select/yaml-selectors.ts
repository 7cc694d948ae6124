import { closestName } from "../../core/closest-name.js";
import { UsageError } from "../../core/errors.js";
import { type SelectionContext, selectNodes } from "./apply-selector.js";
import { parseAtom, parseSelector, type Selector } from "./parse-selector.js";

/**
 * dbt's `selectors.yml` definitions, evaluated. Pure: the file is read and validated by
 * `cli/project/selectors-file.ts`; here a definition becomes a set of unique_ids with the same
 * semantics as `--select` (a `method:value` string is a selector; `union`/`intersection` combine;
 * `exclude` subtracts; `parents`/`children`/`childrens_parents` are the graph operators).
 */
export type SelectorDefinition =
  | string
  | { readonly union: readonly SelectorDefinition[] }
  | { readonly intersection: readonly SelectorDefinition[] }
  | { readonly exclude: readonly SelectorDefinition[] }
  | MethodDefinition;

export interface MethodDefinition {
  readonly method: string;
  readonly value: string;
  readonly parents?: boolean;
  readonly children?: boolean;
  readonly parents_depth?: number;
  readonly children_depth?: number;
  readonly childrens_parents?: boolean;
  readonly exclude?: readonly SelectorDefinition[];
}

export interface NamedSelector {
  readonly name: string;
  readonly description?: string;
  readonly default?: boolean;
  readonly definition: SelectorDefinition;
}

export interface SelectorsFile {
  readonly selectors: readonly NamedSelector[];
}

/** The selector called `name`; an unknown name (or no selectors.yml) is a usage error with the fix. */
export function findSelector(file: SelectorsFile | undefined, name: string): NamedSelector {
  if (!file) {
    throw new UsageError(`--selector ${name}: the project has no selectors.yml.`, {
      hint: "create selectors.yml next to floe_project.yml: selectors: [{name: nightly, definition: 'tag:nightly'}].",
    });
  }
  const found = file.selectors.find((s) => s.name === name);
  if (found) return found;
  const names = file.selectors.map((s) => s.name);
  const suggestion = closestName(name, names);
  throw new UsageError(`--selector ${name}: selectors.yml defines no selector named '${name}'.`, {
    hint: suggestion ? `did you mean --selector ${suggestion}?` : `use one of ${names.join(", ")}.`,
  });
}

/** The method:value string of a leaf, with its graph operators (`2+tag:x+`, `@path:models/a`). */
export function methodSelector(d: MethodDefinition): string {
  const method = d.method === "fqn" || d.method === "default" ? "" : `${d.method}:`;
  // fqn:* selects every node in dbt; Floe's fqn matcher reads `*` as a glob over the name, which does too.
  if (d.childrens_parents) return `@${method}${d.value}`;
  const up = d.parents_depth !== undefined ? `${d.parents_depth}+` : d.parents ? "+" : "";
  const down = d.children_depth !== undefined ? `+${d.children_depth}` : d.children ? "+" : "";
  return `${up}${method}${d.value}${down}`;
}

/** Every `--select`-style selector a definition uses, for deciding whether --state or run results are needed. */
export function definitionSelectors(definition: SelectorDefinition): Selector[] {
  if (typeof definition === "string") return [parseSelector([definition])];
  if ("union" in definition) return definition.union.flatMap(definitionSelectors);
  if ("intersection" in definition) return definition.intersection.flatMap(definitionSelectors);
  if ("method" in definition) {
    return [
      [[parseAtom(methodSelector(definition))]],
      ...(definition.exclude ?? []).flatMap(definitionSelectors),
    ];
  }
  return definition.exclude.flatMap(definitionSelectors);
}

/** The unique_ids a definition selects (tests of selected nodes included, as with --select). */
export function selectDefinition(context: SelectionContext, definition: SelectorDefinition): Set<string> {
  if (typeof definition === "string") return selectNodes(context, parseSelector([definition]), undefined);
  if ("method" in definition) {
    const selected = selectNodes(context, [[parseAtom(methodSelector(definition))]], undefined);
    return subtract(selected, context, definition.exclude);
  }
  if ("union" in definition) return combine(context, definition.union, "union");
  if ("intersection" in definition) return combine(context, definition.intersection, "intersection");
  // A bare `exclude:` at the top selects everything but it, as `--exclude` alone does.
  return subtract(selectNodes(context, undefined, undefined), context, definition.exclude);
}

function combine(
  context: SelectionContext,
  items: readonly SelectorDefinition[],
  how: "union" | "intersection",
): Set<string> {
  // dbt: an `exclude:` item in the list is subtracted from what the other items combine to.
  const excludes = items.filter(isBareExclude);
  const parts = items.filter((item) => !isBareExclude(item)).map((item) => selectDefinition(context, item));
  let out: Set<string>;
  if (how === "union") out = new Set(parts.flatMap((p) => [...p]));
  else {
    const [first, ...rest] = parts;
    out = new Set([...(first ?? [])].filter((id) => rest.every((p) => p.has(id))));
  }
  return subtract(
    out,
    context,
    excludes.flatMap((e) => e.exclude),
  );
}

function subtract(
  selected: Set<string>,
  context: SelectionContext,
  exclude: readonly SelectorDefinition[] | undefined,
): Set<string> {
  for (const item of exclude ?? []) for (const id of selectDefinition(context, item)) selected.delete(id);
  return selected;
}

function isBareExclude(
  item: SelectorDefinition,
): item is { readonly exclude: readonly SelectorDefinition[] } {
  return typeof item === "object" && "exclude" in item && !("method" in item);
}
