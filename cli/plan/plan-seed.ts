import type { Relation } from "../../trino/dialect.js";
import type { SeedData } from "./parse-seed.js";
import { appendSteps, type NodeDocs, type PersistDocsConfig, planDocs } from "./plan-docs.js";
import { prepare } from "./prepare-relation.js";
import type { RelationState } from "./relation-state.js";
import { type Plan, plan, type Source, type Step } from "./steps.js";
import { type TablePropertyConfig, tableProperties } from "./table-properties.js";

export interface SeedPlanInput {
  readonly relation: Relation;
  readonly config: TablePropertyConfig & { readonly persist_docs?: PersistDocsConfig | undefined };
  readonly data: SeedData;
  readonly state: RelationState;
  readonly fullRefresh: boolean;
  readonly locationRoot: string | undefined;
  /** Rows per statement (dbt-trino uses 1000; Trino caps a statement's text). */
  readonly batchSize: number;
  /** The yml descriptions persist_docs writes. */
  readonly docs?: NodeDocs;
}

/** A seed's load, then persist_docs' COMMENTs (the table is always replaced, so only described columns). */
export function planSeed(input: SeedPlanInput): Plan {
  return appendSteps(
    planSeedLoad(input),
    planDocs({
      relation: input.relation,
      relationType: "table",
      persistDocs: input.config.persist_docs,
      docs: input.docs,
      columns: input.data.columns.map((c) => c.name),
      existed: input.state.kind !== "absent",
      keepsTable: false,
    }),
  );
}

/**
 * A seed that fits one batch is one atomic CREATE OR REPLACE TABLE ... AS SELECT ... FROM (VALUES ...).
 * Larger seeds load into `<name>__floe_tmp` batch by batch and are published from there with one
 * CREATE OR REPLACE, so readers never see a half-loaded seed and a bad value leaves the old table in place.
 * --full-refresh drops the table right before the publish (for a column type change that REPLACE cannot
 * commit, trino#25005).
 */
function planSeedLoad(input: SeedPlanInput): Plan {
  const { relation, data } = input;
  const properties = tableProperties(input.config);
  const steps: Step[] = [...prepare(input, "table")];
  const dropForRefresh: Step[] =
    input.fullRefresh && input.state.kind === "table"
      ? [{ kind: "drop-relation", relation, relationType: "table" }]
      : [];
  const batches = chunk(data.rows, input.batchSize).map(
    (rows): Source => ({ kind: "values", columns: data.columns, rows }),
  );
  const [first, ...rest] = batches;
  if (first === undefined) {
    return plan([
      ...steps,
      ...dropForRefresh,
      { kind: "create-table", relation, columns: data.columns, properties, replace: true },
    ]);
  }
  if (rest.length === 0) {
    return plan([
      ...steps,
      ...dropForRefresh,
      { kind: "create-table-as", relation, source: first, properties, replace: true },
    ]);
  }
  const tmp = { ...relation, identifier: `${relation.identifier}__floe_tmp` };
  const columns = data.columns.map((c) => c.name);
  steps.push({ kind: "create-table-as", relation: tmp, source: first, properties: [], replace: true });
  for (const source of rest) steps.push({ kind: "insert", target: tmp, columns, source });
  steps.push(...dropForRefresh, {
    kind: "create-table-as",
    relation,
    source: { kind: "relation", relation: tmp },
    properties,
    replace: true,
  });
  return plan(steps, [{ kind: "drop-relation", relation: tmp, relationType: "table" }]);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
