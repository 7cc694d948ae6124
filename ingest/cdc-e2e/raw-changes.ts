import { trinoQuery } from "../int-helpers.js";
import type { LoggedChange } from "./shop-writer.js";

/**
 * A run's changes as raw `db_<table>` holds them, read through Trino in change order (`_lsn`, then
 * `_kafka_offset`), and the same with Debezium's redeliveries (same key, same LSN) dropped.
 */

export interface RawChanges {
  /** Rows in raw, redeliveries included. */
  readonly rows: number;
  /** One per (key, _lsn), in LSN order. */
  readonly changes: LoggedChange[];
}

const VALUE_COLUMN = { products: "price", inventory: "quantity" } as const;

export async function rawChanges(
  schema: string,
  table: LoggedChange["table"],
  idPrefix: string,
): Promise<RawChanges> {
  const rows = await trinoQuery(
    `SELECT product_id, _op, ${VALUE_COLUMN[table]}, _lsn FROM hive.${schema}.db_${table}
     WHERE product_id LIKE '${idPrefix}%' ORDER BY _lsn, _kafka_offset`,
  );
  const seen = new Set<string>();
  const changes: LoggedChange[] = [];
  for (const [key, op, value, lsn] of rows) {
    const id = `${key}@${lsn}`;
    if (seen.has(id)) continue;
    seen.add(id);
    changes.push({
      table,
      key: String(key),
      op: op as LoggedChange["op"],
      value: op === "d" ? null : String(value),
    });
  }
  return { rows: rows.length, changes };
}

/**
 * The current state the staging model computes (the latest row per key by `_lsn`, deletes applied),
 * written in Trino SQL over raw, redeliveries included: key → value.
 */
export async function currentStateFromRaw(
  schema: string,
  table: LoggedChange["table"],
  idPrefix: string,
): Promise<Map<string, string>> {
  const column = VALUE_COLUMN[table];
  const rows = await trinoQuery(
    `SELECT product_id, ${column} FROM (
       SELECT product_id, ${column}, _op,
         row_number() OVER (PARTITION BY product_id ORDER BY _lsn DESC, _kafka_offset DESC) AS n
       FROM hive.${schema}.db_${table} WHERE product_id LIKE '${idPrefix}%')
     WHERE n = 1 AND _op <> 'd'`,
  );
  return new Map(rows.map(([key, value]) => [String(key), String(value)]));
}
