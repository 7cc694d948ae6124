import { describe, expect, it } from "vitest";
import type { ModelPlanConfig, ModelPlanInput } from "./model-plan-input.js";
import type { NodeDocs } from "./plan-docs.js";
import { isIncrementalRun, planModel } from "./plan-model.js";
import { ABSENT, ABSENT_NO_SCHEMA, type RelationState } from "./relation-state.js";
import { renderPlanSql } from "./render-step.js";
import type { ColumnDef } from "./steps.js";

const relation = { catalog: "iceberg", schema: "marts", identifier: "fct_orders" };
const TABLE_COLS: ColumnDef[] = [
  { name: "order_id", type: "bigint" },
  { name: "amount", type: "double" },
  { name: "status", type: "varchar" },
];

function sqlFor(
  config: Partial<ModelPlanConfig> & Pick<ModelPlanConfig, "materialized">,
  state: RelationState,
  extra: Partial<ModelPlanInput> = {},
): string {
  return renderPlanSql(
    planModel({
      relation,
      config,
      sql: "select order_id, amount, status from src;\n",
      state,
      fullRefresh: false,
      locationRoot: "s3://warehouse",
      ...extra,
    }),
  );
}

const existing: RelationState = { kind: "table", columns: TABLE_COLS };

describe("view", () => {
  it("creates the schema with its S3 location when missing", () => {
    expect(sqlFor({ materialized: "view" }, ABSENT_NO_SCHEMA)).toMatchInlineSnapshot(`
      "CREATE SCHEMA IF NOT EXISTS "iceberg"."marts" WITH (location = 's3://warehouse/marts');

      CREATE OR REPLACE VIEW "iceberg"."marts"."fct_orders" AS
      select order_id, amount, status from src;
      "
    `);
  });
  it("drops a table of the same name first", () => {
    expect(sqlFor({ materialized: "view" }, existing)).toMatchInlineSnapshot(`
      "DROP TABLE IF EXISTS "iceberg"."marts"."fct_orders";

      CREATE OR REPLACE VIEW "iceberg"."marts"."fct_orders" AS
      select order_id, amount, status from src;
      "
    `);
  });
});

describe("table", () => {
  it("is one CREATE OR REPLACE TABLE AS with Iceberg properties", () => {
    expect(
      sqlFor(
        {
          materialized: "table",
          partitioned_by: ["day(order_ts)", "bucket(customer_id, 8)"],
          sorted_by: ["order_id"],
          format: "parquet",
          properties: { format_version: "2", extra_properties: "MAP(ARRAY['a'], ARRAY['b'])" },
        },
        ABSENT,
      ),
    ).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders"
      WITH (
        format_version = 2,
        extra_properties = MAP(ARRAY['a'], ARRAY['b']),
        format = 'PARQUET',
        partitioning = ARRAY['day(order_ts)', 'bucket(customer_id, 8)'],
        sorted_by = ARRAY['order_id']
      ) AS
      select order_id, amount, status from src;
      "
    `);
  });
  it("drops a view in the way", () => {
    expect(sqlFor({ materialized: "table" }, { kind: "view" })).toMatchInlineSnapshot(`
      "DROP VIEW IF EXISTS "iceberg"."marts"."fct_orders";

      CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders" AS
      select order_id, amount, status from src;
      "
    `);
  });
});

describe("incremental", () => {
  const modelColumns = TABLE_COLS;
  it("first run is a CREATE OR REPLACE TABLE AS", () => {
    expect(sqlFor({ materialized: "incremental", unique_key: "order_id" }, ABSENT)).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders" AS
      select order_id, amount, status from src;
      "
    `);
  });
  it("--full-refresh replaces the table atomically", () => {
    expect(
      sqlFor({ materialized: "incremental", partitioned_by: ["status"] }, existing, { fullRefresh: true }),
    ).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders"
      WITH (
        partitioning = ARRAY['status']
      ) AS
      select order_id, amount, status from src;
      "
    `);
  });
  it("append inserts the common columns", () => {
    expect(sqlFor({ materialized: "incremental" }, existing, { modelColumns })).toMatchInlineSnapshot(`
      "INSERT INTO "iceberg"."marts"."fct_orders" ("order_id", "amount", "status")
      SELECT "order_id", "amount", "status"
      FROM (
      select order_id, amount, status from src
      ) AS DBT_INTERNAL_SOURCE;
      "
    `);
  });
  it("merge matches NULL keys (hash-joinable) and honours incremental_predicates", () => {
    expect(
      sqlFor(
        {
          materialized: "incremental",
          incremental_strategy: "merge",
          unique_key: ["order_id", "status"],
          incremental_predicates: ["DBT_INTERNAL_DEST.amount > 0"],
        },
        existing,
        { modelColumns },
      ),
    ).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."marts"."fct_orders" AS DBT_INTERNAL_DEST
      USING (SELECT * FROM (
      select order_id, amount, status from src
      )) AS DBT_INTERNAL_SOURCE
      ON coalesce(DBT_INTERNAL_DEST."order_id", 0) = coalesce(DBT_INTERNAL_SOURCE."order_id", 0) AND (DBT_INTERNAL_DEST."order_id" IS NULL) = (DBT_INTERNAL_SOURCE."order_id" IS NULL)
        AND coalesce(DBT_INTERNAL_DEST."status", '') = coalesce(DBT_INTERNAL_SOURCE."status", '') AND (DBT_INTERNAL_DEST."status" IS NULL) = (DBT_INTERNAL_SOURCE."status" IS NULL)
        AND (DBT_INTERNAL_DEST.amount > 0)
      WHEN MATCHED THEN UPDATE SET "amount" = DBT_INTERNAL_SOURCE."amount"
      WHEN NOT MATCHED THEN INSERT ("order_id", "amount", "status")
        VALUES (DBT_INTERNAL_SOURCE."order_id", DBT_INTERNAL_SOURCE."amount", DBT_INTERNAL_SOURCE."status");
      "
    `);
  });
  it("delete+insert is a single MERGE statement", () => {
    expect(
      sqlFor(
        { materialized: "incremental", incremental_strategy: "delete+insert", unique_key: "order_id" },
        existing,
        { modelColumns },
      ),
    ).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."marts"."fct_orders" AS DBT_INTERNAL_DEST
      USING (
        WITH floe_new AS (SELECT "order_id", "amount", "status" FROM (
      select order_id, amount, status from src
      ) AS DBT_INTERNAL_SOURCE)
        SELECT 'insert' AS floe_op, "order_id", "amount", "status" FROM floe_new
        UNION ALL
        SELECT 'delete' AS floe_op, "order_id", NULL AS "amount", NULL AS "status" FROM (SELECT DISTINCT "order_id" FROM floe_new)
      ) AS DBT_INTERNAL_SOURCE
      ON DBT_INTERNAL_SOURCE.floe_op = 'delete'
        AND coalesce(DBT_INTERNAL_DEST."order_id", 0) = coalesce(DBT_INTERNAL_SOURCE."order_id", 0) AND (DBT_INTERNAL_DEST."order_id" IS NULL) = (DBT_INTERNAL_SOURCE."order_id" IS NULL)
      WHEN MATCHED THEN DELETE
      WHEN NOT MATCHED AND DBT_INTERNAL_SOURCE.floe_op = 'insert' THEN INSERT ("order_id", "amount", "status")
        VALUES (DBT_INTERNAL_SOURCE."order_id", DBT_INTERNAL_SOURCE."amount", DBT_INTERNAL_SOURCE."status");
      "
    `);
  });
  it("merge without unique_key is a config error", () => {
    expect(() =>
      sqlFor({ materialized: "incremental", incremental_strategy: "merge" }, existing, { modelColumns }),
    ).toThrow(/no unique_key/);
  });

  const changed: ColumnDef[] = [
    { name: "order_id", type: "bigint" },
    { name: "amount", type: "decimal(12, 2)" },
    { name: "channel", type: "varchar(5)" },
  ];
  it("on_schema_change ignore writes only common columns (a removed column becomes NULL)", () => {
    expect(
      sqlFor({ materialized: "incremental", on_schema_change: "ignore" }, existing, {
        modelColumns: changed,
      }),
    ).toMatchInlineSnapshot(`
      "INSERT INTO "iceberg"."marts"."fct_orders" ("order_id", "amount")
      SELECT "order_id", "amount"
      FROM (
      select order_id, amount, status from src
      ) AS DBT_INTERNAL_SOURCE;
      "
    `);
  });
  it("on_schema_change fail names the differences", () => {
    expect(() =>
      sqlFor({ materialized: "incremental", on_schema_change: "fail" }, existing, { modelColumns: changed }),
    ).toThrow(
      /new columns channel varchar\(5\); removed columns status; changed types amount double → decimal\(12, 2\)/,
    );
  });
  it("append_new_columns stages the rows, adds columns, then writes", () => {
    expect(
      sqlFor(
        { materialized: "incremental", on_schema_change: "append_new_columns", unique_key: "order_id" },
        existing,
        { modelColumns: changed },
      ),
    ).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders__floe_tmp" AS
      select order_id, amount, status from src;

      ALTER TABLE "iceberg"."marts"."fct_orders" ADD COLUMN "channel" varchar;

      MERGE INTO "iceberg"."marts"."fct_orders" AS DBT_INTERNAL_DEST
      USING (SELECT * FROM "iceberg"."marts"."fct_orders__floe_tmp") AS DBT_INTERNAL_SOURCE
      ON coalesce(DBT_INTERNAL_DEST."order_id", 0) = coalesce(DBT_INTERNAL_SOURCE."order_id", 0) AND (DBT_INTERNAL_DEST."order_id" IS NULL) = (DBT_INTERNAL_SOURCE."order_id" IS NULL)
      WHEN MATCHED THEN UPDATE SET "amount" = DBT_INTERNAL_SOURCE."amount", "channel" = DBT_INTERNAL_SOURCE."channel"
      WHEN NOT MATCHED THEN INSERT ("order_id", "amount", "channel")
        VALUES (DBT_INTERNAL_SOURCE."order_id", DBT_INTERNAL_SOURCE."amount", DBT_INTERNAL_SOURCE."channel");

      -- cleanup (always runs)

      DROP TABLE IF EXISTS "iceberg"."marts"."fct_orders__floe_tmp";
      "
    `);
  });
  it("sync_all_columns changes types, adds, writes, then drops removed columns", () => {
    expect(
      sqlFor({ materialized: "incremental", on_schema_change: "sync_all_columns" }, existing, {
        modelColumns: changed,
      }),
    ).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders__floe_tmp" AS
      select order_id, amount, status from src;

      ALTER TABLE "iceberg"."marts"."fct_orders" ALTER COLUMN "amount" SET DATA TYPE decimal(12, 2);

      ALTER TABLE "iceberg"."marts"."fct_orders" ADD COLUMN "channel" varchar;

      INSERT INTO "iceberg"."marts"."fct_orders" ("order_id", "amount", "channel")
      SELECT "order_id", "amount", "channel"
      FROM "iceberg"."marts"."fct_orders__floe_tmp" AS DBT_INTERNAL_SOURCE;

      ALTER TABLE "iceberg"."marts"."fct_orders" DROP COLUMN "status";

      -- cleanup (always runs)

      DROP TABLE IF EXISTS "iceberg"."marts"."fct_orders__floe_tmp";
      "
    `);
  });
  it("no schema change is not a change when only varchar bounds or timestamp spelling differ", () => {
    const sql = sqlFor(
      { materialized: "incremental", on_schema_change: "fail" },
      {
        kind: "table",
        columns: [
          { name: "ts", type: "timestamp(6)" },
          { name: "s", type: "varchar" },
        ],
      },
      {
        modelColumns: [
          { name: "ts", type: "timestamp" },
          { name: "s", type: "varchar(3)" },
        ],
      },
    );
    expect(sql).toMatch(/^INSERT INTO/);
  });
});

describe("isIncrementalRun", () => {
  it("is true only for an incremental model over an existing table without --full-refresh", () => {
    expect(isIncrementalRun("incremental", existing, false)).toBe(true);
    expect(isIncrementalRun("incremental", existing, true)).toBe(false);
    expect(isIncrementalRun("incremental", ABSENT, false)).toBe(false);
    expect(isIncrementalRun("table", existing, false)).toBe(false);
  });
});

describe("ephemeral", () => {
  it("has nothing to run", () => {
    expect(
      planModel({
        relation,
        config: { materialized: "ephemeral" },
        sql: "select 1",
        state: ABSENT,
        fullRefresh: false,
        locationRoot: undefined,
      }).steps,
    ).toEqual([]);
  });
});

describe("persist_docs: COMMENT steps after the build", () => {
  const BOTH = { relation: true, columns: true };
  const docs: NodeDocs = {
    description: "One row per order.\n",
    columns: [
      { name: "order_id", description: "The order's id." },
      { name: "Status", description: "Latest status:\n'paid' or 'shipped'." },
      { name: "gone", description: "A column the model no longer has." },
      { name: "amount_note", description: "" },
    ],
  };
  const withDocs = { modelColumns: TABLE_COLS, docs };

  it("a table: the relation's comment, then its described columns (quotes doubled, newlines kept)", () => {
    expect(sqlFor({ materialized: "table", persist_docs: BOTH }, ABSENT, withDocs)).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders" AS
      select order_id, amount, status from src;

      COMMENT ON TABLE "iceberg"."marts"."fct_orders" IS 'One row per order.';

      COMMENT ON COLUMN "iceberg"."marts"."fct_orders"."order_id" IS 'The order''s id.';

      COMMENT ON COLUMN "iceberg"."marts"."fct_orders"."status" IS 'Latest status:
      ''paid'' or ''shipped''.';
      "
    `);
  });

  it("a view: COMMENT ON VIEW (Trino refuses COMMENT ON TABLE for one); column comments work on views", () => {
    expect(
      sqlFor({ materialized: "view", persist_docs: BOTH }, { kind: "view" }, withDocs),
    ).toMatchInlineSnapshot(`
      "CREATE OR REPLACE VIEW "iceberg"."marts"."fct_orders" AS
      select order_id, amount, status from src;

      COMMENT ON VIEW "iceberg"."marts"."fct_orders" IS 'One row per order.';

      COMMENT ON COLUMN "iceberg"."marts"."fct_orders"."order_id" IS 'The order''s id.';

      COMMENT ON COLUMN "iceberg"."marts"."fct_orders"."status" IS 'Latest status:
      ''paid'' or ''shipped''.';
      "
    `);
  });

  it("relation only, columns only, or off", () => {
    const relationOnly = sqlFor(
      { materialized: "table", persist_docs: { relation: true } },
      ABSENT,
      withDocs,
    );
    expect(relationOnly).toContain('COMMENT ON TABLE "iceberg"."marts"."fct_orders" IS');
    expect(relationOnly).not.toContain("COMMENT ON COLUMN");
    const columnsOnly = sqlFor({ materialized: "table", persist_docs: { columns: true } }, ABSENT, withDocs);
    expect(columnsOnly).not.toContain("COMMENT ON TABLE");
    expect(columnsOnly).toContain("COMMENT ON COLUMN");
    expect(sqlFor({ materialized: "table" }, ABSENT, withDocs)).not.toContain("COMMENT");
    expect(
      sqlFor({ materialized: "table", persist_docs: { relation: false, columns: false } }, ABSENT, withDocs),
    ).not.toContain("COMMENT");
  });

  it("an incremental run keeps the table: a listed column without a description is cleared, added columns count", () => {
    const older: RelationState = {
      kind: "table",
      columns: [
        { name: "order_id", type: "bigint" },
        { name: "amount_note", type: "varchar" },
      ],
    };
    expect(
      sqlFor(
        { materialized: "incremental", on_schema_change: "append_new_columns", persist_docs: BOTH },
        older,
        { ...withDocs, docs: { ...docs, description: "" } },
      ),
    ).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."fct_orders__floe_tmp" AS
      select order_id, amount, status from src;

      ALTER TABLE "iceberg"."marts"."fct_orders" ADD COLUMN "amount" double;

      ALTER TABLE "iceberg"."marts"."fct_orders" ADD COLUMN "status" varchar;

      INSERT INTO "iceberg"."marts"."fct_orders" ("order_id", "amount", "status")
      SELECT "order_id", "amount", "status"
      FROM "iceberg"."marts"."fct_orders__floe_tmp" AS DBT_INTERNAL_SOURCE;

      COMMENT ON TABLE "iceberg"."marts"."fct_orders" IS NULL;

      COMMENT ON COLUMN "iceberg"."marts"."fct_orders"."order_id" IS 'The order''s id.';

      COMMENT ON COLUMN "iceberg"."marts"."fct_orders"."status" IS 'Latest status:
      ''paid'' or ''shipped''.';

      COMMENT ON COLUMN "iceberg"."marts"."fct_orders"."amount_note" IS NULL;

      -- cleanup (always runs)

      DROP TABLE IF EXISTS "iceberg"."marts"."fct_orders__floe_tmp";
      "
    `);
  });

  it("an existing relation whose description was removed has its comment cleared; a new one gets none", () => {
    const none = { ...docs, description: "  " };
    expect(
      sqlFor(
        { materialized: "table", persist_docs: { relation: true } },
        { kind: "table", columns: undefined },
        { ...withDocs, docs: none },
      ),
    ).toContain('COMMENT ON TABLE "iceberg"."marts"."fct_orders" IS NULL;');
    expect(
      sqlFor({ materialized: "table", persist_docs: { relation: true } }, ABSENT, {
        ...withDocs,
        docs: none,
      }),
    ).not.toContain("COMMENT");
  });

  it("an ephemeral model has no plan, so no comments", () => {
    expect(sqlFor({ materialized: "ephemeral", persist_docs: BOTH }, ABSENT, withDocs)).toBe("\n");
  });
});
