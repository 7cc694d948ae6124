import type { ColumnDef } from "./steps.js";

/**
 * What exists in Trino where a node is about to be built, fetched by the executor layer (information_schema)
 * and handed to the pure planners as data.
 */
export type RelationState =
  | { readonly kind: "absent"; readonly schemaExists: boolean }
  | { readonly kind: "view" }
  | { readonly kind: "table"; readonly columns: readonly ColumnDef[] | undefined };

export const ABSENT_NO_SCHEMA: RelationState = { kind: "absent", schemaExists: false };
export const ABSENT: RelationState = { kind: "absent", schemaExists: true };
