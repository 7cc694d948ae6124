/**
 * Maps a line of the compiled SQL back to the model's template file. Templates and compiled SQL differ
 * where helpers expand (`{{ref}}` → a quoted relation), config lines vanish and ephemeral CTEs are
 * prepended, so: a compiled line whose text appears exactly once in the template maps there; else a
 * template line that matches it with each `{{…}}` read as "anything" (`from {{this}}` ↔
 * `from "iceberg"."s"."t"`), when exactly one does; otherwise the line is shifted by the template lines
 * that rendered to nothing before the first SQL line.
 */
export function mapCompiledLine(
  templateText: string,
  compiledSql: string,
  compiledLine: number,
): number | undefined {
  const compiledLines = compiledSql.split(/\r?\n/);
  const text = compiledLines[compiledLine - 1]?.trim();
  const templateLines = templateText.split(/\r?\n/);
  if (text !== undefined && text !== "") {
    const hits = templateLines.flatMap((l, i) => (l.trim() === text ? [i + 1] : []));
    if (hits.length === 1) return hits[0];
    const shaped = templateLines.flatMap((l, i) => (matchesWithHelpers(l.trim(), text) ? [i + 1] : []));
    if (shaped.length === 1) return shaped[0];
  }
  if (/^\s*with\s+"__floe_cte__/i.test(compiledSql)) return undefined;
  const leading =
    /^(?:\s|\{\{~?!--[\s\S]*?--~?\}\}|\{\{~?![\s\S]*?\}\}|\{\{~?\s*config\b[\s\S]*?\}\})*/.exec(
      templateText,
    )?.[0] ?? "";
  const vanished = leading.slice(0, leading.lastIndexOf("\n") + 1).split("\n").length - 1;
  const line = compiledLine + vanished;
  return line <= templateLines.length ? line : undefined;
}

/** Whether a template line with `{{…}}` expressions could have rendered to `text`. */
function matchesWithHelpers(templateLine: string, text: string): boolean {
  if (!templateLine.includes("{{")) return false;
  const parts = templateLine.split(/\{\{[\s\S]*?\}\}/);
  // A line that is only helpers would match anything.
  if (parts.join("").trim() === "") return false;
  const pattern = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*?");
  return new RegExp(`^${pattern}$`).test(text);
}
