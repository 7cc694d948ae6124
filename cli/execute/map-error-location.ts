import type { SqlPosition, TrinoQueryError } from "../../trino/errors.js";

/**
 * Trino's line:column in a failing statement → the place the user edits. The one mapping behind the
 * runner's and `floe validate`'s error lines: the statement's line → the line of the node's compiled SQL
 * (`bodyLineAt`) → the template's line (`mapCompiledLine`) → `models/x.sql:12:5; compiled SQL …`
 * (`describeNodeLocation`). Pure, apart from reading the template through the function it is given.
 */

/** Trino's message without its `line 3:7: ` prefix (the location is shown apart), and the query id. */
export function trinoErrorText(error: TrinoQueryError): string {
  return `${error.message.replace(/^line \d+:\d+: /, "")} (Trino query ${error.queryId})`;
}

/**
 * The line of a statement's body at Trino's `position`, when the body (`body`, the node's SQL as sent)
 * starts at the statement's line `bodyLine`; undefined for a position in the DDL around it.
 */
export function bodyLineAt(position: SqlPosition, bodyLine: number, body: string): number | undefined {
  if (position.line < bodyLine) return undefined;
  const line = position.line - bodyLine + 1;
  return line <= body.split("\n").length ? line : undefined;
}

export interface NodeErrorPosition {
  /** The node's file as the manifest records it (`models/x.sql`; a generic test's yml). */
  readonly file: string;
  /** The node's own compiled SQL, and the line of it and Trino's column where the error is. */
  readonly compiledSql: string;
  readonly compiledLine: number;
  readonly column: number;
  /**
   * The compiled SQL file to point at as well, when it holds this SQL; `column` says whether Trino's
   * column is also that file's.
   */
  readonly compiledFile?: { readonly path: string; readonly column: boolean } | undefined;
  readonly readProjectFile: (path: string) => string;
}

/** `models/x.sql:12:5; compiled SQL target/compiled/…/x.sql:10:5`, without the template line when unknown. */
export function describeNodeLocation(at: NodeErrorPosition): string {
  const compiled = at.compiledFile
    ? `; compiled SQL ${at.compiledFile.path}:${at.compiledLine}${at.compiledFile.column ? `:${at.column}` : ""}`
    : "";
  const line = templateLine(at);
  return line === undefined ? `${at.file}${compiled}` : `${at.file}:${line}:${at.column}${compiled}`;
}

function templateLine(at: NodeErrorPosition): number | undefined {
  // Only a .sql template rendered into the SQL line by line; a generic test's yml entry did not.
  if (!at.file.endsWith(".sql")) return undefined;
  try {
    return mapCompiledLine(at.readProjectFile(at.file), at.compiledSql, at.compiledLine);
  } catch {
    // A template that cannot be read (moved since the run began, an API caller without files) only loses its line.
    return undefined;
  }
}

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
