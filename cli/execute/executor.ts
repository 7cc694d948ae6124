import { TrinoQueryError } from "../../trino/errors.js";
import { type RenderedStep, renderStep } from "../plan/render-step.js";
import { type Plan, type Step, writesRows } from "../plan/steps.js";
import type { NodeQueries } from "./node-queries.js";
import type { RelationCache } from "./relation-cache.js";

/** Shared by every node of a run. */
export interface ExecutionContext {
  readonly relations: RelationCache;
  /** `catalog.schema` → the CREATE SCHEMA in flight or done, so parallel nodes create a schema once. */
  readonly schemasCreated: Map<string, Promise<unknown>>;
}

export interface PlanOutcome {
  /** Rows written by the last row-writing step, as Trino counts them. */
  readonly rowsAffected: number | undefined;
}

/** A statement failed (a plan step, or the describe before planning); carries where the model SQL sits in it. */
export class StepFailedError extends Error {
  override readonly name = "StepFailedError";
  constructor(
    readonly rendered: RenderedStep,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Runs a plan's steps in order, each one statement, through the adapter; stops at the first failure
 * (wrapped in StepFailedError) and then still runs the plan's cleanup steps, ignoring their errors.
 */
export async function executePlan(plan: Plan, q: NodeQueries, ctx: ExecutionContext): Promise<PlanOutcome> {
  let rowsAffected: number | undefined;
  try {
    for (const step of plan.steps) {
      const count = await executeStep(step, q, ctx);
      if (writesRows(step) && count !== undefined) rowsAffected = count;
    }
  } finally {
    for (const step of plan.cleanup) {
      await executeStep(step, q, ctx).catch(() => undefined);
    }
  }
  return { rowsAffected };
}

async function executeStep(step: Step, q: NodeQueries, ctx: ExecutionContext): Promise<number | undefined> {
  switch (step.kind) {
    case "create-schema": {
      // Idempotent and shared: the first node to need a schema creates it, the others wait for that.
      const key = `${step.catalog}.${step.schema.toLowerCase()}`;
      let pending = ctx.schemasCreated.get(key);
      if (pending === undefined) {
        pending = run(step, q);
        ctx.schemasCreated.set(key, pending);
        pending.catch(() => ctx.schemasCreated.delete(key));
      }
      await pending;
      ctx.relations.apply(step);
      return undefined;
    }
    case "create-view":
    case "create-table":
    case "create-table-as":
    case "drop-relation":
    case "insert":
    case "merge":
    case "delete-insert":
    case "replace-slice":
    case "add-column":
    case "drop-column":
    case "set-column-type":
    case "comment-relation":
    case "comment-column":
    case "create-materialized-view":
    case "refresh-materialized-view":
    case "snapshot-merge":
    case "hook": {
      const count = await run(step, q);
      ctx.relations.apply(step);
      return count;
    }
  }
}

async function run(step: Step, q: NodeQueries): Promise<number | undefined> {
  const rendered = renderStep(step);
  try {
    const result = await q.query(rendered.sql);
    return result.updateCount;
  } catch (error) {
    if (error instanceof TrinoQueryError) throw new StepFailedError(rendered, error);
    throw error;
  }
}
