import { describe, expect, it } from "vitest";
import { type SnapshotConfig, toSnapshotConfig } from "../manifest/config.js";
import { planSnapshot } from "./plan-snapshot.js";
import { ABSENT_NO_SCHEMA, type RelationState } from "./relation-state.js";
import { renderPlanSql } from "./render-step.js";
import type { ColumnDef } from "./steps.js";

const relation = { catalog: "iceberg", schema: "snapshots", identifier: "customers_snapshot" };
const COLUMNS: ColumnDef[] = [
  { name: "id", type: "bigint" },
  { name: "name", type: "varchar" },
  { name: "updated_at", type: "timestamp(3)" },
];
const META = ["dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"];
const existing = (extra: string[] = []): RelationState => ({
  kind: "table",
  columns: [...COLUMNS, ...[...META, ...extra].map((name) => ({ name, type: "varchar" }))],
});

function config(layer: Record<string, unknown>): SnapshotConfig {
  return toSnapshotConfig({ unique_key: "id", ...layer } as never);
}

function sqlFor(layer: Record<string, unknown>, state: RelationState): string {
  return renderPlanSql(
    planSnapshot({
      relation,
      config: config(layer),
      sql: 'select * from "iceberg"."shop"."customers"',
      columns: COLUMNS,
      state,
      locationRoot: "s3://warehouse",
      file: "snapshots/customers_snapshot.sql",
    }),
  );
}

const TIMESTAMP = { strategy: "timestamp", updated_at: "updated_at" };
const CHECK = { strategy: "check", check_cols: ["name"] };

describe("snapshot: the first build", () => {
  it("creates the table with every row as a current version (timestamp: updated_at at precision 6)", () => {
    expect(sqlFor(TIMESTAMP, ABSENT_NO_SCHEMA)).toMatchInlineSnapshot(`
      "CREATE SCHEMA IF NOT EXISTS "iceberg"."snapshots" WITH (location = 's3://warehouse/snapshots');

      CREATE TABLE "iceberg"."snapshots"."customers_snapshot" AS
      SELECT floe_query.*,
        lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(floe_query."id" AS varchar), ''), coalesce(CAST(CAST(floe_query."updated_at" AS timestamp(6)) AS varchar), '')))))) AS "dbt_scd_id",
        CAST(floe_query."updated_at" AS timestamp(6)) AS "dbt_updated_at",
        CAST(floe_query."updated_at" AS timestamp(6)) AS "dbt_valid_from",
        CAST(NULL AS timestamp(6)) AS "dbt_valid_to"
      FROM (
      select * from "iceberg"."shop"."customers"
      ) AS floe_query;
      "
    `);
  });

  it("check with new_record: the run's time, and dbt_is_deleted 'False'", () => {
    expect(sqlFor({ ...CHECK, hard_deletes: "new_record" }, ABSENT_NO_SCHEMA)).toMatchInlineSnapshot(`
      "CREATE SCHEMA IF NOT EXISTS "iceberg"."snapshots" WITH (location = 's3://warehouse/snapshots');

      CREATE TABLE "iceberg"."snapshots"."customers_snapshot" AS
      SELECT floe_query.*,
        lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(floe_query."id" AS varchar), ''), coalesce(CAST(CAST(current_timestamp(6) AS timestamp(6) with time zone) AS varchar), '')))))) AS "dbt_scd_id",
        CAST(current_timestamp(6) AS timestamp(6) with time zone) AS "dbt_updated_at",
        CAST(current_timestamp(6) AS timestamp(6) with time zone) AS "dbt_valid_from",
        CAST(NULL AS timestamp(6) with time zone) AS "dbt_valid_to",
        'False' AS "dbt_is_deleted"
      FROM (
      select * from "iceberg"."shop"."customers"
      ) AS floe_query;
      "
    `);
  });
});

describe("snapshot: later runs, one MERGE per strategy × hard_deletes", () => {
  it("timestamp, ignore", () => {
    expect(sqlFor(TIMESTAMP, existing())).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."snapshots"."customers_snapshot" AS floe_target
      USING (
        WITH
        floe_query AS (
      select * from "iceberg"."shop"."customers"
        ),
        current_rows AS (
          SELECT * FROM "iceberg"."snapshots"."customers_snapshot" AS floe_current
          WHERE floe_current."dbt_valid_to" IS NULL
        ),
        source_data AS (
          SELECT floe_query.*, CAST(floe_query."updated_at" AS timestamp(6)) AS floe_updated_at
          FROM floe_query
        ),
        changes AS (
          SELECT source_data.*, current_rows."dbt_scd_id" AS floe_previous_id
          FROM source_data
          LEFT JOIN current_rows ON source_data."id" = current_rows."id"
          WHERE current_rows."id" IS NULL
            OR current_rows."dbt_valid_from" < source_data.floe_updated_at
        )
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, changes."id", changes."name", changes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(changes."id" AS varchar), ''), coalesce(CAST(changes.floe_updated_at AS varchar), '')))))) AS floe_scd_id, changes.floe_updated_at AS floe_updated_at, changes.floe_updated_at AS floe_valid_from,
          CAST(NULL AS timestamp(6)) AS floe_valid_to
        FROM changes
        UNION ALL
        SELECT 'update' AS floe_change, changes.floe_previous_id AS floe_match_id, changes."id", changes."name", changes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6)) AS floe_updated_at, CAST(NULL AS timestamp(6)) AS floe_valid_from,
          changes.floe_updated_at AS floe_valid_to
        FROM changes
        WHERE changes.floe_previous_id IS NOT NULL
      ) AS floe_changes
      ON floe_changes.floe_match_id = floe_target."dbt_scd_id"
      WHEN MATCHED AND floe_changes.floe_change = 'update' AND floe_target."dbt_valid_to" IS NULL
        THEN UPDATE SET "dbt_valid_to" = floe_changes.floe_valid_to
      WHEN NOT MATCHED AND floe_changes.floe_change = 'insert'
        THEN INSERT ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
        VALUES (floe_changes."id", floe_changes."name", floe_changes."updated_at", floe_changes.floe_scd_id, floe_changes.floe_updated_at, floe_changes.floe_valid_from, floe_changes.floe_valid_to);
      "
    `);
  });
  it("timestamp, invalidate", () => {
    const sql = sqlFor({ ...TIMESTAMP, hard_deletes: "invalidate" }, existing());
    expect(sql).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."snapshots"."customers_snapshot" AS floe_target
      USING (
        WITH
        floe_query AS (
      select * from "iceberg"."shop"."customers"
        ),
        current_rows AS (
          SELECT * FROM "iceberg"."snapshots"."customers_snapshot" AS floe_current
          WHERE floe_current."dbt_valid_to" IS NULL
        ),
        source_data AS (
          SELECT floe_query.*, CAST(floe_query."updated_at" AS timestamp(6)) AS floe_updated_at
          FROM floe_query
        ),
        changes AS (
          SELECT source_data.*, current_rows."dbt_scd_id" AS floe_previous_id
          FROM source_data
          LEFT JOIN current_rows ON source_data."id" = current_rows."id"
          WHERE current_rows."id" IS NULL
            OR current_rows."dbt_valid_from" < source_data.floe_updated_at
        ),
        deletes AS (
          SELECT current_rows.*
          FROM current_rows
          LEFT JOIN source_data ON source_data."id" = current_rows."id"
          WHERE source_data."id" IS NULL
        )
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, changes."id", changes."name", changes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(changes."id" AS varchar), ''), coalesce(CAST(changes.floe_updated_at AS varchar), '')))))) AS floe_scd_id, changes.floe_updated_at AS floe_updated_at, changes.floe_updated_at AS floe_valid_from,
          CAST(NULL AS timestamp(6)) AS floe_valid_to
        FROM changes
        UNION ALL
        SELECT 'update' AS floe_change, changes.floe_previous_id AS floe_match_id, changes."id", changes."name", changes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6)) AS floe_updated_at, CAST(NULL AS timestamp(6)) AS floe_valid_from,
          changes.floe_updated_at AS floe_valid_to
        FROM changes
        WHERE changes.floe_previous_id IS NOT NULL
        UNION ALL
        SELECT 'update' AS floe_change, deletes."dbt_scd_id" AS floe_match_id, deletes."id", deletes."name", deletes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6)) AS floe_updated_at, CAST(NULL AS timestamp(6)) AS floe_valid_from,
          CAST(current_timestamp(6) AS timestamp(6)) AS floe_valid_to
        FROM deletes
      ) AS floe_changes
      ON floe_changes.floe_match_id = floe_target."dbt_scd_id"
      WHEN MATCHED AND floe_changes.floe_change = 'update' AND floe_target."dbt_valid_to" IS NULL
        THEN UPDATE SET "dbt_valid_to" = floe_changes.floe_valid_to
      WHEN NOT MATCHED AND floe_changes.floe_change = 'insert'
        THEN INSERT ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
        VALUES (floe_changes."id", floe_changes."name", floe_changes."updated_at", floe_changes.floe_scd_id, floe_changes.floe_updated_at, floe_changes.floe_valid_from, floe_changes.floe_valid_to);
      "
    `);
  });
  it("timestamp, new_record", () => {
    const sql = sqlFor({ ...TIMESTAMP, hard_deletes: "new_record" }, existing(["dbt_is_deleted"]));
    expect(sql).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."snapshots"."customers_snapshot" AS floe_target
      USING (
        WITH
        floe_query AS (
      select * from "iceberg"."shop"."customers"
        ),
        current_rows AS (
          SELECT * FROM "iceberg"."snapshots"."customers_snapshot" AS floe_current
          WHERE floe_current."dbt_valid_to" IS NULL
        ),
        source_data AS (
          SELECT floe_query.*, CAST(floe_query."updated_at" AS timestamp(6)) AS floe_updated_at
          FROM floe_query
        ),
        changes AS (
          SELECT source_data.*, current_rows."dbt_scd_id" AS floe_previous_id
          FROM source_data
          LEFT JOIN current_rows ON source_data."id" = current_rows."id"
          WHERE current_rows."id" IS NULL
            OR current_rows."dbt_valid_from" < source_data.floe_updated_at
            OR coalesce(current_rows."dbt_is_deleted", 'False') = 'True'
        ),
        deletes AS (
          SELECT current_rows.*
          FROM current_rows
          LEFT JOIN source_data ON source_data."id" = current_rows."id"
          WHERE source_data."id" IS NULL
            AND NOT coalesce(current_rows."dbt_is_deleted", 'False') = 'True'
        )
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, changes."id", changes."name", changes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(changes."id" AS varchar), ''), coalesce(CAST(changes.floe_updated_at AS varchar), '')))))) AS floe_scd_id, changes.floe_updated_at AS floe_updated_at, changes.floe_updated_at AS floe_valid_from,
          CAST(NULL AS timestamp(6)) AS floe_valid_to, 'False' AS floe_is_deleted
        FROM changes
        UNION ALL
        SELECT 'update' AS floe_change, changes.floe_previous_id AS floe_match_id, changes."id", changes."name", changes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6)) AS floe_updated_at, CAST(NULL AS timestamp(6)) AS floe_valid_from,
          changes.floe_updated_at AS floe_valid_to, CAST(NULL AS varchar) AS floe_is_deleted
        FROM changes
        WHERE changes.floe_previous_id IS NOT NULL
        UNION ALL
        SELECT 'update' AS floe_change, deletes."dbt_scd_id" AS floe_match_id, deletes."id", deletes."name", deletes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6)) AS floe_updated_at, CAST(NULL AS timestamp(6)) AS floe_valid_from,
          CAST(current_timestamp(6) AS timestamp(6)) AS floe_valid_to, CAST(NULL AS varchar) AS floe_is_deleted
        FROM deletes
        UNION ALL
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, deletes."id", deletes."name", deletes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(deletes."id" AS varchar), ''), coalesce(CAST(CAST(current_timestamp(6) AS timestamp(6)) AS varchar), '')))))) AS floe_scd_id, CAST(current_timestamp(6) AS timestamp(6)) AS floe_updated_at, CAST(current_timestamp(6) AS timestamp(6)) AS floe_valid_from,
          CAST(NULL AS timestamp(6)) AS floe_valid_to, 'True' AS floe_is_deleted
        FROM deletes
      ) AS floe_changes
      ON floe_changes.floe_match_id = floe_target."dbt_scd_id"
      WHEN MATCHED AND floe_changes.floe_change = 'update' AND floe_target."dbt_valid_to" IS NULL
        THEN UPDATE SET "dbt_valid_to" = floe_changes.floe_valid_to
      WHEN NOT MATCHED AND floe_changes.floe_change = 'insert'
        THEN INSERT ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")
        VALUES (floe_changes."id", floe_changes."name", floe_changes."updated_at", floe_changes.floe_scd_id, floe_changes.floe_updated_at, floe_changes.floe_valid_from, floe_changes.floe_valid_to, floe_changes.floe_is_deleted);
      "
    `);
  });
  it("check, ignore", () => {
    expect(sqlFor(CHECK, existing())).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."snapshots"."customers_snapshot" AS floe_target
      USING (
        WITH
        floe_query AS (
      select * from "iceberg"."shop"."customers"
        ),
        current_rows AS (
          SELECT * FROM "iceberg"."snapshots"."customers_snapshot" AS floe_current
          WHERE floe_current."dbt_valid_to" IS NULL
        ),
        source_data AS (
          SELECT floe_query.*, CAST(current_timestamp(6) AS timestamp(6) with time zone) AS floe_updated_at
          FROM floe_query
        ),
        changes AS (
          SELECT source_data.*, current_rows."dbt_scd_id" AS floe_previous_id
          FROM source_data
          LEFT JOIN current_rows ON source_data."id" = current_rows."id"
          WHERE current_rows."id" IS NULL
            OR (source_data."name" IS DISTINCT FROM current_rows."name")
        )
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, changes."id", changes."name", changes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(changes."id" AS varchar), ''), coalesce(CAST(changes.floe_updated_at AS varchar), '')))))) AS floe_scd_id, changes.floe_updated_at AS floe_updated_at, changes.floe_updated_at AS floe_valid_from,
          CAST(NULL AS timestamp(6) with time zone) AS floe_valid_to
        FROM changes
        UNION ALL
        SELECT 'update' AS floe_change, changes.floe_previous_id AS floe_match_id, changes."id", changes."name", changes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6) with time zone) AS floe_updated_at, CAST(NULL AS timestamp(6) with time zone) AS floe_valid_from,
          changes.floe_updated_at AS floe_valid_to
        FROM changes
        WHERE changes.floe_previous_id IS NOT NULL
      ) AS floe_changes
      ON floe_changes.floe_match_id = floe_target."dbt_scd_id"
      WHEN MATCHED AND floe_changes.floe_change = 'update' AND floe_target."dbt_valid_to" IS NULL
        THEN UPDATE SET "dbt_valid_to" = floe_changes.floe_valid_to
      WHEN NOT MATCHED AND floe_changes.floe_change = 'insert'
        THEN INSERT ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
        VALUES (floe_changes."id", floe_changes."name", floe_changes."updated_at", floe_changes.floe_scd_id, floe_changes.floe_updated_at, floe_changes.floe_valid_from, floe_changes.floe_valid_to);
      "
    `);
  });
  it("check, invalidate (the legacy invalidate_hard_deletes: true), check_cols: all", () => {
    const sql = sqlFor({ strategy: "check", check_cols: "all", invalidate_hard_deletes: true }, existing());
    expect(sql).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."snapshots"."customers_snapshot" AS floe_target
      USING (
        WITH
        floe_query AS (
      select * from "iceberg"."shop"."customers"
        ),
        current_rows AS (
          SELECT * FROM "iceberg"."snapshots"."customers_snapshot" AS floe_current
          WHERE floe_current."dbt_valid_to" IS NULL
        ),
        source_data AS (
          SELECT floe_query.*, CAST(current_timestamp(6) AS timestamp(6) with time zone) AS floe_updated_at
          FROM floe_query
        ),
        changes AS (
          SELECT source_data.*, current_rows."dbt_scd_id" AS floe_previous_id
          FROM source_data
          LEFT JOIN current_rows ON source_data."id" = current_rows."id"
          WHERE current_rows."id" IS NULL
            OR (source_data."id" IS DISTINCT FROM current_rows."id" OR source_data."name" IS DISTINCT FROM current_rows."name" OR source_data."updated_at" IS DISTINCT FROM current_rows."updated_at")
        ),
        deletes AS (
          SELECT current_rows.*
          FROM current_rows
          LEFT JOIN source_data ON source_data."id" = current_rows."id"
          WHERE source_data."id" IS NULL
        )
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, changes."id", changes."name", changes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(changes."id" AS varchar), ''), coalesce(CAST(changes.floe_updated_at AS varchar), '')))))) AS floe_scd_id, changes.floe_updated_at AS floe_updated_at, changes.floe_updated_at AS floe_valid_from,
          CAST(NULL AS timestamp(6) with time zone) AS floe_valid_to
        FROM changes
        UNION ALL
        SELECT 'update' AS floe_change, changes.floe_previous_id AS floe_match_id, changes."id", changes."name", changes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6) with time zone) AS floe_updated_at, CAST(NULL AS timestamp(6) with time zone) AS floe_valid_from,
          changes.floe_updated_at AS floe_valid_to
        FROM changes
        WHERE changes.floe_previous_id IS NOT NULL
        UNION ALL
        SELECT 'update' AS floe_change, deletes."dbt_scd_id" AS floe_match_id, deletes."id", deletes."name", deletes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6) with time zone) AS floe_updated_at, CAST(NULL AS timestamp(6) with time zone) AS floe_valid_from,
          CAST(current_timestamp(6) AS timestamp(6) with time zone) AS floe_valid_to
        FROM deletes
      ) AS floe_changes
      ON floe_changes.floe_match_id = floe_target."dbt_scd_id"
      WHEN MATCHED AND floe_changes.floe_change = 'update' AND floe_target."dbt_valid_to" IS NULL
        THEN UPDATE SET "dbt_valid_to" = floe_changes.floe_valid_to
      WHEN NOT MATCHED AND floe_changes.floe_change = 'insert'
        THEN INSERT ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
        VALUES (floe_changes."id", floe_changes."name", floe_changes."updated_at", floe_changes.floe_scd_id, floe_changes.floe_updated_at, floe_changes.floe_valid_from, floe_changes.floe_valid_to);
      "
    `);
  });
  it("check, new_record", () => {
    const sql = sqlFor({ ...CHECK, hard_deletes: "new_record" }, existing(["dbt_is_deleted"]));
    expect(sql).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."snapshots"."customers_snapshot" AS floe_target
      USING (
        WITH
        floe_query AS (
      select * from "iceberg"."shop"."customers"
        ),
        current_rows AS (
          SELECT * FROM "iceberg"."snapshots"."customers_snapshot" AS floe_current
          WHERE floe_current."dbt_valid_to" IS NULL
        ),
        source_data AS (
          SELECT floe_query.*, CAST(current_timestamp(6) AS timestamp(6) with time zone) AS floe_updated_at
          FROM floe_query
        ),
        changes AS (
          SELECT source_data.*, current_rows."dbt_scd_id" AS floe_previous_id
          FROM source_data
          LEFT JOIN current_rows ON source_data."id" = current_rows."id"
          WHERE current_rows."id" IS NULL
            OR (source_data."name" IS DISTINCT FROM current_rows."name")
            OR coalesce(current_rows."dbt_is_deleted", 'False') = 'True'
        ),
        deletes AS (
          SELECT current_rows.*
          FROM current_rows
          LEFT JOIN source_data ON source_data."id" = current_rows."id"
          WHERE source_data."id" IS NULL
            AND NOT coalesce(current_rows."dbt_is_deleted", 'False') = 'True'
        )
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, changes."id", changes."name", changes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(changes."id" AS varchar), ''), coalesce(CAST(changes.floe_updated_at AS varchar), '')))))) AS floe_scd_id, changes.floe_updated_at AS floe_updated_at, changes.floe_updated_at AS floe_valid_from,
          CAST(NULL AS timestamp(6) with time zone) AS floe_valid_to, 'False' AS floe_is_deleted
        FROM changes
        UNION ALL
        SELECT 'update' AS floe_change, changes.floe_previous_id AS floe_match_id, changes."id", changes."name", changes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6) with time zone) AS floe_updated_at, CAST(NULL AS timestamp(6) with time zone) AS floe_valid_from,
          changes.floe_updated_at AS floe_valid_to, CAST(NULL AS varchar) AS floe_is_deleted
        FROM changes
        WHERE changes.floe_previous_id IS NOT NULL
        UNION ALL
        SELECT 'update' AS floe_change, deletes."dbt_scd_id" AS floe_match_id, deletes."id", deletes."name", deletes."updated_at",
          CAST(NULL AS varchar) AS floe_scd_id, CAST(NULL AS timestamp(6) with time zone) AS floe_updated_at, CAST(NULL AS timestamp(6) with time zone) AS floe_valid_from,
          CAST(current_timestamp(6) AS timestamp(6) with time zone) AS floe_valid_to, CAST(NULL AS varchar) AS floe_is_deleted
        FROM deletes
        UNION ALL
        SELECT 'insert' AS floe_change, CAST(NULL AS varchar) AS floe_match_id, deletes."id", deletes."name", deletes."updated_at",
          lower(to_hex(md5(to_utf8(concat_ws('|', coalesce(CAST(deletes."id" AS varchar), ''), coalesce(CAST(CAST(current_timestamp(6) AS timestamp(6) with time zone) AS varchar), '')))))) AS floe_scd_id, CAST(current_timestamp(6) AS timestamp(6) with time zone) AS floe_updated_at, CAST(current_timestamp(6) AS timestamp(6) with time zone) AS floe_valid_from,
          CAST(NULL AS timestamp(6) with time zone) AS floe_valid_to, 'True' AS floe_is_deleted
        FROM deletes
      ) AS floe_changes
      ON floe_changes.floe_match_id = floe_target."dbt_scd_id"
      WHEN MATCHED AND floe_changes.floe_change = 'update' AND floe_target."dbt_valid_to" IS NULL
        THEN UPDATE SET "dbt_valid_to" = floe_changes.floe_valid_to
      WHEN NOT MATCHED AND floe_changes.floe_change = 'insert'
        THEN INSERT ("id", "name", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")
        VALUES (floe_changes."id", floe_changes."name", floe_changes."updated_at", floe_changes.floe_scd_id, floe_changes.floe_updated_at, floe_changes.floe_valid_from, floe_changes.floe_valid_to, floe_changes.floe_is_deleted);
      "
    `);
  });
});

describe("snapshot: options", () => {
  it("dbt_valid_to_current and renamed meta columns", () => {
    const sql = sqlFor(
      {
        ...TIMESTAMP,
        hard_deletes: "invalidate",
        dbt_valid_to_current: "TIMESTAMP '9999-12-31 00:00:00'",
        snapshot_meta_column_names: { dbt_valid_from: "valid_from", dbt_valid_to: "valid_to" },
      },
      existing(),
    );
    expect(sql).toContain(
      `WHERE (floe_current."valid_to" IS NULL OR floe_current."valid_to" = CAST(TIMESTAMP '9999-12-31 00:00:00' AS timestamp(6)))`,
    );
    expect(sql).toContain(`THEN UPDATE SET "valid_to" = floe_changes.floe_valid_to`);
    expect(sql).toContain(`"dbt_scd_id", "dbt_updated_at", "valid_from", "valid_to")`);
    expect(sql).not.toContain(`"dbt_valid_to"`);
  });

  it("a column the query gained is added first; switching to new_record adds dbt_is_deleted", () => {
    const state: RelationState = {
      kind: "table",
      columns: [COLUMNS[0]!, COLUMNS[2]!, ...META.map((name) => ({ name, type: "varchar" }))],
    };
    const sql = sqlFor({ ...TIMESTAMP, hard_deletes: "new_record" }, state);
    expect(sql.split(";\n\n").slice(0, 2)).toEqual([
      `ALTER TABLE "iceberg"."snapshots"."customers_snapshot" ADD COLUMN "name" varchar`,
      `ALTER TABLE "iceberg"."snapshots"."customers_snapshot" ADD COLUMN "dbt_is_deleted" varchar`,
    ]);
    expect(sql).toContain("MERGE INTO");
  });

  it("a unique_key, updated_at or check column missing from the query is an error naming the file", () => {
    expect(() => sqlFor({ ...TIMESTAMP, unique_key: "customer_id" }, existing())).toThrow(
      /snapshot unique_key 'customer_id' not in its query/,
    );
    expect(() => sqlFor({ strategy: "timestamp", updated_at: "changed_at" }, existing())).toThrow(
      /updated_at 'changed_at'/,
    );
    expect(() => sqlFor({ strategy: "check", check_cols: ["email"] }, existing())).toThrow(
      /check_cols 'email'/,
    );
  });
});
