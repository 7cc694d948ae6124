import type { Relation } from "../../trino/dialect.js";
import type { SnapshotMetaColumn } from "../manifest/config.js";

/**
 * A materialization plan as data: one typed step per SQL statement. Planners (pure) build them from the
 * node's config and the existing relation's state; one executor renders and runs them in order. Keeping
 * the plan as data is what makes every materialization testable as golden SQL without a Trino.
 */

export interface ColumnDef {
  readonly name: string;
  /** A Trino type, as Trino spells it (`bigint`, `varchar`, `timestamp(6)`, `decimal(10, 2)`). */
  readonly type: string;
}

/** `WITH (...)` on CREATE TABLE: Iceberg properties, already rendered as SQL values. */
export type TableProperties = readonly (readonly [name: string, sqlValue: string])[];

/** What a DML step reads: the model's own SQL (inlined) or a staged relation. */
export type Source =
  | { readonly kind: "query"; readonly sql: string }
  | { readonly kind: "relation"; readonly relation: Relation }
  | {
      /** Seed rows: text literals (or NULL) cast to the column types. */
      readonly kind: "values";
      readonly columns: readonly ColumnDef[];
      readonly rows: readonly (readonly (string | null)[])[];
    };

/** A unique-key column with its type in the target, which decides how NULL keys are matched. */
export interface KeyColumn {
  readonly name: string;
  readonly type: string | undefined;
}

export type Step =
  | {
      readonly kind: "create-schema";
      readonly catalog: string;
      readonly schema: string;
      readonly location: string | undefined;
    }
  | { readonly kind: "create-view"; readonly relation: Relation; readonly sql: string }
  | {
      readonly kind: "create-table-as";
      readonly relation: Relation;
      readonly source: Source;
      readonly properties: TableProperties;
      /** CREATE OR REPLACE (atomic on Iceberg, keeps history) vs plain CREATE. */
      readonly replace: boolean;
      /** Only these columns (in this order) from the source, cast to these types; all columns when absent. */
      readonly columns?: readonly ColumnDef[];
      /** Only the source rows matching this predicate (a microbatch's first batch: its time slice). */
      readonly where?: string;
    }
  | {
      readonly kind: "create-table";
      readonly relation: Relation;
      /** `notNull`: an enforced contract's `not_null` constraint (Iceberg enforces NOT NULL on writes). */
      readonly columns: readonly (ColumnDef & { readonly notNull?: boolean })[];
      readonly properties: TableProperties;
      readonly replace: boolean;
    }
  | { readonly kind: "drop-relation"; readonly relation: Relation; readonly relationType: RelationType }
  | {
      readonly kind: "create-materialized-view";
      readonly relation: Relation;
      readonly sql: string;
      /** Trino's `GRACE PERIOD` as SQL (`INTERVAL '1' HOUR`); none: stale data is never served. */
      readonly gracePeriod: string | undefined;
      /** CREATE OR REPLACE: a changed definition or --full-refresh. */
      readonly replace: boolean;
      /** The view's COMMENT: the digest of its definition, read back on the next run. */
      readonly comment: string;
    }
  | { readonly kind: "refresh-materialized-view"; readonly relation: Relation }
  /** A pre_hook / post_hook statement (already rendered), run as part of its node. */
  | { readonly kind: "hook"; readonly when: "pre" | "post"; readonly sql: string }
  /** A snapshot's run after the first: one MERGE of new versions and closed ones (snapshot-sql.ts). */
  | { readonly kind: "snapshot-merge"; readonly spec: SnapshotSpec }
  | {
      readonly kind: "insert";
      readonly target: Relation;
      readonly columns: readonly string[];
      readonly source: Source;
    }
  | {
      readonly kind: "merge";
      readonly target: Relation;
      readonly source: Source;
      readonly keys: readonly KeyColumn[];
      /** Non-key columns updated on a match (may be empty: then matched rows are left alone). */
      readonly updateColumns: readonly string[];
      readonly insertColumns: readonly string[];
      readonly predicates: readonly string[];
    }
  | {
      /** delete+insert as ONE statement (a MERGE), so a failure leaves the table unchanged. */
      readonly kind: "delete-insert";
      readonly target: Relation;
      readonly source: Source;
      readonly keys: readonly KeyColumn[];
      readonly columns: readonly string[];
      readonly predicates: readonly string[];
    }
  | {
      /**
       * Microbatch: the target's rows in [start, end) of `eventTime` replaced by the source's rows in that
       * slice, as ONE MERGE (one Iceberg commit), so a failed batch leaves its slice as it was.
       */
      readonly kind: "replace-slice";
      readonly target: Relation;
      readonly source: Source;
      readonly columns: readonly string[];
      readonly eventTime: string;
      readonly batch: { readonly start: string; readonly end: string };
    }
  | { readonly kind: "add-column"; readonly relation: Relation; readonly column: ColumnDef }
  | { readonly kind: "drop-column"; readonly relation: Relation; readonly column: string }
  | { readonly kind: "set-column-type"; readonly relation: Relation; readonly column: ColumnDef }
  | {
      /** persist_docs: the relation's description as its COMMENT; null clears a stale one. */
      readonly kind: "comment-relation";
      readonly relation: Relation;
      readonly relationType: "table" | "view";
      readonly comment: string | null;
    }
  | {
      /** persist_docs: a column's description as its COMMENT; null clears a stale one. */
      readonly kind: "comment-column";
      readonly relation: Relation;
      readonly column: string;
      readonly comment: string | null;
    };

/** What a snapshot's MERGE is made of (rendered by snapshot-sql.ts). */
export interface SnapshotSpec {
  readonly target: Relation;
  /** The snapshot's query. */
  readonly sql: string;
  /** The query's output columns. */
  readonly columns: readonly ColumnDef[];
  readonly uniqueKey: readonly string[];
  readonly strategy: "timestamp" | "check";
  readonly updatedAt: string | undefined;
  /** check: the columns compared (check_cols: all resolved to every column of the query). */
  readonly checkCols: readonly string[];
  readonly hardDeletes: "ignore" | "invalidate" | "new_record";
  /** SQL for valid_to of current versions instead of NULL (dbt's `dbt_valid_to_current`). */
  readonly validToCurrent: string | undefined;
  readonly names: Readonly<Record<SnapshotMetaColumn, string>>;
  /** The type of the timestamps (`updated_at`'s, at Iceberg's precision 6). */
  readonly timeType: string;
}

export type StepKind = Step["kind"];

/** The kinds of relation a model builds (and a plan may have to drop). */
export type RelationType = "table" | "view" | "materialized_view";

export interface Plan {
  readonly steps: readonly Step[];
  /** Run after the steps whatever happened (dropping a staging table); failures here are ignored. */
  readonly cleanup: readonly Step[];
}

export function plan(steps: readonly Step[], cleanup: readonly Step[] = []): Plan {
  return { steps, cleanup };
}

/** Steps that write rows and report a row count; the node's "rows" is the last such step's count. */
export function writesRows(step: Step): boolean {
  switch (step.kind) {
    case "create-table-as":
    case "insert":
    case "merge":
    case "delete-insert":
    case "refresh-materialized-view":
    case "snapshot-merge":
    case "replace-slice":
      return true;
    default:
      return false;
  }
}
