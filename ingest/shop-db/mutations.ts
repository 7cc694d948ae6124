/**
 * Row changes to the shop database (stack/postgres/shop-schema.sql) as data, and the one SQL text that
 * applies a list of them. Pure: the fold (`shop-db-fold.ts`) makes the list, the writer (`pg-writer.ts`)
 * sends the text. Values are absolute (a stock update says the new quantity, not "minus 2") and an insert
 * of a row that exists does nothing, so applying a list twice in a row leaves the state of applying it once
 * — which is what lets `--resume` re-apply the batch that was in flight when a run stopped.
 */

import type { ShopTable } from "../cdc/cdc-topics.js";

export { SHOP_TABLE_NAMES, type ShopTable } from "../cdc/cdc-topics.js";

export const PRIMARY_KEY: Record<ShopTable, string> = {
  users: "user_id",
  products: "product_id",
  inventory: "product_id",
  orders: "order_id",
  order_items: "order_item_id",
};

/** A column value: text (also numerics as "12.50" and timestamps as ISO strings), integer, boolean or NULL. */
export type SqlValue = string | number | boolean | null;
export type Row = Readonly<Record<string, SqlValue>>;

export type RowMutation =
  | { readonly op: "insert"; readonly table: ShopTable; readonly row: Row }
  | { readonly op: "update"; readonly table: ShopTable; readonly key: string; readonly set: Row }
  | { readonly op: "delete"; readonly table: ShopTable; readonly key: string };

/** A SQL literal. Strings are standard-conforming (PostgreSQL's default since 9.1): only `'` is doubled. */
export function literal(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`shop database: not a finite number: ${value}`);
    return String(value);
  }
  if (value.includes("\0")) throw new Error("shop database: a text value holds a NUL character");
  return `'${value.replaceAll("'", "''")}'`;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * One SQL text for the whole list, in order: consecutive inserts into a table with the same columns become
 * one multi-row INSERT … ON CONFLICT DO NOTHING, consecutive deletes from a table one DELETE … IN (…),
 * each update its own statement (every change stays a change the CDC sees). Sent as one simple-protocol
 * query, the statements run in one implicit transaction: all of them or, on an error, none.
 */
export function renderMutations(mutations: readonly RowMutation[]): string {
  const statements: string[] = [];
  let i = 0;
  while (i < mutations.length) {
    const m = mutations[i] as RowMutation;
    const pk = PRIMARY_KEY[m.table];
    if (m.op === "insert") {
      const columns = Object.keys(m.row);
      const signature = columns.join(",");
      const values: string[] = [];
      let j = i;
      for (; j < mutations.length; j++) {
        const n = mutations[j] as RowMutation;
        if (n.op !== "insert" || n.table !== m.table || Object.keys(n.row).join(",") !== signature) break;
        values.push(`(${columns.map((c) => literal(n.row[c] ?? null)).join(",")})`);
      }
      statements.push(
        `INSERT INTO ${ident(m.table)} (${columns.map(ident).join(",")}) VALUES ${values.join(",")} ` +
          `ON CONFLICT (${ident(pk)}) DO NOTHING`,
      );
      i = j;
    } else if (m.op === "delete") {
      const keys: string[] = [];
      let j = i;
      for (; j < mutations.length; j++) {
        const n = mutations[j] as RowMutation;
        if (n.op !== "delete" || n.table !== m.table) break;
        keys.push(literal(n.key));
      }
      statements.push(`DELETE FROM ${ident(m.table)} WHERE ${ident(pk)} IN (${keys.join(",")})`);
      i = j;
    } else {
      const set = Object.entries(m.set).map(([c, v]) => `${ident(c)} = ${literal(v)}`);
      statements.push(
        `UPDATE ${ident(m.table)} SET ${set.join(", ")} WHERE ${ident(pk)} = ${literal(m.key)}`,
      );
      i++;
    }
  }
  return statements.length === 0 ? "" : `${statements.join(";\n")};`;
}
