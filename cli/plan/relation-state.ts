import type { ColumnDef } from "./steps.js";

/**
 * What exists in Trino where a node is about to be built, fetched by the executor layer (information_schema)
 * and handed to the pure planners as data.
 */
export type RelationState =
  | { readonly kind: "absent"; readonly schemaExists: boolean }
  | { readonly kind: "view" }
  /**
   * `comment`: the view's COMMENT (system.metadata.materialized_views), where Floe keeps a digest of the
   * definition it created: Trino stores the query reformatted, so the text itself cannot be compared.
   */
  | { readonly kind: "materialized_view"; readonly comment: string | undefined }
  | { readonly kind: "table"; readonly columns: readonly ColumnDef[] | undefined };

export const ABSENT_NO_SCHEMA: RelationState = { kind: "absent", schemaExists: false };
export const ABSENT: RelationState = { kind: "absent", schemaExists: true };
