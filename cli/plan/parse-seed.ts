import { parse } from "csv-parse/sync";
import { ConfigError } from "../../core/errors.js";
import type { ColumnDef } from "./steps.js";

/** A parsed CSV seed: header names, typed columns, and rows of raw text (empty cell → NULL). */
export interface SeedData {
  readonly columns: readonly ColumnDef[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/**
 * Pure: CSV text → typed seed data. `column_types` wins; other columns are inferred from every value
 * (bigint, double, boolean, date, timestamp(6) — Iceberg's precision — else varchar), as dbt-trino does.
 */
export function parseSeed(
  text: string,
  file: string,
  columnTypes: Readonly<Record<string, string>>,
): SeedData {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: false });
  } catch (error) {
    const e = error as { message: string; lines?: number };
    throw new ConfigError(`The seed CSV does not parse: ${e.message}`, {
      location: { file, ...(e.lines === undefined ? {} : { line: e.lines }) },
      hint: "fix the CSV (every row needs as many cells as the header; quote cells that contain commas).",
    });
  }
  const [header, ...body] = records;
  if (header === undefined || header.length === 0 || header.every((h) => h.trim() === "")) {
    throw new ConfigError("The seed CSV has no header row.", {
      location: { file, line: 1 },
      hint: "put the column names on the first line.",
    });
  }
  const names = header.map((h) => h.trim());
  const lowerTypes = new Map(Object.entries(columnTypes).map(([k, v]) => [k.toLowerCase(), v]));
  for (const key of lowerTypes.keys()) {
    if (!names.some((n) => n.toLowerCase() === key)) {
      throw new ConfigError(`column_types names '${key}', which is not a column of the seed.`, {
        location: { file },
        hint: `use one of: ${names.join(", ")}.`,
      });
    }
  }
  const rows = body.map((r) => r.map((v) => (v === "" ? null : v)));
  const columns = names.map((name, i) => ({
    name,
    type: lowerTypes.get(name.toLowerCase()) ?? inferType(rows.map((r) => r[i] ?? null)),
  }));
  // Iceberg takes 'YYYY-MM-DD HH:MM:SS'; ISO's 'T' separator is accepted in the CSV for convenience.
  const normalized = rows.map((r) =>
    r.map((v, i) => (v !== null && columns[i]?.type.startsWith("timestamp") ? v.replace("T", " ") : v)),
  );
  return { columns, rows: normalized };
}

const PATTERNS: readonly [string, RegExp][] = [
  ["bigint", /^-?\d{1,18}$/],
  ["double", /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/],
  ["boolean", /^(true|false)$/i],
  ["date", /^\d{4}-\d{2}-\d{2}$/],
  ["timestamp(6)", /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/],
];

export function inferType(values: readonly (string | null)[]): string {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return "varchar";
  for (const [type, pattern] of PATTERNS) {
    if (present.every((v) => pattern.test(v.trim()))) return type;
  }
  return "varchar";
}
