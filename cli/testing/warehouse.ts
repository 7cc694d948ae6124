import type { TrinoConnection } from "../../trino/connection.js";
import { informationSchema, quoteRelation, quoteSchema, quoteString } from "../../trino/dialect.js";

/** Integration-test helpers over the local stack's iceberg catalog. */
export async function rows(trino: TrinoConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await trino.query<Record<string, unknown>>(sql)).rows;
}

export async function showCreateTable(
  trino: TrinoConnection,
  schema: string,
  table: string,
): Promise<string> {
  const result = await trino.query<{ "Create Table": string }>(
    `SHOW CREATE TABLE ${quoteRelation({ catalog: "iceberg", schema, identifier: table })}`,
  );
  return result.rows[0]?.["Create Table"] ?? "";
}

/** Drops every table and view of a test schema, then the schema (best effort: cleanup must not fail a test). */
export async function dropSchema(trino: TrinoConnection, schema: string): Promise<void> {
  try {
    const tables = await rows(
      trino,
      `SELECT table_name, table_type FROM ${informationSchema("iceberg", "tables")} WHERE table_schema = ${quoteString(schema)}`,
    );
    for (const t of tables) {
      const kind = t.table_type === "VIEW" ? "VIEW" : "TABLE";
      await trino.query(
        `DROP ${kind} IF EXISTS ${quoteRelation({ catalog: "iceberg", schema, identifier: String(t.table_name) })}`,
      );
    }
    await trino.query(`DROP SCHEMA IF EXISTS ${quoteSchema({ catalog: "iceberg", schema })}`);
  } catch {
    // Leave it; unique names keep later runs apart.
  }
}
