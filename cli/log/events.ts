import type { FinalStatus } from "../execute/node-state.js";

/**
 * What a run reports, as coded events. The text logger renders them as dbt-like lines; the JSON logger
 * prints one object per line. Codes are stable: scripts and CI parse them.
 */
export interface NodeRef {
  readonly uniqueId: string;
  readonly resourceType: "model" | "seed" | "snapshot" | "test" | "unit_test";
  /** `marts.fct_orders` for relations, the test's name for tests. */
  readonly displayName: string;
  /** `table model`, `seed file`, `test`. */
  readonly description: string;
}

export interface NodeResult extends NodeRef {
  readonly status: FinalStatus;
  readonly message: string;
  readonly startedAt: string | undefined;
  readonly completedAt: string | undefined;
  /** Seconds. */
  readonly executionTime: number;
  readonly trinoMillis: number;
  readonly rowsAffected?: number;
  readonly failures?: number;
  readonly queryIds: readonly string[];
  readonly compiledPath?: string;
  readonly runPath?: string;
  readonly relationName?: string;
  /** Up to `limit` failing rows of a test. */
  readonly sample?: { readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[] };
  /** For errors: where (file:line) and how to fix. */
  readonly errorCode?: string;
  readonly location?: string;
  readonly hint?: string;
  /** `Thread-<n>`: the run slot (of `--threads`) the node ran in; none when skipped. */
  readonly threadId?: string;
  /** For skipped nodes: the failed node that caused it (undefined: cancelled). */
  readonly skippedBecause?: string;
  /** Skipped by `--due` (not due, or nothing upstream changed): `message` says which, and it is no failure. */
  readonly reused?: boolean;
  /** Microbatch models: each batch's [start, end) by outcome (dbt 1.9's `batch_results`). */
  readonly batchResults?: BatchResults;
}

/** ISO UTC times, `[start, end]` per batch. */
export interface BatchResults {
  readonly successful: readonly (readonly [string, string])[];
  readonly failed: readonly (readonly [string, string])[];
}

export type RunEvent =
  | {
      readonly code: "RUN_STARTED";
      readonly command: string;
      readonly total: number;
      readonly threads: number;
      readonly counts: Readonly<Record<string, number>>;
      readonly target: string;
    }
  | { readonly code: "NODE_STARTED"; readonly index: number; readonly total: number; readonly node: NodeRef }
  | {
      /** A query of the node has run longer than the heartbeat period: Trino's progress so far. */
      readonly code: "NODE_PROGRESS";
      readonly index: number;
      readonly total: number;
      readonly node: NodeRef;
      readonly progress: {
        readonly queryId: string;
        readonly state: string;
        readonly progressPercentage: number | undefined;
        readonly processedRows: number;
        readonly processedBytes: number;
        readonly elapsedSeconds: number;
      };
    }
  | {
      readonly code: "NODE_FINISHED";
      readonly index: number;
      readonly total: number;
      readonly result: NodeResult;
    }
  | {
      /** An on-run-start / on-run-end statement of floe_project.yml ran. */
      readonly code: "HOOK_FINISHED";
      readonly hook: "on-run-start" | "on-run-end";
      readonly index: number;
      readonly total: number;
      readonly status: "success" | "error";
      readonly message: string;
      readonly executionTime: number;
    }
  | {
      /** Microbatch: one batch of a model done (progress while a backfill runs batch by batch). */
      readonly code: "BATCH_FINISHED";
      readonly node: NodeRef;
      readonly batchIndex: number;
      readonly batchTotal: number;
      readonly start: string;
      readonly end: string;
      readonly status: "success" | "error";
      readonly seconds: number;
      readonly rowsAffected?: number;
      readonly message?: string;
    }
  | {
      readonly code: "RUN_FINISHED";
      readonly command: string;
      readonly elapsedSeconds: number;
      readonly results: readonly NodeResult[];
      readonly cancelled: boolean;
      readonly runResultsPath: string;
    };

export interface RunLogger {
  event(event: RunEvent): void;
}
