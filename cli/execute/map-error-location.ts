/**
 * Maps a line of the compiled SQL back to the model's template file. Templates and compiled SQL differ
 * where helpers expand (`{{ref}}` → a quoted relation), config lines vanish and ephemeral CTEs are
 * prepended, so: a compiled line whose text appears exactly once in the template maps there; otherwise the
 * line is shifted by the template lines that rendered to nothing before the first SQL line.
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
