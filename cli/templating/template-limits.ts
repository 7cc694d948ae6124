import { ConfigError } from "../../core/errors.js";

/**
 * Handlebars' parser is superlinear in nesting (4,000 nested `{{#if}}` took 4 s, 8,000 took 46 s) and its
 * AST passes recurse (2,000 levels overflowed the stack, which surfaced as a baffling syntax error; 5,000
 * nested subexpressions as an internal error). SQL templates nest a handful of levels, so a template
 * nesting blocks or subexpressions deeper than this is refused before Handlebars sees it.
 */
export const MAX_TEMPLATE_NESTING = 100;

/** One linear pass over the mustaches: block depth across the template, parenthesis depth inside each. */
export function checkTemplateNesting(source: string, file: string): void {
  let blocks = 0;
  let open = source.indexOf("{{");
  while (open >= 0) {
    let at = open + 2;
    while (source[at] === "{" || source[at] === "~") at++;
    const kind = source[at];
    const comment = kind === "!" && source.startsWith("--", at + 1);
    const close = source.indexOf(comment ? "--}}" : "}}", at);
    if (close < 0) return; // an unclosed {{ is the parser's to report, with its position
    const escaped = open > 0 && source.charCodeAt(open - 1) === 92; // \{{ is text
    if (!escaped && kind !== "!") {
      const body = source
        .slice(at + 1, close)
        .replace(/~$/, "")
        .trim();
      // `{{^}}` is an else; `{{^name}}` opens an inverse block.
      if (kind === "#" || (kind === "^" && body !== "")) blocks++;
      else if (kind === "/") blocks--;
      if (blocks > MAX_TEMPLATE_NESTING) throw tooDeep(source, open, file, "blocks");
      let parens = 0;
      for (let i = at; i < close; i++) {
        const c = source.charCodeAt(i);
        if (c === 40 && ++parens > MAX_TEMPLATE_NESTING) throw tooDeep(source, i, file, "subexpressions");
        if (c === 41) parens--;
      }
    }
    open = source.indexOf("{{", close + 2);
  }
}

function tooDeep(source: string, index: number, file: string, what: string): ConfigError {
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  return new ConfigError(`the template nests ${what} deeper than ${MAX_TEMPLATE_NESTING} levels.`, {
    location: { file, line, column },
    hint: "flatten it: move inner parts into macros ({{> name}}) or combine conditions.",
  });
}
