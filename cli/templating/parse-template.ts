import Handlebars from "handlebars";
import { ConfigError } from "../../core/errors.js";
import type { Program } from "./ast.js";
import { parseSimpleTemplate } from "./fast-parse.js";
import { jinjaHabitError, mayHoldJinja } from "./jinja-habits.js";
import { checkTemplateNesting } from "./template-limits.js";

/**
 * Parses one template into its AST (whitespace control and standalone-line stripping already applied by
 * Handlebars). Simple templates take the fast path (`fast-parse.ts`), which yields the same AST. Syntax errors become a ConfigError at file:line:column with a fix, never a jison dump.
 *
 * Parsing uses a private Handlebars instance: `parse` keeps no state between calls except the shared
 * jison lexer, whose last token position we read to locate an error.
 */
const parser = Handlebars.create();

export function parseTemplate(source: string, file: string): Program {
  return parseSimpleTemplate(source) ?? parseWithHandlebars(source, file);
}

/** The full Handlebars parser (what `parseSimpleTemplate` must agree with on the templates it accepts). */
export function parseWithHandlebars(source: string, file: string): Program {
  // Jinja statements and comments parse as plain text: catch them here, or they fail in Trino.
  const habit = mayHoldJinja(source) ? jinjaHabitError(source, file) : undefined;
  if (habit) throw habit;
  checkTemplateNesting(source, file);
  let ast: Program;
  try {
    ast = parser.parse(source) as unknown as Program;
  } catch (error) {
    throw jinjaHabitError(source, file) ?? templateSyntaxError(error, source, file);
  }
  markStandalonePartials(ast);
  return ast;
}

type Flagged = { type: string; leftStripped?: boolean; rightStripped?: boolean; standalone?: boolean };

/**
 * Marks partial calls that stand alone on their line (Handlebars strips that line's whitespace and
 * newline). An inline `{{> macro}}` then drops its file's final newline, which is an editor artifact,
 * not content; a standalone one keeps it, because it replaces the whole line.
 */
function markStandalonePartials(program: { body: readonly unknown[] }): void {
  const body = program.body as (Flagged & { program?: { body: unknown[] }; inverse?: { body: unknown[] } })[];
  body.forEach((node, i) => {
    if (node.type === "PartialStatement") {
      const next = body[i + 1];
      const previous = body[i - 1];
      node.standalone =
        next?.rightStripped === true || (next === undefined && previous?.leftStripped === true);
    }
    if (node.program) markStandalonePartials(node.program);
    if (node.inverse) markStandalonePartials(node.inverse);
  });
}

interface LexerState {
  yylloc?: { first_line: number; first_column: number };
}

function templateSyntaxError(error: unknown, source: string, file: string): ConfigError {
  const raw = error instanceof Error ? error.message : String(error);
  // Handlebars' own exceptions ("if doesn't match each - 3:2") carry their position.
  const own = error as { lineNumber?: number; column?: number };
  if (typeof own.lineNumber === "number") {
    const message = raw.replace(/ - \d+:\d+$/, "");
    const mismatch = /^(\S+) doesn't match (\S+)$/.exec(message);
    return new ConfigError(`template syntax error: ${message}.`, {
      location: { file, line: own.lineNumber, column: (own.column ?? 0) + 1 },
      hint: mismatch
        ? `close {{#${mismatch[1]}}} with {{/${mismatch[1]}}} (blocks must nest).`
        : "fix the Handlebars syntax at this position.",
    });
  }
  const got = /got '([^']+)'\s*$/.exec(raw)?.[1];
  const expected = /Expecting (.*), got/.exec(raw)?.[1] ?? "";
  const lexer = (Handlebars as unknown as { Parser?: { lexer?: LexerState } }).Parser?.lexer;
  let line = lexer?.yylloc?.first_line ?? Number(/line (\d+)/.exec(raw)?.[1] ?? 1);
  let column = (lexer?.yylloc?.first_column ?? 0) + 1;
  let hint = 'fix the Handlebars syntax here: a call looks like {{helper "arg" key="value"}}.';
  let message = `template syntax error: unexpected ${describeToken(got)}.`;
  if (got === "EOF" && expected.includes("OPEN_ENDBLOCK")) {
    const opener = findUnclosedBlock(source);
    if (opener) ({ line, column } = opener);
    message = `template syntax error: the block ${opener ? `{{#${opener.name}}} ` : ""}is never closed.`;
    hint = `add {{/${opener?.name ?? "..."}}} where the block ends.`;
  } else if (got === "EOF") {
    const open = findUnclosedMustache(source);
    if (open) ({ line, column } = open);
    message = "template syntax error: a {{ is never closed.";
    hint = "close the expression with }}.";
  } else if (got === "OPEN_ENDBLOCK" || got === "INVERSE" || got === "OPEN_INVERSE_CHAIN") {
    message = `template syntax error: ${got === "OPEN_ENDBLOCK" ? "a closing {{/...}}" : "an {{else}}"} without a matching {{#block}}.`;
    hint = "remove it or open the block it belongs to.";
  } else if (got === "INVALID") {
    hint = "close the expression with }} and quote strings with double quotes.";
  }
  return new ConfigError(message, { location: { file, line, column }, hint });
}

function describeToken(token: string | undefined): string {
  switch (token) {
    case "CLOSE":
      return "}}";
    case "INVALID":
      return "text inside {{ }}";
    case undefined:
      return "input";
    default:
      return token.toLowerCase().replaceAll("_", " ");
  }
}

function positionOf(source: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function findUnclosedMustache(source: string): { line: number; column: number } | undefined {
  const open = source.lastIndexOf("{{");
  if (open < 0 || source.indexOf("}}", open) >= 0) return undefined;
  return positionOf(source, open);
}

function findUnclosedBlock(source: string): { name: string; line: number; column: number } | undefined {
  const stack: { name: string; index: number }[] = [];
  for (const match of source.matchAll(/\{\{~?([#/])>?\s*([^\s}~]+)/g)) {
    const name = match[2] ?? "";
    if (match[1] === "#") stack.push({ name, index: match.index });
    else if (stack.at(-1)?.name === name) stack.pop();
  }
  const top = stack.at(-1);
  return top ? { name: top.name, ...positionOf(source, top.index) } : undefined;
}

const LOCATED = new Set([
  "MustacheStatement",
  "BlockStatement",
  "PartialStatement",
  "PartialBlockStatement",
  "SubExpression",
]);

/**
 * Drops what the interpreter never reads, so cached ASTs stay small: end positions, strip flags, originals
 * of content, and positions of nodes errors are never reported at. Used as a JSON.stringify replacer.
 */
export function compactAstReplacer(this: { type?: string }, key: string, value: unknown): unknown {
  switch (key) {
    case "loc":
      return this.type !== undefined && LOCATED.has(this.type)
        ? { start: (value as { start: unknown }).start }
        : undefined;
    case "strip":
    case "openStrip":
    case "closeStrip":
    case "inverseStrip":
    case "escaped":
    case "leftStripped":
    case "rightStripped":
    case "chained":
      return undefined;
    case "indent":
      return value === "" ? undefined : value;
    case "standalone":
      return value === true ? true : undefined;
    case "original":
      return this.type === "PathExpression" ? value : undefined;
    default:
      return value;
  }
}
