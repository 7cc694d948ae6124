import type { Manifest, ManifestNode } from "../compile/compile.js";
import { topologicalOrder } from "../compile/compile.js";

export type TaskKind = "run" | "test" | "seed" | "snapshot" | "build";

export interface RunGraph {
  /** The nodes to run, parents first; in `build` each test right after the last node it tests. */
  readonly order: readonly string[];
  readonly dependsOn: ReadonlyMap<string, readonly string[]>;
}

const KINDS: Record<TaskKind, ReadonlySet<string>> = {
  run: new Set(["model"]),
  test: new Set(["test"]),
  seed: new Set(["seed"]),
  snapshot: new Set(["snapshot"]),
  build: new Set(["model", "seed", "snapshot", "test"]),
};

/**
 * Pure: the selected nodes a command runs, and what each waits for. Dependencies pass through nodes that
 * are not run (unselected, ephemeral, sources) to the nearest run node, as dbt's subset graph does. In
 * `build`, the children of a tested node also wait for its tests, so an error-severity failure skips them
 * (unless the child is itself upstream of the test, e.g. a relationships test between parent and child).
 */
export function buildRunGraph(manifest: Manifest, selected: ReadonlySet<string>, kind: TaskKind): RunGraph {
  const graph = nodeGraph(manifest, selected, kind);
  return kind === "test" || kind === "build" ? withUnitTests(manifest, selected, graph) : graph;
}

/**
 * Unit tests need no table (their inputs are fixtures), so they wait for nothing; in `build` their model
 * waits for them, so a failing unit test skips the model and everything downstream, as in dbt.
 */
function withUnitTests(manifest: Manifest, selected: ReadonlySet<string>, graph: RunGraph): RunGraph {
  const unitTests = Object.values(manifest.unit_tests ?? {})
    .filter((u) => selected.has(u.unique_id))
    .sort((a, b) => a.unique_id.localeCompare(b.unique_id));
  if (unitTests.length === 0) return graph;
  const deps = new Map(graph.dependsOn);
  const byModel = new Map<string, string[]>();
  for (const u of unitTests) {
    deps.set(u.unique_id, []);
    byModel.set(u.attached_node, [...(byModel.get(u.attached_node) ?? []), u.unique_id]);
    const modelDeps = deps.get(u.attached_node);
    if (modelDeps) deps.set(u.attached_node, [...modelDeps, u.unique_id]);
  }
  const order: string[] = [];
  const placed = new Set<string>();
  for (const id of graph.order) {
    for (const u of byModel.get(id) ?? []) {
      order.push(u);
      placed.add(u);
    }
    order.push(id);
  }
  // Unit tests of models this command does not run (`floe test`) go first.
  const rest = unitTests.map((u) => u.unique_id).filter((id) => !placed.has(id));
  return { order: [...rest, ...order], dependsOn: deps };
}

function nodeGraph(manifest: Manifest, selected: ReadonlySet<string>, kind: TaskKind): RunGraph {
  const isMember = (id: string): boolean => {
    const node = manifest.nodes[id];
    return (
      node !== undefined && selected.has(id) && KINDS[kind].has(node.resource_type) && !isEphemeral(node)
    );
  };
  const nearest = new Map<string, readonly string[]>();
  const nearestMembers = (id: string): readonly string[] => {
    const cached = nearest.get(id);
    if (cached) return cached;
    nearest.set(id, []); // guards against cycles (the compiler rejects them; be safe anyway)
    const out = new Set<string>();
    for (const parent of manifest.parent_map[id] ?? []) {
      if (isMember(parent)) out.add(parent);
      else for (const p of nearestMembers(parent)) out.add(p);
    }
    const list = [...out];
    nearest.set(id, list);
    return list;
  };
  const topo = topologicalOrder(manifest).filter(isMember);
  const deps = new Map<string, string[]>(topo.map((id) => [id, [...nearestMembers(id)]]));
  if (kind !== "build") return { order: topo, dependsOn: deps };

  // Which run nodes read a given node, directly or through nodes that are not run (e.g. in `retry`, where
  // the tested model itself succeeded earlier and is not re-run, its children must still wait for the test).
  const readers = new Map<string, string[]>();
  for (const id of topo) {
    if (manifest.nodes[id]?.resource_type === "test") continue;
    const seen = new Set<string>();
    const walk = (node: string) => {
      for (const parent of manifest.parent_map[node] ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        readers.set(parent, [...(readers.get(parent) ?? []), id]);
        if (!isMember(parent)) walk(parent);
      }
    };
    walk(id);
  }
  const ancestorsOf = memoAncestors(deps);
  for (const testId of topo) {
    if (manifest.nodes[testId]?.resource_type !== "test") continue;
    const testAncestors = ancestorsOf(testId);
    for (const tested of manifest.parent_map[testId] ?? []) {
      for (const child of readers.get(tested) ?? []) {
        const childDeps = deps.get(child);
        if (childDeps && !testAncestors.has(child) && !childDeps.includes(testId)) childDeps.push(testId);
      }
    }
  }
  return { order: testsAfterParents(topo, deps, manifest), dependsOn: deps };
}

function isEphemeral(node: ManifestNode): boolean {
  return node.resource_type === "model" && node.config.materialized === "ephemeral";
}

function memoAncestors(deps: ReadonlyMap<string, readonly string[]>): (id: string) => Set<string> {
  const memo = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const cached = memo.get(id);
    if (cached) return cached;
    const out = new Set<string>();
    memo.set(id, out);
    for (const d of deps.get(id) ?? []) {
      out.add(d);
      for (const a of visit(d)) out.add(a);
    }
    return out;
  };
  return visit;
}

function testsAfterParents(
  topo: readonly string[],
  deps: ReadonlyMap<string, readonly string[]>,
  manifest: Manifest,
): string[] {
  const isTest = (id: string) => manifest.nodes[id]?.resource_type === "test";
  const placed = new Set<string>();
  const waiting = topo.filter(isTest);
  const order: string[] = [];
  const place = (id: string) => {
    order.push(id);
    placed.add(id);
  };
  const flushTests = () => {
    for (let i = 0; i < waiting.length; ) {
      const t = waiting[i]!;
      if ((deps.get(t) ?? []).every((d) => placed.has(d))) {
        waiting.splice(i, 1);
        place(t);
      } else i++;
    }
  };
  flushTests();
  for (const id of topo) {
    if (isTest(id)) continue;
    place(id);
    flushTests();
  }
  for (const t of waiting) place(t);
  return order;
}
