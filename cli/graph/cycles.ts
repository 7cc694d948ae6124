/**
 * Finds one cycle in a directed graph (edges parent → child), returned as a path whose first and last
 * element are the same node, or undefined when the graph is acyclic. Iterative DFS: deep chains of 10,000
 * models must not overflow the stack.
 */
export function findCycle(
  nodes: readonly string[],
  children: (id: string) => readonly string[],
): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  for (const start of [...nodes].sort()) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const iterators: Iterator<string>[] = [children(start)[Symbol.iterator]()];
    state.set(start, 1);
    while (path.length > 0) {
      const next = iterators.at(-1)?.next();
      if (!next || next.done) {
        state.set(path.pop() as string, 2);
        iterators.pop();
        continue;
      }
      const child = next.value;
      const seen = state.get(child);
      if (seen === 1) return [...path.slice(path.indexOf(child)), child];
      if (seen === 2) continue;
      state.set(child, 1);
      path.push(child);
      iterators.push(children(child)[Symbol.iterator]());
    }
  }
  return undefined;
}
