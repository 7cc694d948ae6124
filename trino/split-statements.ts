/**
 * Splits SQL text into statements at top-level `;`: a `;` inside a string ('it''s'), a quoted identifier
 * ("a;b"), a `--` line comment or a block comment does not end a statement. Trino runs one statement per
 * request, so a script (a run-operation macro) is sent statement by statement. Statements that are only
 * whitespace and comments are dropped; the rest are trimmed.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let hasCode = false;
  const push = (end: number) => {
    const text = sql.slice(start, end).trim();
    if (hasCode && text !== "") out.push(text);
    hasCode = false;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      hasCode = true;
      // A doubled quote inside is an escaped quote, so scanning on to the next quote handles it.
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j++;
      i = j + 1;
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === ";") {
      push(i);
      start = i + 1;
      i++;
    } else {
      if (c !== undefined && !/\s/.test(c)) hasCode = true;
      i++;
    }
  }
  push(sql.length);
  return out;
}
