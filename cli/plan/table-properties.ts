import { quoteString, stringArray } from "../../trino/dialect.js";
import type { TableProperties } from "./steps.js";

/** The config keys that become Iceberg table properties. */
export interface TablePropertyConfig {
  readonly partitioned_by?: readonly string[];
  readonly sorted_by?: readonly string[];
  readonly format?: string | undefined;
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Config → `WITH (...)` entries. `properties` values that are already SQL (a quoted string, ARRAY[...], a
 * number, true/false) pass through as dbt-trino users write them (`"'PARQUET'"`); any other text is quoted,
 * so `format_version: 2` and `format: PARQUET` both do what they say. Explicit keys win over `properties`.
 */
export function tableProperties(config: TablePropertyConfig): TableProperties {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(config.properties ?? {})) out.set(key, propertyValue(value));
  if (config.format !== undefined) out.set("format", quoteString(config.format.toUpperCase()));
  if (config.partitioned_by && config.partitioned_by.length > 0) {
    out.set("partitioning", stringArray(config.partitioned_by));
  }
  if (config.sorted_by && config.sorted_by.length > 0) out.set("sorted_by", stringArray(config.sorted_by));
  return [...out.entries()];
}

function propertyValue(value: string): string {
  const v = value.trim();
  if (
    /^'.*'$/s.test(v) ||
    /^(ARRAY\s*\[|MAP\s*\()/i.test(v) ||
    /^-?\d+(\.\d+)?$/.test(v) ||
    /^(true|false)$/i.test(v)
  ) {
    return v;
  }
  return quoteString(v);
}
