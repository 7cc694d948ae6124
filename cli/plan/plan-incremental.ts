import { ConfigError, FloeError } from "../../core/errors.js";
import type { ModelPlanInput } from "./model-plan-input.js";
import { planMicrobatch } from "./plan-microbatch.js";
import { createTableAs } from "./plan-table.js";
import { prepare } from "./prepare-relation.js";
import { describeDiff, diffSchemas, hasChanges, icebergType, type SchemaDiff } from "./schema-diff.js";
import { type ColumnDef, type KeyColumn, type Plan, plan, type Source, type Step } from "./steps.js";

/**
 * Incremental models. First run, a view in the way, or --full-refresh: one atomic CREATE OR REPLACE TABLE.
 * Otherwise the new rows go in with ONE statement (INSERT or MERGE), so a failing statement leaves the table
 * as it was. Schema changes that need ALTERs first stage the model's rows in `<name>__floe_tmp`, so the
 * model SQL (the likeliest thing to fail) has succeeded before the table is touched; columns to drop are
 * dropped only after the rows went in.
 */
export function planIncremental(input: ModelPlanInput): Plan {
  const { relation, state, config } = input;
  if (config.incremental_strategy === "microbatch") return planMicrobatch(input);
  if (state.kind !== "table" || input.fullRefresh) {
    return plan([...prepare(input, "table"), createTableAs(input, input.sql)]);
  }
  const tableColumns = state.columns ?? [];
  const modelColumns = input.modelColumns;
  if (modelColumns === undefined) {
    throw new Error(`planIncremental: the columns of ${relation.identifier}'s query were not described`);
  }
  const diff = diffSchemas(tableColumns, modelColumns);
  const mode = config.on_schema_change ?? "ignore";
  const strategy = config.incremental_strategy ?? (config.unique_key === undefined ? "append" : "merge");
  const keys = uniqueKeys(input, strategy, tableColumns, modelColumns);

  if (!hasChanges(diff) || mode === "ignore") {
    // ignore: write the columns both sides have. Removed columns get NULL in new rows instead of failing
    // (dbt-core#5816); new model columns are left out until a full refresh.
    const columns = diff.common.map((c) => c.name);
    return plan([write(strategy, input, { kind: "query", sql: input.sql }, columns, keys)]);
  }
  if (mode === "fail") {
    throw new FloeError(
      "SCHEMA_CHANGE",
      `The columns of ${relation.schema}.${relation.identifier} changed (${describeDiff(diff)}) and on_schema_change is 'fail'.`,
      {
        exitCode: 1,
        hint: "run with --full-refresh to rebuild the table, or set on_schema_change to append_new_columns or sync_all_columns.",
      },
    );
  }
  return planStagedSchemaChange(input, diff, mode, strategy, keys);
}

function planStagedSchemaChange(
  input: ModelPlanInput,
  diff: SchemaDiff,
  mode: "append_new_columns" | "sync_all_columns",
  strategy: Strategy,
  keys: readonly KeyColumn[],
): Plan {
  const { relation } = input;
  const tmp = { ...relation, identifier: `${relation.identifier}__floe_tmp` };
  const steps: Step[] = [
    {
      kind: "create-table-as",
      relation: tmp,
      source: { kind: "query", sql: input.sql },
      properties: [],
      replace: true,
    },
  ];
  if (mode === "sync_all_columns") {
    for (const change of diff.changed) {
      steps.push({
        kind: "set-column-type",
        relation,
        column: { name: change.name, type: icebergType(change.to) },
      });
    }
  }
  for (const col of diff.added) {
    steps.push({ kind: "add-column", relation, column: { name: col.name, type: icebergType(col.type) } });
  }
  const columns = [...diff.common.map((c) => c.name), ...diff.added.map((c) => c.name)];
  steps.push(write(strategy, input, { kind: "relation", relation: tmp }, columns, keys));
  if (mode === "sync_all_columns") {
    for (const col of diff.removed) steps.push({ kind: "drop-column", relation, column: col.name });
  }
  return plan(steps, [{ kind: "drop-relation", relation: tmp, relationType: "table" }]);
}

type Strategy = "append" | "merge" | "delete+insert";

function write(
  strategy: Strategy,
  input: ModelPlanInput,
  source: Source,
  columns: readonly string[],
  keys: readonly KeyColumn[],
): Step {
  const target = input.relation;
  const predicates = input.config.incremental_predicates ?? [];
  switch (strategy) {
    case "append":
      return { kind: "insert", target, columns, source };
    case "merge": {
      const keyNames = new Set(keys.map((k) => k.name.toLowerCase()));
      return {
        kind: "merge",
        target,
        source,
        keys,
        updateColumns: columns.filter((c) => !keyNames.has(c.toLowerCase())),
        insertColumns: columns,
        predicates,
      };
    }
    case "delete+insert":
      return { kind: "delete-insert", target, source, keys, columns, predicates };
  }
}

function uniqueKeys(
  input: ModelPlanInput,
  strategy: Strategy,
  tableColumns: readonly ColumnDef[],
  modelColumns: readonly ColumnDef[],
): KeyColumn[] {
  const raw = input.config.unique_key;
  const names = raw === undefined ? [] : typeof raw === "string" ? [raw] : [...raw];
  if (strategy === "append") return [];
  const where = `${input.relation.schema}.${input.relation.identifier}`;
  if (names.length === 0) {
    throw new ConfigError(
      `Incremental model ${where} uses incremental_strategy '${strategy}' but has no unique_key.`,
      {
        hint: "set unique_key (a column or a list of columns), or use incremental_strategy: append.",
      },
    );
  }
  return names.map((name) => {
    const inTable = tableColumns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    const inModel = modelColumns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (inTable === undefined || inModel === undefined) {
      throw new ConfigError(
        `unique_key column '${name}' of ${where} is not in the ${inModel === undefined ? "model's output" : "existing table"}.`,
        { hint: "fix unique_key, or run with --full-refresh if the table predates the key." },
      );
    }
    return { name: inTable.name, type: inTable.type };
  });
}
