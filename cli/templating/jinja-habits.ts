import { ConfigError } from "../../core/errors.js";

/**
 * dbt habits in a Floe template. Floe templates are Handlebars, so Jinja written from habit either fails
 * to parse with a generic error (`{{ ref('x') }}`) or, worse, parses as plain text and only fails in Trino
 * (`{% if %}`, `{# #}`). This module recognises the Jinja forms and names the Handlebars equivalent, built
 * from what the user wrote, as the fix.
 *
 * Where `{%` and `{#` count: only in SQL code. Inside a SQL string literal (`'{%'`), a quoted identifier or
 * a SQL comment, Floe passes them to Trino untouched, so they are data, not a habit. (Handlebars still
 * expands `{{ }}` everywhere, so `{{-`/`-}}` and Jinja calls in `{{ }}` count anywhere.)
 *
 * Cost: `jinjaHabitError` runs before every full Handlebars parse behind a cheap `includes` gate, and the
 * fast parser declines any text holding `{%` or `{#`, so a project without them pays a couple of string
 * scans per template (see README, bench:compile).
 */

/** Statements and comments (`{%`, `{#`), and Jinja's whitespace control `{{-` / `-}}`. */
export function mayHoldJinja(source: string): boolean {
  return source.includes("{%") || source.includes("{#") || source.includes("{{-") || source.includes("-}}");
}

/** The first Jinja construct of `source` as a located ConfigError, or undefined when it holds none. */
export function jinjaHabitError(source: string, file: string): ConfigError | undefined {
  const tag = mayHoldJinja(source) ? findJinjaTag(source) : undefined;
  const call = findJinjaMustache(source);
  const first = call !== undefined && (tag === undefined || call.index < tag.index) ? call : tag;
  if (!first) return undefined;
  return new ConfigError(`${first.message} Floe templates are Handlebars, not Jinja.`, {
    location: { file, ...positionOf(source, first.index) },
    hint: `${first.hint} (see docs/templates.md, "dbt → Floe").`,
  });
}

interface Habit {
  readonly index: number;
  readonly message: string;
  readonly hint: string;
}

/**
 * The first `{% %}`, `{# #}` in SQL code (not in a string literal, quoted identifier or SQL comment), or
 * `{{-`/`-}}` anywhere. `{{ ... }}` (Handlebars' own, including `{{!-- --}}`) is skipped whole.
 */
function findJinjaTag(source: string): Habit | undefined {
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    const next = source.charCodeAt(i + 1);
    if (c === 0x7b /* { */ && next === 0x7b) {
      if (source.charCodeAt(i + 2) === 0x2d /* - */) return whitespaceControl(source, i);
      const end = mustacheEnd(source, i);
      if (end < 0) return undefined; // unclosed: Handlebars reports it
      if (source.charCodeAt(end - 3) === 0x2d && source.charCodeAt(end - 4) !== 0x2d)
        return whitespaceControl(source, i);
      i = end;
    } else if (c === 0x7b && next === 0x25 /* % */) {
      const end = source.indexOf("%}", i + 2);
      if (end >= 0) return statement(source.slice(i + 2, end), i);
      i += 2;
    } else if (c === 0x7b && next === 0x23 /* # */) {
      const end = source.indexOf("#}", i + 2);
      if (end >= 0) return comment(source.slice(i + 2, end), i);
      i += 2;
    } else if (c === 0x27 /* ' */ || c === 0x22 /* " */) {
      i = quotedEnd(source, i, c);
    } else if (c === 0x2d && next === 0x2d) {
      const eol = source.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === 0x2f /* / */ && next === 0x2a /* * */) {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else i++;
  }
  return undefined;
}

/** After a SQL quoted string or identifier (`''` and `""` escape the quote); `{{ }}` inside is Handlebars'. */
function quotedEnd(source: string, start: number, quote: number): number {
  let i = start + 1;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === quote) {
      if (source.charCodeAt(i + 1) !== quote) return i + 1;
      i += 2;
    } else i++;
  }
  return i;
}

/** Index just after the `}}` closing the mustache at `open` (`{{!-- --}}` closes at `--}}`), or -1. */
function mustacheEnd(source: string, open: number): number {
  if (source.startsWith("{{!--", open)) {
    const end = source.indexOf("--}}", open + 5);
    return end < 0 ? -1 : end + 4;
  }
  const end = source.indexOf("}}", open + 2);
  return end < 0 ? -1 : end + 2;
}

function whitespaceControl(source: string, open: number): Habit {
  const end = mustacheEnd(source, open);
  const written = source.slice(open, end < 0 ? undefined : end);
  const inner = written.replace(/^\{\{-?/, "").replace(/-?\}\}$/, "");
  const left = written.startsWith("{{-") ? "~" : "";
  const right = /-\}\}$/.test(written) ? "~" : "";
  const call = handlebarsCall(inner.trim()) ?? inner.trim();
  return {
    index: open,
    message: `Jinja whitespace control ${written}.`,
    hint: `Handlebars trims whitespace with ~: write {{${left}${call}${right}}}`,
  };
}

function comment(body: string, index: number): Habit {
  return {
    index,
    message: `Jinja comment {#${ellipsis(body)}#}.`,
    hint: `write a Handlebars comment, which renders nothing: {{!--${body}--}}`,
  };
}

/** `{% keyword rest %}` → its Handlebars form. */
function statement(inner: string, index: number): Habit {
  const body = inner.replace(/^[-+]/, "").replace(/[-+]$/, "").trim();
  const keyword = /^\w+/.exec(body)?.[0] ?? "";
  const rest = body.slice(keyword.length).trim();
  const written = `{%${inner}%}`;
  const say = (hint: string): Habit => ({ index, message: `Jinja statement ${ellipsis(written)}.`, hint });
  switch (keyword) {
    case "if":
    case "elif": {
      const negated = /^not\s+(.+)$/.exec(rest);
      const condition = handlebarsArgument(negated?.[1] ?? rest);
      if (condition === undefined)
        return say(
          "Handlebars tests one value, with no operators: put the condition in a var or a column and write {{#if value}} ... {{else}} ... {{/if}}",
        );
      if (keyword === "elif") return say(`write {{else if ${condition}}}`);
      return say(
        negated ? `write {{#unless ${condition}}} ... {{/unless}}` : `write {{#if ${condition}}} ... {{/if}}`,
      );
    }
    case "else":
      return say("write {{else}}");
    case "endif":
      return say("write {{/if}} (or {{/unless}})");
    case "for": {
      const loop = /^(\w+)\s+in\s+(.+)$/.exec(rest);
      const list = loop ? handlebarsArgument(loop[2] ?? "") : undefined;
      return say(
        loop && list !== undefined
          ? `write {{#each ${list} as |${loop[1]}|}} ... {{/each}}${/^\w+$/.test(list) ? ` (in a macro, with ${list} a parameter; a list in vars: is {{#each (var "${list}") as |${loop[1]}|}})` : ""}; {{@index}}, {{@first}} and {{@last}} replace loop.index0, loop.first and loop.last`
          : "write {{#each list as |item|}} ... {{/each}}",
      );
    }
    case "endfor":
      return say("write {{/each}}");
    case "set":
      return say(
        `Handlebars has no assignment: declare the value under vars: in floe_project.yml and read it with {{var "${/^(\w+)/.exec(rest)?.[1] ?? "name"}"}}, or pass it to a macro as a parameter`,
      );
    case "macro": {
      const macro = /^(\w+)\s*\(([^)]*)\)/.exec(rest);
      const name = macro?.[1] ?? "name";
      const params = (macro?.[2] ?? "")
        .split(",")
        .map((p) => p.split("=")[0]?.trim() ?? "")
        .filter((p) => p !== "");
      const call = params.map((p) => ` ${p}=...`).join("");
      return say(
        `a macro is a file macros/${name}.sql holding its body (read parameters as {{${params[0] ?? "param"}}}); call it with {{> ${name}${call}}}`,
      );
    }
    case "endmacro":
      return say("a macro is a whole file under macros/: remove {% endmacro %} and call it with {{> name}}");
    case "raw":
      return say("write {{{{raw}}}} ... {{{{/raw}}}}");
    case "endraw":
      return say("write {{{{/raw}}}}");
    default:
      return say("rewrite it with Handlebars helpers and blocks");
  }
}

/**
 * A `{{ ... }}` whose content is a Jinja call (`ref('x')`, `config(materialized='table')`,
 * `is_incremental()`): Handlebars cannot parse it, so this runs only to explain a syntax error.
 */
function findJinjaMustache(source: string): Habit | undefined {
  for (const match of source.matchAll(/\{\{(-?)([^{}]*?\w\s*\([^{}]*?)(-?)\}\}/g)) {
    const call = handlebarsCall((match[2] ?? "").trim());
    if (call === undefined) continue;
    const left = match[1] ? "~" : "";
    const right = match[3] ? "~" : "";
    return {
      index: match.index,
      message: `Jinja call ${match[0]}.`,
      hint: `write {{${left}${call}${right}}}`,
    };
  }
  return undefined;
}

/** A Jinja expression as the body of a Handlebars mustache: `ref('x')` → `ref "x"`, `this` → `this`. */
function handlebarsCall(expression: string): string | undefined {
  const call = parseCall(expression);
  if (call) return [call.name, ...call.args].join(" ");
  return parseValue(expression);
}

/** A Jinja expression as a Handlebars argument: a call becomes a subexpression, `(is_incremental)`. */
function handlebarsArgument(expression: string): string | undefined {
  const call = parseCall(expression.trim());
  if (call) return `(${[call.name, ...call.args].join(" ")})`;
  return parseValue(expression.trim());
}

/** `name(arg, key=value)` with literal or plain-name arguments; undefined for anything else. */
function parseCall(expression: string): { name: string; args: string[] } | undefined {
  const match = /^([A-Za-z_]\w*)\s*\(([\s\S]*)\)$/.exec(expression);
  if (!match) return undefined;
  const args: string[] = [];
  for (const part of splitArguments(match[2] ?? "")) {
    const pair = /^([A-Za-z_]\w*)\s*=\s*([\s\S]+)$/.exec(part);
    const value = handlebarsArgument(pair ? (pair[2] ?? "") : part);
    if (value === undefined) return undefined;
    args.push(pair ? `${pair[1]}=${value}` : value);
  }
  const name = match[1] ?? "";
  return { name: DBT_NAMES[name] ?? name, args };
}

/** dbt functions whose Floe helper has another name. */
const DBT_NAMES: Readonly<Record<string, string>> = { env_var: "env" };

/** Splits on top-level commas, keeping quoted and nested ones (`config(tags='a,b')`, `ref(var('a', 'b'))`). */
function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote = "";
  let depth = 0;
  for (const ch of text) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = "";
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if (ch === "(" || ch === "[") {
      depth++;
      current += ch;
    } else if (ch === ")" || ch === "]") {
      depth--;
      current += ch;
    } else if (ch === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

/** A Jinja literal or name as Handlebars writes it: strings double-quoted, `True` → `true`, `None` → `null`. */
function parseValue(text: string): string | undefined {
  const value = text.trim();
  // A list of strings: Floe's list configs take one comma-separated string (`tags="a,b"`).
  const list = /^\[([^\]]*)\]$/.exec(value);
  if (list) {
    const items = splitArguments(list[1] ?? "").map((item) => /^'([^'",]*)'$|^"([^"',]*)"$/.exec(item));
    return items.every((m) => m !== null) ? `"${items.map((m) => m?.[1] ?? m?.[2]).join(",")}"` : undefined;
  }
  const quoted = /^'([^'"]*)'$|^"([^"]*)"$/.exec(value);
  if (quoted) return `"${quoted[1] ?? quoted[2]}"`;
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase();
  if (value === "None" || value === "none") return "null";
  if (/^[A-Za-z_]\w*(\.\w+)*$/.test(value)) return value;
  return undefined;
}

function ellipsis(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

function positionOf(source: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i >= 0 && i < index; i = source.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
