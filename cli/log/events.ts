import type { FinalStatus } from "../execute/node-state.js";

/**
 * What a run reports, as coded events. The text logger renders them as dbt-like lines; the JSON logger
 * prints one object per line. Codes are stable: scripts and CI parse them.
 */
export interface NodeRef {
  readonly uniqueId: string;
  readonly resourceType: "model" | "seed" | "test" | "unit_test";
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
  /** For skipped nodes: the failed node that caused it (undefined: cancelled). */
  readonly skippedBecause?: string;
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
      readonly code: "NODE_FINISHED";
      readonly index: number;
      readonly total: number;
      readonly result: NodeResult;
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
