import type { TrinoConnection } from "../../trino/connection.js";
import type { ParsedProject } from "../compile/compile.js";
import type { ExecutionContext } from "../execute/executor.js";
import type { BatchResults, RunEvent } from "../log/events.js";
import type { Batch } from "../plan/microbatch.js";
import type { NodeRenderer } from "../render/render-node.js";
import type { TestBatches } from "./test-batches.js";

/** Everything a node needs while a run lasts (passed in, never global). */
export interface RunContext {
  readonly project: ParsedProject;
  readonly renderer: NodeRenderer;
  readonly connection: TrinoConnection;
  readonly signal: AbortSignal;
  readonly exec: ExecutionContext;
  readonly fullRefresh: boolean;
  readonly storeFailures: boolean;
  /** New schemas get `location = '<root>/<schema>'` (Trino 476 + the REST catalog needs one). */
  readonly locationRoot: string | undefined;
  /** Writes a file under the project root (target/run/, target/compiled/). */
  readonly writeArtifact: (relativePath: string, content: string) => void;
  readonly readProjectFile: (relativePath: string) => string;
  readonly microbatch: MicrobatchRun;
  /** Tests counted together per model (absent with `--no-batch-tests`). */
  readonly testBatches?: TestBatches;
}

/** What microbatch models read of the run: the clock, the backfill range, retried batches, progress. */
export interface MicrobatchRun {
  readonly now: () => Date;
  /** `--event-time-start` / `--event-time-end`. */
  readonly eventTimeStart?: Date | undefined;
  readonly eventTimeEnd?: Date | undefined;
  /** `floe retry`: unique_id → the batches that failed last time (only those run). */
  readonly retry: ReadonlyMap<string, readonly Batch[]>;
  readonly onBatch: (uniqueId: string, progress: BatchProgress) => void;
}

export type BatchProgress = Omit<Extract<RunEvent, { code: "BATCH_FINISHED" }>, "code" | "node">;

/** What a node runner reports back; the task turns it into a NodeResult. */
export interface NodeOutcome {
  readonly status: "success" | "error" | "pass" | "warn" | "fail";
  readonly message: string;
  readonly rowsAffected?: number;
  readonly failures?: number;
  readonly runPath?: string;
  readonly sample?: { readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[] };
  readonly errorCode?: string;
  readonly location?: string;
  readonly hint?: string;
  readonly batchResults?: BatchResults;
}
