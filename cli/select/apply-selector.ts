import { UsageError } from "../../core/errors.js";
import { ancestors, descendants } from "../graph/graph.js";
import type { GraphNode, Manifest, UnitTestNode } from "../manifest/manifest.js";
import type { Selector, SelectorAtom } from "./parse-selector.js";
import { stateMatches } from "./state.js";

/**
 * Applies `--select`/`--exclude` to a manifest. Pure: previous state and results are passed in. Tests are
 * selected indirectly ("eager", dbt's default): a test whose parent is selected is selected too, unless
 * excluded.
 */
export interface SelectionContext {
  readonly manifest: Manifest;
  /** The `--state` manifest, for `state:`. */
  readonly previous?: Manifest;
  /** unique_id → status from the previous run_results.json, for `result:`. */
  readonly results?: ReadonlyMap<string, string>;
}

export function selectNodes(
  context: SelectionContext,
  select: Selector | undefined,
  exclude: Selector | undefined,
): Set<string> {
  const all = allIds(context.manifest);
  const chosen =
    select && select.length > 0 ? withTests(context.manifest, evaluate(context, select)) : new Set(all);
  if (exclude && exclude.length > 0) {
    for (const id of withTests(context.manifest, evaluate(context, exclude))) chosen.delete(id);
  }
  return chosen;
}

/** What a selector can name: a node, a source, or a unit test (kept out of the graph, as in dbt). */
type SelectableNode = GraphNode | UnitTestNode;

function allIds(manifest: Manifest): string[] {
  return [
    ...Object.keys(manifest.nodes),
    ...Object.keys(manifest.sources),
    ...Object.keys(manifest.unit_tests ?? {}),
  ];
}

function withTests(manifest: Manifest, ids: Set<string>): Set<string> {
  for (const id of [...ids]) {
    for (const child of manifest.child_map[id] ?? []) {
      if (manifest.nodes[child]?.resource_type === "test") ids.add(child);
    }
  }
  for (const unit of Object.values(manifest.unit_tests ?? {})) {
    if (ids.has(unit.attached_node)) ids.add(unit.unique_id);
  }
  return ids;
}

function evaluate(context: SelectionContext, selector: Selector): Set<string> {
  const out = new Set<string>();
  for (const term of selector) {
    let current: Set<string> | undefined;
    for (const atom of term) {
      const matched = expand(context.manifest, atom, matchAtom(context, atom));
      current = current === undefined ? matched : new Set([...current].filter((id) => matched.has(id)));
    }
    for (const id of current ?? []) out.add(id);
  }
  return out;
}

function expand(manifest: Manifest, atom: SelectorAtom, base: Set<string>): Set<string> {
  if (atom.at) {
    const down = descendants(manifest, base);
    const withBase = new Set([...base, ...down]);
    return new Set([...withBase, ...ancestors(manifest, withBase)]);
  }
  const out = new Set(base);
  if (atom.parents !== undefined) {
    for (const id of ancestors(manifest, base, finite(atom.parents))) out.add(id);
  }
  if (atom.children !== undefined) {
    for (const id of descendants(manifest, base, finite(atom.children))) out.add(id);
  }
  return out;
}

function finite(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}

function matchAtom(context: SelectionContext, atom: SelectorAtom): Set<string> {
  const { manifest } = context;
  if (atom.method === "state" && !context.previous) {
    throw new UsageError(`selector '${atom.raw}' needs a previous manifest.`, {
      hint: "pass --state <dir> with the manifest.json of the run to compare against (e.g. production's target/).",
    });
  }
  if (atom.method === "result" && !context.results) {
    throw new UsageError(`selector '${atom.raw}' needs a previous run_results.json.`, {
      hint: "run floe build/run/test first, or pass --state <dir> holding run_results.json.",
    });
  }
  const out = new Set<string>();
  const nodes: SelectableNode[] = [
    ...Object.values(manifest.nodes),
    ...Object.values(manifest.sources),
    ...Object.values(manifest.unit_tests ?? {}),
  ];
  const pattern = globToRegExp(atom.value);
  for (const node of nodes) {
    if (matches(context, atom, node, pattern)) out.add(node.unique_id);
  }
  return out;
}

function matches(
  context: SelectionContext,
  atom: SelectorAtom,
  node: SelectableNode,
  pattern: RegExp,
): boolean {
  switch (atom.method) {
    case "default":
      if (atom.value.includes("/") || /\.(sql|csv|yml|yaml)$/.test(atom.value))
        return matchPath(node, atom.value, pattern);
      return matchFqn(node, atom.value, pattern);
    case "fqn":
      return matchFqn(node, atom.value, pattern);
    case "tag":
      return node.tags.some((t) => pattern.test(t));
    case "path":
      return matchPath(node, atom.value, pattern);
    case "config": {
      const value = (node.config as Record<string, unknown>)[atom.key ?? ""];
      if (Array.isArray(value)) return value.some((v) => pattern.test(String(v)));
      return value !== undefined && value !== null && pattern.test(String(value));
    }
    case "source": {
      if (node.resource_type !== "source") return false;
      const [source, table] = atom.value.split(".");
      return (
        globToRegExp(source ?? "").test(node.source_name) &&
        (table === undefined || globToRegExp(table).test(node.table_name))
      );
    }
    case "resource_type":
      return node.resource_type === atom.value;
    case "state":
      return context.previous !== undefined && stateMatches(node, context.previous, atom.value);
    case "result":
      return context.results?.get(node.unique_id) === atom.value;
    case "test_type":
      // dbt's values: unit, data (every data test), generic, singular.
      if (atom.value === "unit") return node.resource_type === "unit_test";
      if (atom.value === "data") return node.resource_type === "test";
      return (
        node.resource_type === "test" && (atom.value === "generic") === (node.test_metadata !== undefined)
      );
    case "package":
      return pattern.test(node.package_name);
    case "test_name":
      return (
        node.resource_type === "test" &&
        node.test_metadata !== undefined &&
        pattern.test(node.test_metadata.name)
      );
  }
}

function matchFqn(node: SelectableNode, value: string, pattern: RegExp): boolean {
  if (pattern.test(node.name)) return true;
  const wanted = value.split(".");
  const fqn = node.fqn;
  const prefixOf = (parts: readonly string[]) =>
    wanted.length <= parts.length && wanted.every((w, i) => globToRegExp(w).test(parts[i] ?? ""));
  return prefixOf(fqn) || prefixOf(fqn.slice(1));
}

function matchPath(node: SelectableNode, value: string, pattern: RegExp): boolean {
  const path = node.original_file_path;
  const folder = value.replace(/\/+$/, "");
  return pattern.test(path) || path.startsWith(`${folder}/`) || path === folder;
}

const globCache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const escaped = glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".");
    re = new RegExp(`^${escaped}$`);
    globCache.set(glob, re);
  }
  return re;
}
