import { CancelledError } from "../../core/errors.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { runScheduler } from "../execute/scheduler.js";
import type { Manifest } from "../manifest/manifest.js";
import { explainPlan } from "./explain.js";
import type { EnginePlan } from "./plan-checks.js";
import type { NodeValidation, ValidateEvent } from "./validate-events.js";

export interface EngineCheckOptions {
  readonly manifest: Manifest;
  readonly connection: TrinoConnection;
  readonly threads: number;
  readonly signal?: AbortSignal;
  readonly onEvent: (event: ValidateEvent) => void;
  readonly readProjectFile: (path: string) => string;
}

/**
 * EXPLAINs the plans on the executor's DAG scheduler, `threads` at once: a node waits for the upstream
 * models inlined into it (their SQL is part of its statement), and is "not checked" when one of them is
 * not OK. Results come in the order they finish.
 */
export async function runEngineChecks(
  plans: readonly EnginePlan[],
  options: EngineCheckOptions,
): Promise<NodeValidation[]> {
  const results = new Map<string, NodeValidation>();
  const finished: NodeValidation[] = [];
  const record = (result: NodeValidation) => {
    results.set(result.uniqueId, result);
    finished.push(result);
    options.onEvent({ code: "NODE_VALIDATED", index: finished.length, total: plans.length, result });
  };
  // Nodes that cannot be checked are known before any EXPLAIN, and nothing that is checked inlines them
  // (plan-checks.ts blocks their dependents too): they are reported first and take no thread.
  const checked: Extract<EnginePlan, { check: true }>[] = [];
  for (const plan of plans) {
    if (plan.check) checked.push(plan);
    else
      record({
        ...identity(plan, options.manifest),
        status: "not checked",
        message: plan.reason,
        executionTime: 0,
      });
  }
  const byId = new Map(checked.map((plan) => [plan.id, plan]));
  // A failure that is no verdict on the SQL (Ctrl-C, Trino gone) ends validate with that error: no
  // node starts after it.
  const stop = new AbortController();
  let thrown: { readonly error: unknown } | undefined;
  let cutShort = false;
  await runScheduler({
    nodes: checked.map((plan) => ({ id: plan.id, dependsOn: plan.inlined })),
    threads: options.threads,
    signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
    execute: async (id) => {
      const plan = byId.get(id)!;
      const t0 = performance.now();
      try {
        const result = await explainPlan(plan, identity(plan, options.manifest), options);
        record({ ...result, executionTime: (performance.now() - t0) / 1000 });
        // An error stops what inlines this node, as a failed model stops its downstream in a run.
        return result.status === "ok" ? "success" : "error";
      } catch (error) {
        thrown ??= { error };
        stop.abort();
        throw error;
      }
    },
    onSkip: (id, cause) => {
      // Cancelled or stopped: validate ends with an error below and reports no result for this node.
      if (cause === undefined) {
        cutShort = true;
        return;
      }
      const plan = byId.get(id)!;
      const broken = plan.inlined
        .map((up) => results.get(up))
        .find((r) => r !== undefined && r.status !== "ok");
      if (!broken) return;
      record({
        ...identity(plan, options.manifest),
        status: "not checked",
        message: `upstream ${broken.name} ${broken.status === "error" ? "has errors" : "was not checked"}`,
        executionTime: 0,
      });
    },
  });
  if (thrown) throw thrown.error;
  if (cutShort) throw new CancelledError();
  return finished;
}

function identity(
  plan: EnginePlan,
  manifest: Manifest,
): Pick<NodeValidation, "uniqueId" | "name" | "resourceType" | "inlined"> {
  const node = manifest.nodes[plan.id]!;
  return {
    uniqueId: plan.id,
    name: node.name,
    resourceType: node.resource_type as "model" | "test",
    inlined: plan.inlined,
  };
}
