/** Rows as a plain-text table (for `floe show` and failing test rows). Long cells are cut at `maxWidth`. */
export function formatTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  maxWidth = 40,
): string {
  const cells = rows.map((r) => columns.map((_, i) => cell(r[i], maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  return [rule, line(columns), rule, ...cells.map(line), rule].join("\n");
}

function cell(value: unknown, maxWidth: number): string {
  const text =
    value === null || value === undefined
      ? "NULL"
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);
  const flat = text.replace(/\s+/g, " ");
  return flat.length > maxWidth ? `${flat.slice(0, maxWidth - 1)}…` : flat;
}
