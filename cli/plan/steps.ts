import type { Relation } from "../../trino/dialect.js";

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
    }
  | {
      readonly kind: "create-table";
      readonly relation: Relation;
      /** `notNull`: an enforced contract's `not_null` constraint (Iceberg enforces NOT NULL on writes). */
      readonly columns: readonly (ColumnDef & { readonly notNull?: boolean })[];
      readonly properties: TableProperties;
      readonly replace: boolean;
    }
  | { readonly kind: "drop-relation"; readonly relation: Relation; readonly relationType: "table" | "view" }
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

export type StepKind = Step["kind"];

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
      return true;
    default:
      return false;
  }
}
