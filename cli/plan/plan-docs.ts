import type { Relation } from "../../trino/dialect.js";
import type { Plan, Step } from "./steps.js";

/**
 * dbt's `persist_docs`: after a model or seed is built, its yml descriptions become COMMENTs in Trino, where
 * BI tools read them (information_schema, JDBC REMARKS). On Trino 476's Iceberg connector a table's or view's
 * comment survives CREATE OR REPLACE while column comments do not, so: the relation comment is written when
 * there is a description and cleared (NULL) when an existing relation has none (a deleted description must
 * not linger); column comments are written for every described column the relation has, and cleared for
 * listed, undescribed columns only where the table is kept (an incremental run), the one case where an old
 * comment survives. A documented column the relation lacks is skipped, as dbt does.
 */
export interface PersistDocsConfig {
  readonly relation?: boolean | undefined;
  readonly columns?: boolean | undefined;
}

/** A node's descriptions from its yml: its own and each listed column's ("" when none). */
export interface NodeDocs {
  readonly description: string;
  readonly columns: readonly { readonly name: string; readonly description: string }[];
}

export interface DocsPlanInput {
  readonly relation: Relation;
  readonly relationType: "table" | "view";
  readonly persistDocs: PersistDocsConfig | undefined;
  readonly docs: NodeDocs | undefined;
  /** The relation's columns once the plan has run; undefined when unknown (every listed column is commented). */
  readonly columns: readonly string[] | undefined;
  /** The relation existed before the plan (its comment survives a CREATE OR REPLACE). */
  readonly existed: boolean;
  /** The plan keeps the existing table (an incremental run), so its column comments survive. */
  readonly keepsTable: boolean;
}

export function planDocs(input: DocsPlanInput): Step[] {
  const { relation, persistDocs, docs } = input;
  if (!persistDocs || !docs) return [];
  const steps: Step[] = [];
  if (persistDocs.relation) {
    const comment = text(docs.description);
    if (comment !== null || input.existed) {
      steps.push({ kind: "comment-relation", relation, relationType: input.relationType, comment });
    }
  }
  if (persistDocs.columns) {
    const existing =
      input.columns === undefined ? undefined : new Map(input.columns.map((c) => [c.toLowerCase(), c]));
    for (const column of docs.columns) {
      const name = existing === undefined ? column.name : existing.get(column.name.toLowerCase());
      if (name === undefined) continue;
      const comment = text(column.description);
      if (comment !== null || input.keepsTable)
        steps.push({ kind: "comment-column", relation, column: name, comment });
    }
  }
  return steps;
}

/** A model's or seed's descriptions (its manifest node's `description` and `columns`). */
export function docsOf(node: {
  readonly description: string;
  readonly columns: Readonly<Record<string, { readonly name: string; readonly description: string }>>;
}): NodeDocs {
  return {
    description: node.description,
    columns: Object.values(node.columns).map((c) => ({ name: c.name, description: c.description })),
  };
}

/** Whether planning the docs needs the relation's columns (a describe of the model's query). */
export function wantsColumnDocs(
  persistDocs: PersistDocsConfig | undefined,
  docs: NodeDocs | undefined,
): boolean {
  return persistDocs?.columns === true && (docs?.columns.length ?? 0) > 0;
}

/** `plan`'s steps, then `after` (before its cleanup, which still runs last). */
export function appendSteps(plan: Plan, after: readonly Step[]): Plan {
  return after.length === 0 ? plan : { steps: [...plan.steps, ...after], cleanup: plan.cleanup };
}

/** YAML block scalars (`description: >`) end in a newline that is not part of the text. */
function text(description: string): string | null {
  const trimmed = description.trim();
  return trimmed === "" ? null : trimmed;
}
