import type { Manifest } from "../artifacts/manifest.js";
import { topologicalOrder } from "../graph/graph.js";

/**
 * The lineage graph's geometry, computed once at `docs generate` time so the page only draws it: a
 * layered (Sugiyama-style) layout. Columns are the longest path from a root (sources and seeds on the
 * left, marts on the right); within a column, nodes are ordered by the mean position of their neighbours
 * (barycentre heuristic, a few sweeps each way), which keeps most edges short and uncrossed. Tests are
 * not drawn (dbt's lineage graph leaves them out too). Pure.
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

const NODE_WIDTH = 180;
const NODE_HEIGHT = 28;
const COLUMN_GAP = 80;
const ROW_GAP = 14;
const MARGIN = 20;
const SWEEPS = 4;

export function lineageLayout(manifest: Manifest): Layout {
  const drawn = topologicalOrder(manifest).filter(
    (id) => manifest.sources[id] !== undefined || manifest.nodes[id]?.resource_type !== "test",
  );
  const inGraph = new Set(drawn);
  const parentsOf = (id: string) => (manifest.parent_map[id] ?? []).filter((p) => inGraph.has(p));
  const childrenOf = (id: string) => (manifest.child_map[id] ?? []).filter((c) => inGraph.has(c));

  // Topological order: every parent's layer is known before its children's.
  const layerOf = new Map<string, number>();
  for (const id of drawn) {
    const parents = parentsOf(id);
    layerOf.set(id, parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => layerOf.get(p)!)));
  }
  const layers: string[][] = [];
  for (const id of drawn) {
    const l = layerOf.get(id)!;
    if (!layers[l]) layers[l] = [];
    layers[l].push(id);
  }
  for (const layer of layers) layer.sort((a, b) => nameOf(manifest, a).localeCompare(nameOf(manifest, b)));

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
      centre.set(
        id,
        ns.length === 0 ? position.get(id)! : ns.reduce((sum, n) => sum + position.get(n)!, 0) / ns.length,
      );
    }
    layer.sort((a, b) => centre.get(a)! - centre.get(b)! || position.get(a)! - position.get(b)!);
    renumber(layer);
  };
  for (let i = 0; i < SWEEPS; i++) {
    for (let l = 1; l < layers.length; l++) sweep(layers[l]!, parentsOf);
    for (let l = layers.length - 2; l >= 0; l--) sweep(layers[l]!, childrenOf);
  }

  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const height = MARGIN * 2 + Math.max(0, tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP);
  const nodes: LayoutNode[] = [];
  const indexOf = new Map<string, number>();
  layers.forEach((layer, l) => {
    // Centre each column vertically, so short columns sit beside the middle of tall ones.
    const offset = ((tallest - layer.length) * (NODE_HEIGHT + ROW_GAP)) / 2;
    layer.forEach((id, i) => {
      indexOf.set(id, nodes.length);
      nodes.push({
        id,
        name: nameOf(manifest, id),
        type: manifest.sources[id] ? "source" : (manifest.nodes[id]!.resource_type as "model" | "seed"),
        layer: l,
        x: MARGIN + l * (NODE_WIDTH + COLUMN_GAP),
        y: MARGIN + offset + i * (NODE_HEIGHT + ROW_GAP),
      });
    });
  });
  const edges: [number, number][] = [];
  for (const id of drawn) {
    for (const parent of parentsOf(id)) edges.push([indexOf.get(parent)!, indexOf.get(id)!]);
  }
  return {
    nodes,
    edges,
    width: MARGIN * 2 + Math.max(0, layers.length * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP),
    height,
    nodeWidth: NODE_WIDTH,
    nodeHeight: NODE_HEIGHT,
  };
}

function nameOf(manifest: Manifest, id: string): string {
  return manifest.sources[id]?.name ?? manifest.nodes[id]?.name ?? id;
}

/** How many pairs of edges between the same two columns cross: what the ordering tries to keep low. */
export function countCrossings(layout: Layout): number {
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
