import { blocksDownstream, type FinalStatus, isFinal, type NodeStatus, transition } from "./node-state.js";

export interface SchedulerNode {
  readonly id: string;
  /** Ids of nodes in this run that must finish first (ids outside the run are ignored). */
  readonly dependsOn: readonly string[];
}

export interface SchedulerOptions {
  readonly nodes: readonly SchedulerNode[];
  readonly threads: number;
  readonly signal?: AbortSignal;
  /** Runs one node; a thrown error counts as "error" (callers normally return a status). */
  readonly execute: (id: string) => Promise<Exclude<FinalStatus, "skipped">>;
  /**
   * Asked of a ready node (without side effects): true when it would only wait on work a node already
   * started does (a data test whose combined count its batch's first test is fetching), so it starts at
   * once beside the `threads` others instead of holding a thread idle.
   */
  readonly holdsNoThread?: (id: string) => boolean;
  /** `cause` is the failed upstream node, or undefined when the run was cancelled. */
  readonly onSkip: (id: string, cause: string | undefined) => void;
}

/**
 * Runs a DAG with at most `threads` nodes at once. A node starts when all its upstream nodes are final and
 * none of them blocks (error, fail, skipped); otherwise it is skipped, which in turn skips its own
 * downstream. Nodes are started in the given order among the ready ones, so the caller's DAG order (the
 * compiler's) decides ties. Cancellation skips whatever has not started and waits for running nodes.
 */
export async function runScheduler(options: SchedulerOptions): Promise<Map<string, FinalStatus>> {
  const { nodes, signal } = options;
  const threads = Math.max(1, Math.floor(options.threads));
  const ids = new Set(nodes.map((n) => n.id));
  const deps = new Map(
    nodes.map((n) => [n.id, [...new Set(n.dependsOn)].filter((d) => ids.has(d) && d !== n.id)]),
  );
  const state = new Map<string, NodeStatus>(nodes.map((n) => [n.id, "pending"]));
  const order = nodes.map((n) => n.id);
  let running = 0;
  // Started nodes that hold no thread (see holdsNoThread).
  let waiting = 0;
  // A node skipped because of a skipped node is reported with the failure that started the chain.
  const skippedBy = new Map<string, string>();
  const skip = (id: string, cause: string | undefined) => {
    state.set(id, transition(state.get(id)!, { type: "skip" }));
    if (cause !== undefined) skippedBy.set(id, skippedBy.get(cause) ?? cause);
    options.onSkip(id, cause === undefined ? undefined : (skippedBy.get(cause) ?? cause));
  };

  return new Promise((resolve, reject) => {
    const finishIfDone = () => {
      if (running === 0 && waiting === 0 && order.every((id) => isFinal(state.get(id)!))) {
        resolve(new Map(order.map((id) => [id, state.get(id) as FinalStatus])));
        return true;
      }
      return false;
    };

    const pump = () => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const id of order) {
          if (state.get(id) !== "pending") continue;
          if (signal?.aborted) {
            skip(id, undefined);
            progressed = true;
            continue;
          }
          const upstream = deps.get(id)!;
          const blocker = upstream.find((d) => blocksDownstream(state.get(d)!));
          if (blocker !== undefined) {
            skip(id, blocker);
            progressed = true;
            continue;
          }
          if (!upstream.every((d) => isFinal(state.get(d)!))) continue;
          const holdsThread = options.holdsNoThread?.(id) !== true;
          if (holdsThread && running >= threads) continue;
          state.set(id, transition("pending", { type: "start" }));
          if (holdsThread) running++;
          else waiting++;
          progressed = true;
          void options
            .execute(id)
            .catch(() => "error" as const)
            .then((status) => {
              state.set(id, transition("running", { type: "finish", status }));
              if (holdsThread) running--;
              else waiting--;
              if (!finishIfDone()) pump();
            })
            .catch(reject);
        }
      }
      if (finishIfDone()) return;
      if (running === 0 && waiting === 0) {
        // Nothing runs and nothing can start: the graph has a cycle among the pending nodes.
        const stuck = order.filter((id) => state.get(id) === "pending");
        throw new Error(`scheduler: no runnable node among ${stuck.join(", ")} (dependency cycle?)`);
      }
    };

    const safePump = () => {
      try {
        pump();
      } catch (error) {
        reject(error);
      }
    };
    signal?.addEventListener("abort", safePump, { once: true });
    safePump();
  });
}
