import { ConfigError } from "../../core/errors.js";
import type { SnapshotConfig } from "../manifest/config.js";
import type { Relation } from "../manifest/manifest.js";
import { prepare } from "./prepare-relation.js";
import type { RelationState } from "./relation-state.js";
import { snapshotInitialSelect, snapshotTimeType } from "./snapshot-sql.js";
import { type ColumnDef, type Plan, plan, type SnapshotSpec, type Step } from "./steps.js";
import { tableProperties } from "./table-properties.js";

export interface SnapshotPlanInput {
  readonly relation: Relation;
  readonly config: SnapshotConfig;
  /** The snapshot's compiled query. */
  readonly sql: string;
  /** Its output columns (described by the runner). */
  readonly columns: readonly ColumnDef[];
  readonly state: RelationState;
  readonly locationRoot: string | undefined;
  /** The snapshot's file, for errors. */
  readonly file: string;
}

/**
 * Pure: a snapshot → its plan. No table yet: CREATE TABLE AS the query's rows as first versions. A table:
 * columns the query gained are added (dbt does the same; a dropped one stays, NULL from then on), then one
 * MERGE (snapshot-sql.ts). --full-refresh does not apply: the history is the point of a snapshot.
 */
export function planSnapshot(input: SnapshotPlanInput): Plan {
  const spec = snapshotSpec(input);
  const { state, relation } = input;
  if (state.kind !== "table") {
    return plan([
      ...prepare(input, "table"),
      {
        kind: "create-table-as",
        relation,
        source: { kind: "query", sql: snapshotInitialSelect(spec) },
        properties: tableProperties(input.config),
        replace: false,
      },
    ]);
  }
  const existing = new Set((state.columns ?? []).map((c) => c.name.toLowerCase()));
  const added: Step[] = input.columns
    .filter((c) => !existing.has(c.name.toLowerCase()))
    .map((column) => ({ kind: "add-column", relation, column }));
  const deleted = input.config.snapshot_meta_column_names.dbt_is_deleted;
  if (input.config.hard_deletes === "new_record" && !existing.has(deleted.toLowerCase())) {
    // hard_deletes switched to new_record on an existing snapshot: the column starts NULL ('False').
    added.push({ kind: "add-column", relation, column: { name: deleted, type: "varchar" } });
  }
  return plan([...added, { kind: "snapshot-merge", spec }]);
}

/** The config checked against the query's columns, resolved into what the SQL needs. */
export function snapshotSpec(input: SnapshotPlanInput): SnapshotSpec {
  const { config, columns, file } = input;
  const has = (name: string) => columns.some((c) => c.name.toLowerCase() === name.toLowerCase());
  const keys = typeof config.unique_key === "string" ? [config.unique_key] : config.unique_key;
  const missing = (what: string, names: readonly string[]) => {
    const absent = names.filter((n) => !has(n));
    if (absent.length > 0) {
      throw new ConfigError(`snapshot ${what} ${absent.map((n) => `'${n}'`).join(", ")} not in its query.`, {
        location: { file },
        hint: `the query has ${columns.map((c) => c.name).join(", ")}; fix ${what.split(" ")[0]} or the query.`,
      });
    }
  };
  missing("unique_key", keys);
  if (config.updated_at !== undefined) missing("updated_at", [config.updated_at]);
  const checkCols =
    config.strategy === "check"
      ? config.check_cols === "all" || config.check_cols === undefined
        ? columns.map((c) => c.name)
        : config.check_cols
      : [];
  missing("check_cols", checkCols);
  const timeType = snapshotTimeType(columns, config.updated_at) ?? "timestamp(6) with time zone";
  return {
    target: input.relation,
    sql: input.sql,
    columns,
    uniqueKey: keys,
    strategy: config.strategy,
    updatedAt: config.updated_at,
    checkCols,
    hardDeletes: config.hard_deletes,
    validToCurrent: config.dbt_valid_to_current,
    names: config.snapshot_meta_column_names,
    timeType,
  };
}
