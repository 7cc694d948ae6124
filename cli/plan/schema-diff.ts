import type { ColumnDef } from "./steps.js";

/** How the model's output columns differ from the existing table's (names compared case-insensitively). */
export interface SchemaDiff {
  readonly added: readonly ColumnDef[];
  readonly removed: readonly ColumnDef[];
  /** Same name, different type: `from` in the table, `to` in the model. */
  readonly changed: readonly { readonly name: string; readonly from: string; readonly to: string }[];
  /** Columns in both, in the table's order. */
  readonly common: readonly ColumnDef[];
}

export function diffSchemas(table: readonly ColumnDef[], model: readonly ColumnDef[]): SchemaDiff {
  const inModel = new Map(model.map((c) => [c.name.toLowerCase(), c]));
  const inTable = new Map(table.map((c) => [c.name.toLowerCase(), c]));
  const changed: { name: string; from: string; to: string }[] = [];
  const common: ColumnDef[] = [];
  const removed: ColumnDef[] = [];
  for (const col of table) {
    const m = inModel.get(col.name.toLowerCase());
    if (m === undefined) removed.push(col);
    else {
      common.push(col);
      if (normalizeType(m.type) !== normalizeType(col.type))
        changed.push({ name: col.name, from: col.type, to: m.type });
    }
  }
  const added = model.filter((c) => !inTable.has(c.name.toLowerCase()));
  return { added, removed, changed, common };
}

export function hasChanges(diff: SchemaDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length > 0;
}

/** A change only counts when Iceberg would store a different type (`varchar(3)` is stored as varchar). */
export function normalizeType(type: string): string {
  return icebergType(type).replace(/\s+/g, "");
}

export function describeDiff(diff: SchemaDiff): string {
  const parts: string[] = [];
  if (diff.added.length > 0)
    parts.push(`new columns ${diff.added.map((c) => `${c.name} ${c.type}`).join(", ")}`);
  if (diff.removed.length > 0) parts.push(`removed columns ${diff.removed.map((c) => c.name).join(", ")}`);
  if (diff.changed.length > 0) {
    parts.push(`changed types ${diff.changed.map((c) => `${c.name} ${c.from} → ${c.to}`).join(", ")}`);
  }
  return parts.join("; ");
}

/**
 * The type Iceberg stores for a Trino type: Iceberg has no tinyint/smallint/bounded varchar and keeps
 * timestamps in microseconds. Used to compare a model's columns with a table's, and for new columns.
 * Bare `timestamp` is how Trino's protocol names timestamp columns to clients without parametric datetime.
 */
export function icebergType(type: string): string {
  const t = type
    .trim()
    .toLowerCase()
    .replace(/\s*,\s*/g, ", ");
  if (t === "tinyint" || t === "smallint") return "integer";
  if (/^(varchar|char)(\(\d+\))?$/.test(t)) return "varchar";
  if (/^timestamp(\(\d+\))?$/.test(t)) return "timestamp(6)";
  if (/^timestamp(\(\d+\))? with time zone$/.test(t)) return "timestamp(6) with time zone";
  if (/^time(\(\d+\))?$/.test(t)) return "time(6)";
  return t;
}
