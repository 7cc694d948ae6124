import type { Relation } from "../../trino/dialect.js";
import type { ContractColumn } from "./contract.js";
import type { Batch } from "./microbatch.js";
import type { NodeDocs, PersistDocsConfig } from "./plan-docs.js";
import type { RelationState } from "./relation-state.js";
import type { ColumnDef } from "./steps.js";
import type { TablePropertyConfig } from "./table-properties.js";

export type Materialization = "view" | "table" | "incremental" | "ephemeral" | "materialized_view";

/** The resolved config keys the planners read (a subset of the compiler's ModelConfig). */
export interface ModelPlanConfig extends TablePropertyConfig {
  readonly materialized: Materialization;
  readonly unique_key?: string | readonly string[] | undefined;
  readonly incremental_strategy?: "append" | "merge" | "delete+insert" | "microbatch" | undefined;
  readonly on_schema_change?: "ignore" | "fail" | "append_new_columns" | "sync_all_columns" | undefined;
  readonly incremental_predicates?: readonly string[];
  readonly persist_docs?: PersistDocsConfig | undefined;
  /** materialized_view's `GRACE PERIOD`, as SQL. */
  readonly grace_period?: string | undefined;
  /** Microbatch: the column a batch's slice is cut on. */
  readonly event_time?: string | undefined;
}

export interface ModelPlanInput {
  readonly relation: Relation;
  readonly config: ModelPlanConfig;
  /** The compiled SQL: rendered with is_incremental() true iff `isIncrementalRun(...)` said so. */
  readonly sql: string;
  readonly state: RelationState;
  /**
   * The model query's output columns; needed for an incremental run on an existing table, and for
   * persist_docs' column comments (`wantsColumnDocs`).
   */
  readonly modelColumns?: readonly ColumnDef[];
  /** The yml descriptions persist_docs writes. */
  readonly docs?: NodeDocs;
  readonly fullRefresh: boolean;
  /** Microbatch: the batch this plan builds (its inputs are already filtered to it in `sql`). */
  readonly batch?: Batch;
  /** An enforced contract, already checked against the query: a table is built with its columns and types. */
  readonly contract?: readonly ContractColumn[];
  /** `s3://warehouse` → new schemas get `location = 's3://warehouse/<schema>'`. */
  readonly locationRoot: string | undefined;
}
