import { topologicalOrder } from "../graph/graph.js";
import type { Manifest } from "../manifest/manifest.js";

/**
 * The lineage graph's geometry: a layered (Sugiyama-style) layout. Columns are the longest path from a
 * root (sources and seeds on the left, marts on the right); within a column, nodes are ordered by the
 * mean position of their neighbours (barycentre heuristic, a few sweeps each way), which keeps most edges
 * short and uncrossed. Tests are not drawn (dbt's lineage graph leaves them out too). Pure.
 *
 * `layeredLayout` is self-contained on purpose (no imports, no module constants): the docs page embeds
 * its source text to lay out one node's lineage in the browser, so both use the same code.
 */
export interface LayoutNode {
  readonly id: string;
  readonly name: string;
  readonly type: "model" | "seed" | "source";
  readonly layer: number;
  readonly x: number;
  readonly y: number;
}

export interface Layout {
  readonly nodes: LayoutNode[];
  /** Index pairs into `nodes`: [parent, child]. */
  readonly edges: [number, number][];
  readonly width: number;
  readonly height: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
}

export interface LayeredInput {
  /** In topological order (parents first). */
  readonly ids: readonly string[];
  /** Parents of each id, among `ids`. */
  readonly parents: Readonly<Record<string, readonly string[]>>;
  readonly names: Readonly<Record<string, string>>;
}

export interface LayeredOutput {
  readonly nodes: { id: string; layer: number; x: number; y: number }[];
  readonly edges: [number, number][];
  readonly width: number;
  readonly height: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
}

export function layeredLayout(input: LayeredInput): LayeredOutput {
  const NODE_WIDTH = 180;
  const NODE_HEIGHT = 28;
  const COLUMN_GAP = 80;
  const ROW_GAP = 14;
  const MARGIN = 20;
  const SWEEPS = 4;
  const inGraph = new Set(input.ids);
  const parentsOf = (id: string) => (input.parents[id] ?? []).filter((p) => inGraph.has(p));
  const children: Record<string, string[]> = {};
  for (const id of input.ids) {
    for (const p of parentsOf(id)) {
      if (!children[p]) children[p] = [];
      children[p].push(id);
    }
  }
  const childrenOf = (id: string) => children[id] ?? [];
  const name = (id: string) => input.names[id] ?? id;

  // Topological order: every parent's layer is known before its children's.
  const layerOf = new Map<string, number>();
  for (const id of input.ids) {
    let layer = 0;
    for (const p of parentsOf(id)) layer = Math.max(layer, (layerOf.get(p) ?? 0) + 1);
    layerOf.set(id, layer);
  }
  const layers: string[][] = [];
  for (const id of input.ids) {
    const l = layerOf.get(id) ?? 0;
    if (!layers[l]) layers[l] = [];
    layers[l].push(id);
  }
  for (const layer of layers) layer.sort((a, b) => name(a).localeCompare(name(b)));

  const position = new Map<string, number>();
  const renumber = (layer: string[]) => {
    layer.forEach((id, i) => {
      position.set(id, i);
    });
  };
  layers.forEach(renumber);
  const sweep = (layer: string[], neighbours: (id: string) => string[]) => {
    const centre = new Map<string, number>();
    for (const id of layer) {
      const ns = neighbours(id);
      let sum = 0;
      for (const n of ns) sum += position.get(n) ?? 0;
      centre.set(id, ns.length === 0 ? (position.get(id) ?? 0) : sum / ns.length);
    }
    layer.sort(
      (a, b) =>
        (centre.get(a) ?? 0) - (centre.get(b) ?? 0) || (position.get(a) ?? 0) - (position.get(b) ?? 0),
    );
    renumber(layer);
  };
  for (let i = 0; i < SWEEPS; i++) {
    for (let l = 1; l < layers.length; l++) sweep(layers[l] ?? [], parentsOf);
    for (let l = layers.length - 2; l >= 0; l--) sweep(layers[l] ?? [], childrenOf);
  }

  let tallest = 0;
  for (const layer of layers) tallest = Math.max(tallest, layer.length);
  const nodes: { id: string; layer: number; x: number; y: number }[] = [];
  const indexOf = new Map<string, number>();
  layers.forEach((layer, l) => {
    // Centre each column vertically, so short columns sit beside the middle of tall ones.
    const offset = ((tallest - layer.length) * (NODE_HEIGHT + ROW_GAP)) / 2;
    layer.forEach((id, i) => {
      indexOf.set(id, nodes.length);
      nodes.push({
        id,
        layer: l,
        x: MARGIN + l * (NODE_WIDTH + COLUMN_GAP),
        y: MARGIN + offset + i * (NODE_HEIGHT + ROW_GAP),
      });
    });
  });
  const edges: [number, number][] = [];
  for (const id of input.ids) {
    for (const p of parentsOf(id)) edges.push([indexOf.get(p) ?? 0, indexOf.get(id) ?? 0]);
  }
  return {
    nodes,
    edges,
    width: MARGIN * 2 + Math.max(0, layers.length * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP),
    height: MARGIN * 2 + Math.max(0, tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP),
    nodeWidth: NODE_WIDTH,
    nodeHeight: NODE_HEIGHT,
  };
}

/** The whole project's lineage: models, seeds and sources. */
export function lineageLayout(manifest: Manifest): Layout {
  const ids = topologicalOrder(manifest).filter(
    (id) => manifest.sources[id] !== undefined || manifest.nodes[id]?.resource_type !== "test",
  );
  const names: Record<string, string> = {};
  for (const id of ids) names[id] = manifest.sources[id]?.name ?? manifest.nodes[id]?.name ?? id;
  const out = layeredLayout({ ids, parents: manifest.parent_map, names });
  return {
    ...out,
    nodes: out.nodes.map((n) => ({
      ...n,
      name: names[n.id] ?? n.id,
      type: manifest.sources[n.id] ? "source" : (manifest.nodes[n.id]?.resource_type as "model" | "seed"),
    })),
  };
}

/** How many pairs of edges between the same two columns cross: what the ordering tries to keep low. */
export function countCrossings(layout: Pick<Layout, "nodes" | "edges">): number {
  let crossings = 0;
  const { nodes, edges } = layout;
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const [a, b] = edges[i]!;
      const [c, d] = edges[j]!;
      if (nodes[a]!.layer !== nodes[c]!.layer || nodes[b]!.layer !== nodes[d]!.layer) continue;
      if ((nodes[a]!.y - nodes[c]!.y) * (nodes[b]!.y - nodes[d]!.y) < 0) crossings++;
    }
  }
  return crossings;
}
