import { quoteIdentifier } from "../../trino/dialect.js";
import type { KeyColumn } from "./steps.js";

/**
 * NULL-safe key equality for MERGE. `dest.k = src.k` never matches NULL keys, so a merge re-inserts every
 * NULL-keyed row on every run (dbt-core#7873: tables "blew out over time"). `IS NOT DISTINCT FROM` is right
 * but Trino plans it as a nested-loop join; comparing `coalesce(k, <zero of k's type>)` plus `k IS NULL` on
 * both sides is the same predicate as two equi-join criteria, which Trino hash-joins.
 */
export function keyMatch(destAlias: string, srcAlias: string, key: KeyColumn): string {
  const d = `${destAlias}.${quoteIdentifier(key.name)}`;
  const s = `${srcAlias}.${quoteIdentifier(key.name)}`;
  const zero = key.type === undefined ? undefined : zeroOf(key.type);
  if (zero === undefined) return `${d} IS NOT DISTINCT FROM ${s}`;
  return `coalesce(${d}, ${zero}) = coalesce(${s}, ${zero}) AND (${d} IS NULL) = (${s} IS NULL)`;
}

/** A constant of the given type, or undefined for types without an obvious one (row, array, map, ...). */
export function zeroOf(type: string): string | undefined {
  const t = type.trim().toLowerCase();
  if (/^(tinyint|smallint|integer|int|bigint|real|double|decimal\(.*\))$/.test(t)) return "0";
  if (/^(varchar|char)(\(\d+\))?$/.test(t)) return "''";
  if (t === "boolean") return "false";
  if (t === "date") return "DATE '1970-01-01'";
  if (/^timestamp(\(\d+\))?( with time zone)?$/.test(t)) return `CAST(DATE '1970-01-01' AS ${t})`;
  if (t === "uuid") return "UUID '00000000-0000-0000-0000-000000000000'";
  if (t === "varbinary") return "X''";
  return undefined;
}
