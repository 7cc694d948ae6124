import type {
  ContentStatement,
  Expression,
  Hash,
  HashPair,
  MustacheStatement,
  PartialStatement,
  PathExpression,
  Program,
  Statement,
  StringLiteral,
} from "./ast.js";

/**
 * A fast parser for the templates most projects are made of: text with `{{name "literal" key="literal"}}`
 * calls and inline `{{> macro key="literal"}}` partials. Handlebars' generated (jison) parser costs about
 * 80 µs per small template, which dominates a cold compile of 10,000 models; this one scans the text once.
 *
 * It returns exactly the compact AST `parseTemplate` would produce (see `compactAstReplacer`; a test
 * compares the two on every shape it accepts), or undefined for anything outside that subset: blocks,
 * comments, `~`, escapes, subexpressions, non-string literals, dotted or `@` paths, standalone partials
 * (Handlebars strips their line) and anything malformed. The caller then parses with Handlebars, which
 * also produces the located syntax errors. Being conservative costs speed only, never correctness.
 */
export function parseSimpleTemplate(source: string): Program | undefined {
  // jison counts a lone \r as a line break and Handlebars treats NUL and \{{ specially: leave those to it.
  // Jinja's `{%` and `{#` are plain text to Handlebars: declining sends them to the Jinja check.
  if (
    source.includes("\0") ||
    source.includes("\\{{") ||
    source.includes("{%") ||
    source.includes("{#") ||
    /\r(?!\n)/.test(source)
  )
    return undefined;
  const body: Statement[] = [];
  let line = 1;
  let lineStart = 0;
  let pos = 0;
  const n = source.length;
  while (pos < n) {
    const open = source.indexOf("{{", pos);
    const contentEnd = open < 0 ? n : open;
    if (contentEnd > pos) {
      const value = source.slice(pos, contentEnd);
      body.push({ type: "ContentStatement", value } satisfies ContentStatement);
      for (let i = value.indexOf("\n"); i >= 0; i = value.indexOf("\n", i + 1)) {
        line++;
        lineStart = pos + i + 1;
      }
    }
    if (open < 0) break;
    const loc = { start: { line, column: open - lineStart } };
    const scanner = new CallScanner(source, open + 2);
    const partial = source.charCodeAt(open + 2) === 0x3e; // '>'
    if (partial) {
      // Alone on its line: Handlebars strips the line's whitespace and marks it standalone.
      if (isBlank(source, lineStart, open)) return undefined;
      scanner.pos++;
    }
    const call = scanner.call();
    if (!call) return undefined;
    const statement: MustacheStatement | PartialStatement = partial
      ? { type: "PartialStatement", name: call.path, params: call.params, loc }
      : { type: "MustacheStatement", path: call.path, params: call.params, loc };
    if (call.hash) (statement as { hash?: Hash }).hash = call.hash;
    body.push(statement);
    // Calls may span lines (`{{config\n  materialized="table"}}`).
    for (let i = open; i < scanner.pos; i++) {
      if (source.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    pos = scanner.pos;
  }
  return { type: "Program", body };
}

function isBlank(source: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = source.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

const KEYWORDS = new Set(["true", "false", "null", "undefined", "this", "else", "as"]);

function isIdStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 0x30 && c <= 0x39);
}

/** `\s` as Handlebars' lexer skips it between tokens inside `{{ }}`. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Scans `name param... key=value... }}` from just after the `{{` (or `{{>`). */
class CallScanner {
  constructor(
    private readonly source: string,
    public pos: number,
  ) {}

  call(): { path: PathExpression; params: Expression[]; hash?: Hash } | undefined {
    this.skipSpace();
    const name = this.id();
    if (name === undefined) return undefined;
    const path = pathOf(name);
    const params: Expression[] = [];
    const pairs: HashPair[] = [];
    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.source.startsWith("}}", this.pos)) {
        // `}}}` closes a triple-stash; leave anything unusual to Handlebars.
        if (this.source.charCodeAt(this.pos + 2) === 0x7d) return undefined;
        this.pos += 2;
        break;
      }
      if (!hadSpace) return undefined;
      const start = this.pos;
      const key = this.id();
      if (key !== undefined && this.source.charCodeAt(this.pos) === 0x3d) {
        this.pos++;
        const value = this.value();
        if (!value) return undefined;
        pairs.push({ type: "HashPair", key, value });
        continue;
      }
      if (pairs.length > 0) return undefined; // a param after key=value is a syntax error
      this.pos = start;
      const value = this.value();
      if (!value) return undefined;
      params.push(value);
    }
    return pairs.length > 0 ? { path, params, hash: { type: "Hash", pairs } } : { path, params };
  }

  /** A string literal or a simple path, followed by a space or `}}`. */
  private value(): Expression | undefined {
    const quote = this.source.charCodeAt(this.pos);
    let value: Expression;
    if (quote === 0x22 || quote === 0x27) {
      const end = this.source.indexOf(quote === 0x22 ? '"' : "'", this.pos + 1);
      if (end < 0) return undefined;
      const text = this.source.slice(this.pos + 1, end);
      if (text.includes("\\")) return undefined;
      value = { type: "StringLiteral", value: text } satisfies StringLiteral;
      this.pos = end + 1;
    } else {
      const name = this.id();
      if (name === undefined) return undefined;
      value = pathOf(name);
    }
    const next = this.source.charCodeAt(this.pos);
    return isSpace(next) || this.source.startsWith("}}", this.pos) ? value : undefined;
  }

  /** A plain identifier that is not a keyword and not followed by a path separator. */
  private id(): string | undefined {
    const start = this.pos;
    if (!isIdStart(this.source.charCodeAt(start))) return undefined;
    let end = start + 1;
    while (isIdPart(this.source.charCodeAt(end))) end++;
    const next = this.source.charCodeAt(end);
    if (!(isSpace(next) || next === 0x7d || next === 0x3d)) return undefined;
    const name = this.source.slice(start, end);
    if (KEYWORDS.has(name)) return undefined;
    this.pos = end;
    return name;
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (isSpace(this.source.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }
}

function pathOf(name: string): PathExpression {
  return { type: "PathExpression", data: false, depth: 0, parts: [name], original: name };
}
