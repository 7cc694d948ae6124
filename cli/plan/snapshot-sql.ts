import { quoteIdentifier, quoteRelation } from "../../trino/dialect.js";
import type { ColumnDef, SnapshotSpec } from "./steps.js";

/**
 * The SQL of a snapshot (SCD type 2, dbt's semantics and column names): the first build's SELECT, and
 * every later run's one MERGE, so a failed run leaves the history as it was. Pure.
 *
 * A row's version is current while its valid_to is NULL (or `dbt_valid_to_current`). Each run compares
 * the query's rows with the current versions by unique key: a new key, or a changed row (timestamp: a
 * later `updated_at`; check: a `check_cols` value that differs), inserts a version and closes the old one
 * (valid_to = the new version's updated_at). A key gone from the query is, by `hard_deletes`: left alone
 * (ignore), closed at the run's time (invalidate), or closed and followed by a version with
 * dbt_is_deleted 'True' (new_record), which a returning key closes in turn. What the SQL is made of,
 * `SnapshotSpec`, lives with the plan steps (steps.ts).
 */
const q = quoteIdentifier;

/** The timestamps' type: updated_at's (timestamp(3) → timestamp(6): Iceberg stores microseconds only). */
export function snapshotTimeType(
  columns: readonly ColumnDef[],
  updatedAt: string | undefined,
): string | undefined {
  if (updatedAt === undefined) return "timestamp(6) with time zone";
  const column = columns.find((c) => c.name.toLowerCase() === updatedAt.toLowerCase());
  if (!column) return undefined;
  return column.type.replace(/^timestamp\(\d+\)/, "timestamp(6)");
}

/** The first build: every row of the query as its first, current version. */
export function snapshotInitialSelect(spec: SnapshotSpec): string {
  const n = spec.names;
  const updated = updatedAtOf(spec, "floe_query");
  return [
    "SELECT floe_query.*,",
    `  ${scdId(spec, "floe_query", updated)} AS ${q(n.dbt_scd_id)},`,
    `  ${updated} AS ${q(n.dbt_updated_at)},`,
    `  ${updated} AS ${q(n.dbt_valid_from)},`,
    `  ${validToCurrent(spec)} AS ${q(n.dbt_valid_to)}${spec.hardDeletes === "new_record" ? "," : ""}`,
    ...(spec.hardDeletes === "new_record" ? [`  'False' AS ${q(n.dbt_is_deleted)}`] : []),
    "FROM (",
    spec.sql,
    ") AS floe_query",
  ].join("\n");
}

/**
 * Every later run: one MERGE whose source holds, per change, an 'insert' (a new version, never matching)
 * or an 'update' (valid_to for the current version it matches by scd id).
 */
export function snapshotMerge(spec: SnapshotSpec): string {
  const n = spec.names;
  const target = quoteRelation(spec.target);
  const cols = spec.columns.map((c) => q(c.name));
  const keyOn = (a: string, b: string) =>
    spec.uniqueKey.map((k) => `${a}.${q(k)} = ${b}.${q(k)}`).join(" AND ");
  const firstKey = q(spec.uniqueKey[0] ?? "");
  const newRecord = spec.hardDeletes === "new_record";
  const deleted = (alias: string) => `coalesce(${alias}.${q(n.dbt_is_deleted)}, 'False') = 'True'`;
  const now = snapshotNow(spec);
  const changed =
    spec.strategy === "timestamp"
      ? `current_rows.${q(n.dbt_valid_from)} < source_data.floe_updated_at`
      : `(${spec.checkCols.map((c) => `source_data.${q(c)} IS DISTINCT FROM current_rows.${q(c)}`).join(" OR ")})`;
  // The source's output: change, the scd id to match, the columns, then the new version's meta values.
  const row = (
    change: string,
    matchId: string,
    from: string,
    meta: { scd: string; updated: string; validFrom: string; validTo: string; isDeleted: string },
  ) =>
    `  SELECT '${change}' AS floe_change, ${matchId} AS floe_match_id, ${cols.map((c) => `${from}.${c}`).join(", ")},\n` +
    `    ${meta.scd} AS floe_scd_id, ${meta.updated} AS floe_updated_at, ${meta.validFrom} AS floe_valid_from,\n` +
    `    ${meta.validTo} AS floe_valid_to${newRecord ? `, ${meta.isDeleted} AS floe_is_deleted` : ""}`;
  const none = `CAST(NULL AS ${spec.timeType})`;
  const parts = [
    `${row("insert", "CAST(NULL AS varchar)", "changes", {
      scd: scdId(spec, "changes", "changes.floe_updated_at"),
      updated: "changes.floe_updated_at",
      validFrom: "changes.floe_updated_at",
      validTo: validToCurrent(spec),
      isDeleted: "'False'",
    })}\n  FROM changes`,
    `${row("update", `changes.floe_previous_id`, "changes", {
      scd: "CAST(NULL AS varchar)",
      updated: none,
      validFrom: none,
      validTo: "changes.floe_updated_at",
      isDeleted: "CAST(NULL AS varchar)",
    })}\n  FROM changes\n  WHERE changes.floe_previous_id IS NOT NULL`,
  ];
  if (spec.hardDeletes !== "ignore") {
    parts.push(
      `${row("update", `deletes.${q(n.dbt_scd_id)}`, "deletes", {
        scd: "CAST(NULL AS varchar)",
        updated: none,
        validFrom: none,
        validTo: now,
        isDeleted: "CAST(NULL AS varchar)",
      })}\n  FROM deletes`,
    );
  }
  if (newRecord) {
    parts.push(
      `${row("insert", "CAST(NULL AS varchar)", "deletes", {
        scd: scdId(spec, "deletes", now),
        updated: now,
        validFrom: now,
        validTo: validToCurrent(spec),
        isDeleted: "'True'",
      })}\n  FROM deletes`,
    );
  }
  const ctes = [
    `  floe_query AS (\n${spec.sql}\n  )`,
    `  current_rows AS (\n    SELECT * FROM ${target} AS floe_current\n    WHERE ${isCurrent(spec, "floe_current")}\n  )`,
    `  source_data AS (\n    SELECT floe_query.*, ${updatedAtOf(spec, "floe_query")} AS floe_updated_at\n    FROM floe_query\n  )`,
    // A new key, a changed row, or (new_record) a key coming back after its deletion record.
    `  changes AS (\n    SELECT source_data.*, current_rows.${q(n.dbt_scd_id)} AS floe_previous_id\n` +
      `    FROM source_data\n    LEFT JOIN current_rows ON ${keyOn("source_data", "current_rows")}\n` +
      `    WHERE current_rows.${firstKey} IS NULL\n      OR ${changed}` +
      (newRecord ? `\n      OR ${deleted("current_rows")}` : "") +
      "\n  )",
  ];
  if (spec.hardDeletes !== "ignore") {
    ctes.push(
      `  deletes AS (\n    SELECT current_rows.*\n    FROM current_rows\n` +
        `    LEFT JOIN source_data ON ${keyOn("source_data", "current_rows")}\n` +
        `    WHERE source_data.${firstKey} IS NULL` +
        (newRecord ? `\n      AND NOT ${deleted("current_rows")}` : "") +
        "\n  )",
    );
  }
  const insertCols = [...cols, q(n.dbt_scd_id), q(n.dbt_updated_at), q(n.dbt_valid_from), q(n.dbt_valid_to)];
  const insertValues = [
    ...cols.map((c) => `floe_changes.${c}`),
    "floe_changes.floe_scd_id",
    "floe_changes.floe_updated_at",
    "floe_changes.floe_valid_from",
    "floe_changes.floe_valid_to",
  ];
  if (newRecord) {
    insertCols.push(q(n.dbt_is_deleted));
    insertValues.push("floe_changes.floe_is_deleted");
  }
  return [
    `MERGE INTO ${target} AS floe_target`,
    "USING (",
    `  WITH\n${ctes.join(",\n")}`,
    parts.join("\n  UNION ALL\n"),
    ") AS floe_changes",
    `ON floe_changes.floe_match_id = floe_target.${q(n.dbt_scd_id)}`,
    `WHEN MATCHED AND floe_changes.floe_change = 'update' AND ${isCurrent(spec, "floe_target")}`,
    `  THEN UPDATE SET ${q(n.dbt_valid_to)} = floe_changes.floe_valid_to`,
    "WHEN NOT MATCHED AND floe_changes.floe_change = 'insert'",
    `  THEN INSERT (${insertCols.join(", ")})`,
    `  VALUES (${insertValues.join(", ")})`,
  ].join("\n");
}

/** The run's time, in the timestamps' type (one value per statement in Trino). */
function snapshotNow(spec: SnapshotSpec): string {
  return `CAST(current_timestamp(6) AS ${spec.timeType})`;
}

function updatedAtOf(spec: SnapshotSpec, alias: string): string {
  return spec.updatedAt === undefined
    ? snapshotNow(spec)
    : `CAST(${alias}.${q(spec.updatedAt)} AS ${spec.timeType})`;
}

function validToCurrent(spec: SnapshotSpec): string {
  return spec.validToCurrent === undefined
    ? `CAST(NULL AS ${spec.timeType})`
    : `CAST(${spec.validToCurrent} AS ${spec.timeType})`;
}

function isCurrent(spec: SnapshotSpec, alias: string): string {
  const column = `${alias}.${q(spec.names.dbt_valid_to)}`;
  return spec.validToCurrent === undefined
    ? `${column} IS NULL`
    : `(${column} IS NULL OR ${column} = ${validToCurrent(spec)})`;
}

/** dbt_scd_id: md5 of the unique key and the version's updated_at, as hex (dbt's is an md5 too). */
function scdId(spec: SnapshotSpec, alias: string, updated: string): string {
  const parts = [
    ...spec.uniqueKey.map((k) => `coalesce(CAST(${alias}.${q(k)} AS varchar), '')`),
    `coalesce(CAST(${updated} AS varchar), '')`,
  ];
  return `lower(to_hex(md5(to_utf8(concat_ws('|', ${parts.join(", ")})))))`;
}
