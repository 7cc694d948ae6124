/**
 * Trino SQL spelling in one place: identifier and literal quoting, relation names. Pure.
 */

/** Quotes an identifier for Trino: always double-quoted, embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface Relation {
  readonly catalog: string;
  readonly schema: string;
  readonly identifier: string;
}

/** `"catalog"."schema"."table"`. */
export function quoteRelation(relation: Relation): string {
  return [relation.catalog, relation.schema, relation.identifier].map(quoteIdentifier).join(".");
}

/** `"catalog"."schema"`: where CREATE/DROP SCHEMA point. */
export function quoteSchema(schema: Pick<Relation, "catalog" | "schema">): string {
  return `${quoteIdentifier(schema.catalog)}.${quoteIdentifier(schema.schema)}`;
}

/** `"catalog"."information_schema"."<view>"`: what a catalog says it holds (schemata, tables, columns). */
export function informationSchema(
  catalog: string,
  view: "schemata" | "tables" | "columns" | "views",
): string {
  return quoteRelation({ catalog, schema: "information_schema", identifier: view });
}

/** A SQL string literal: single-quoted, embedded quotes doubled. */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A literal for a JS value in generated SQL (seeds, test parameters). */
export function quoteLiteral(value: string | number | boolean | bigint | null): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as a SQL literal`);
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  return quoteString(value);
}

/** `ARRAY['a', 'b']` — how Iceberg table properties take lists (partitioning, sorted_by). */
export function stringArray(values: readonly string[]): string {
  return `ARRAY[${values.map(quoteString).join(", ")}]`;
}
