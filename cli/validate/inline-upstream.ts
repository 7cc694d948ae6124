/**
 * How `floe validate` checks a model whose upstream models are not built yet: Trino cannot resolve a
 * table that does not exist, so each unbuilt upstream model's relation name in the SQL is replaced by
 * that model's own (already inlined) SELECT as a subquery — `from "iceberg"."s"."stg" o` becomes
 * `from (select …) o` — and Trino validates the whole chain at once. Sources and seeds have no SELECT to
 * inline: a node that reads a missing one is "not checked". Pure.
 */
export interface InlinedSql {
  readonly sql: string;
  /** The line of the node's own SQL a line of `sql` came from; undefined inside an inlined subquery. */
  readonly ownLine: (line: number) => number | undefined;
  /** The upstream nodes whose SELECT was inlined. */
  readonly inlined: readonly string[];
}

/** Above this size an inlined query is not sent (diamond-shaped DAGs can multiply the text). */
export const MAX_INLINED_CHARS = 2_000_000;

/**
 * Replaces every occurrence of each relation text (longest first) with `(\n<select>\n)`. The subquery takes
 * the table's name as its alias when the SQL gives it none, so columns qualified by the table's name
 * (`stg.id`) still resolve; a column qualified by the whole relation (`"c"."s"."stg".id`) becomes `"stg".id`.
 */
export function inlineRelations(
  sql: string,
  replacements: ReadonlyMap<string, { readonly id: string; readonly sql: string }>,
): InlinedSql {
  const relations = [...replacements.keys()]
    .filter((r) => sql.includes(r))
    .sort((a, b) => b.length - a.length);
  if (relations.length === 0) return { sql, ownLine: (line) => line, inlined: [] };
  const pattern = new RegExp(relations.map(escapeRegExp).join("|"), "g");
  const segments: { text: string; own: boolean }[] = [];
  const inlined = new Set<string>();
  let last = 0;
  for (const match of sql.matchAll(pattern)) {
    const end = match.index + match[0].length;
    const name = tableName(match[0]);
    if (sql.charCodeAt(end) === 0x2e /* . */) {
      // A column qualified by the relation: the subquery in the FROM clause answers to the table's name.
      segments.push({ text: sql.slice(last, match.index) + name, own: true });
      last = end;
      continue;
    }
    segments.push({ text: sql.slice(last, match.index), own: true });
    const replacement = replacements.get(match[0])!;
    inlined.add(replacement.id);
    const alias = hasAlias(sql, end) ? "" : ` ${name}`;
    segments.push({ text: `(\n${replacement.sql.replace(/[\s;]+$/, "")}\n)${alias}`, own: false });
    last = end;
  }
  segments.push({ text: sql.slice(last), own: true });
  // Where each output line came from: own lines count on; an inlined subquery's lines belong to the
  // upstream model, except its closing ")" line, which goes on with the rest of the own line.
  const origin: (number | undefined)[] = [1];
  let ownLine = 1;
  for (const segment of segments) {
    const breaks = segment.text.split("\n").length - 1;
    for (let i = 1; i <= breaks; i++) {
      if (segment.own) origin.push(++ownLine);
      else origin.push(i === breaks ? ownLine : undefined);
    }
  }
  return {
    sql: segments.map((s) => s.text).join(""),
    ownLine: (line) => origin[line - 1],
    inlined: [...inlined],
  };
}

/** The last part of a rendered relation (`"c"."s"."stg"` → `"stg"`), still quoted. */
function tableName(relation: string): string {
  return /"(?:[^"]|"")*"$/.exec(relation)?.[0] ?? relation;
}

/** Words that may follow a table in a FROM clause but cannot be its (unquoted) alias. */
const NOT_ALIASES = new Set([
  "where",
  "join",
  "inner",
  "left",
  "right",
  "full",
  "outer",
  "cross",
  "natural",
  "on",
  "using",
  "group",
  "order",
  "having",
  "limit",
  "offset",
  "fetch",
  "union",
  "intersect",
  "except",
  "window",
  "tablesample",
  "match_recognize",
  "for",
  "when",
  "then",
  "else",
  "end",
  "and",
  "or",
  "select",
  "from",
  "with",
  "values",
]);

/** Whether an alias (`x`, `as x`, `"x"`) follows position `from`, past spaces and comments. */
function hasAlias(sql: string, from: number): boolean {
  const gap = /(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/)*/y;
  gap.lastIndex = from;
  gap.exec(sql);
  const at = gap.lastIndex;
  if (sql.charCodeAt(at) === 0x22 /* " */) return true;
  const word = /[A-Za-z_][A-Za-z0-9_]*/y;
  word.lastIndex = at;
  const found = word.exec(sql)?.[0];
  return found !== undefined && !NOT_ALIASES.has(found.toLowerCase());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
