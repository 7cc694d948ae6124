import { quoteIdentifier } from "../../trino/dialect.js";
import type { ContractColumn } from "./contract.js";
import type { ModelPlanInput } from "./model-plan-input.js";
import { prepare } from "./prepare-relation.js";
import { type Plan, plan, type Step } from "./steps.js";
import { tableProperties } from "./table-properties.js";

/** `table`: one atomic CREATE OR REPLACE TABLE ... AS (Iceberg keeps the history; a failure keeps the old table). */
export function planTable(input: ModelPlanInput): Plan {
  if (input.contract) return planContractTable(input, input.contract);
  return plan([...prepare(input, "table"), createTableAs(input, input.sql)]);
}

/**
 * A contracted table: the contract's columns, in its order, cast to its types. Without NOT NULL columns
 * that is one atomic CREATE OR REPLACE ... AS. With them (CTAS cannot declare NOT NULL) the rows are first
 * written to `<name>__floe_tmp` declared with NOT NULL, where Iceberg rejects a NULL before the table is
 * touched; then the table is replaced with the same declaration and filled from the staged rows, so it is
 * empty only between those two statements (dbt-trino's contract path is the same two statements, unstaged).
 */
function planContractTable(input: ModelPlanInput, contract: readonly ContractColumn[]): Plan {
  const columns = contract.map((c) => ({ name: c.name, type: c.type }));
  const properties = tableProperties(input.config);
  if (!contract.some((c) => c.notNull)) {
    return plan([
      ...prepare(input, "table"),
      {
        kind: "create-table-as",
        relation: input.relation,
        source: { kind: "query", sql: input.sql },
        properties,
        replace: true,
        columns,
      },
    ]);
  }
  const tmp = { ...input.relation, identifier: `${input.relation.identifier}__floe_tmp` };
  const names = contract.map((c) => c.name);
  const casts = contract
    .map((c) => `CAST(${quoteIdentifier(c.name)} AS ${c.type}) AS ${quoteIdentifier(c.name)}`)
    .join(", ");
  return plan(
    [
      ...prepare(input, "table"),
      { kind: "create-table", relation: tmp, columns: contract, properties: [], replace: true },
      {
        kind: "insert",
        target: tmp,
        columns: names,
        source: { kind: "query", sql: `SELECT ${casts}\nFROM (\n${input.sql}\n) AS floe_contract` },
      },
      { kind: "create-table", relation: input.relation, columns: contract, properties, replace: true },
      { kind: "insert", target: input.relation, columns: names, source: { kind: "relation", relation: tmp } },
    ],
    [{ kind: "drop-relation", relation: tmp, relationType: "table" }],
  );
}

export function createTableAs(
  input: Pick<ModelPlanInput, "relation" | "config">,
  sql: string,
): Extract<Step, { kind: "create-table-as" }> {
  return {
    kind: "create-table-as",
    relation: input.relation,
    source: { kind: "query", sql },
    properties: tableProperties(input.config),
    replace: true,
  };
}
