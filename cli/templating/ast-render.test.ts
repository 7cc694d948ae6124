import Handlebars from "handlebars";
import { describe, expect, it } from "vitest";
import { errorOf } from "../testing/project-fixture.js";
import { renderTemplate } from "./ast-render.js";
import { createTemplateEnvironment } from "./environment.js";
import { parseTemplate } from "./parse-template.js";

const macros = [
  {
    name: "money",
    file: "macros/money.sql",
    source: "cast({{column}} as decimal(18, 2)) / {{#if divisor}}{{divisor}}{{else}}100{{/if}}\n",
  },
  {
    name: "list",
    file: "macros/list.sql",
    source: "{{#each items}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}",
  },
  { name: "wrapper", file: "macros/wrapper.sql", source: "begin {{> @partial-block}} end" },
].map((m) => ({ ...m, ast: parseTemplate(m.source, m.file) }));

function both(source: string, context: Record<string, unknown>): { ours: string; handlebars: string } {
  const env = createTemplateEnvironment(macros, {
    upper: (value: unknown) => String(value).toUpperCase(),
    join: (...args: unknown[]) => args.slice(0, -1).join("_"),
  });
  const ours = renderTemplate(env, parseTemplate(source, "models/m.sql"), "models/m.sql", context);
  const handlebars = env.handlebars.compile(source, { noEscape: true })(context);
  return { ours, handlebars };
}

// The interpreter must render exactly what Handlebars.compile renders (with noEscape) for the subset Floe uses.
const CASES: [string, string, Record<string, unknown>][] = [
  [
    "raw content and mustaches",
    "select {{a}} from {{b.c}} where x = '{{d}}'",
    { a: 1, b: { c: "t" }, d: "<&>" },
  ],
  [
    "if / else if / else chains",
    "{{#if a}}A{{else if b}}B{{else}}C{{/if}}|{{#if z}}Z{{/if}}",
    { a: false, b: 1, z: 0 },
  ],
  [
    "unless and includeZero",
    "{{#unless a}}no{{/unless}} {{#if n includeZero=true}}zero{{/if}}",
    { a: "", n: 0 },
  ],
  [
    "each over arrays with @index, @first, @last",
    "{{#each xs}}{{@index}}:{{this}}{{#if @first}}^{{/if}}{{#if @last}}${{/if}} {{/each}}",
    { xs: ["a", "b", "c"] },
  ],
  [
    "each over objects with @key and else",
    "{{#each o}}{{@key}}={{this}};{{/each}}{{#each none}}x{{else}}empty{{/each}}",
    { o: { k: 1, l: 2 }, none: [] },
  ],
  [
    "each with block params and ../",
    "{{#each xs as |x i|}}{{i}}{{x.n}}{{../sep}}{{/each}}",
    { xs: [{ n: "a" }, { n: "b" }], sep: "," },
  ],
  ["with and @root", "{{#with inner}}{{v}}-{{@root.top}}{{/with}}", { inner: { v: 1 }, top: "T" }],
  [
    "helpers with hash args and subexpressions",
    "{{upper (join a b)}} {{lookup o key}}",
    { a: "x", b: "y", o: { k: "v" }, key: "k" },
  ],
  ["comments disappear", "a{{! note }}b{{!-- {{not}} --}}c", {}],
  ["whitespace control ~", "a   {{~b~}}   c\n{{~#if t}}  yes  {{~/if}}", { b: "B", t: true }],
  ["standalone blocks drop their lines", "select\n{{#if t}}\n  x\n{{/if}}\nfrom y\n", { t: true }],
  [
    "partials with hash args and nested partials",
    'select {{> money column="cents"}} as a, {{> money column="c" divisor=10}}',
    {},
  ],
  ["standalone partials are indented", "select\n    {{> list items=cols}}\nfrom t", { cols: ["a", "b"] }],
  ["partial blocks", "{{#> wrapper}}inner {{x}}{{/wrapper}}", { x: 1 }],
  ["raw blocks", "{{{{raw}}}}{{not evaluated}}{{{{/raw}}}}", {}],
  ["triple-stash is the same as double without escaping", "{{{a}}} {{a}}", { a: "'<b>'" }],
];

describe("AST interpreter matches Handlebars.compile", () => {
  for (const [name, source, context] of CASES) {
    it(name, () => {
      const { ours, handlebars } = both(source, context);
      // Handlebars keeps a macro file's final newline inline; Floe drops it (it is an editor artifact).
      expect(ours).toBe(handlebars.replace(" / 100\n as a", " / 100 as a").replace("/ 10\n", "/ 10"));
    });
  }
});

describe("template errors", () => {
  const env = createTemplateEnvironment(macros);
  const render = (source: string, context: Record<string, unknown> = {}) =>
    renderTemplate(env, parseTemplate(source, "models/m.sql"), "models/m.sql", context);

  it("an unknown helper names the helper, its position and the closest helper", () => {
    const error = errorOf(() => render("select\n  {{reff 'x'}}"));
    expect(error.message).toBe("unknown helper 'reff'.");
    expect(error.location).toMatchObject({ file: "models/m.sql", line: 2, column: 3 });
    expect(error.hint).toContain("did you mean 'ref'?");
  });

  it("an undefined value is an error, not an empty string", () => {
    const error = errorOf(() => render("select {{colum}} from t", { column: 1 }));
    expect(error.message).toContain("'{{colum}}' is not defined");
    expect(error.hint).toContain("did you mean 'column'?");
  });

  it("Object.prototype names are not helpers (found by the project loader's property test)", () => {
    // {{constructor}} used to call Object() and render "[object Object]"; {{__proto__}} leaked a JS TypeError.
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const error = errorOf(() => render(`select {{${name}}}`));
      expect(error.message).toBe(`'{{${name}}}' is not defined here.`);
    }
  });

  it("an unknown macro names the closest one", () => {
    const error = errorOf(() => render("{{> mony column='a'}}"));
    expect(error.message).toContain("unknown macro 'mony'");
    expect(error.hint).toContain("did you mean 'money'?");
  });

  it("errors inside a macro point at the macro file and the call site", () => {
    const error = errorOf(() => render("select\n{{> money}}"));
    expect(error.location?.file).toBe("macros/money.sql");
    expect(error.message).toContain("called from models/m.sql:2");
  });

  it.each([
    ["select {{ref 'a'", 1, 8, "is never closed"],
    ["select 1\n{{#if x}}\nfoo\n", 2, 1, "the block {{#if}} is never closed"],
    ["a\n{{/if}}", 2, 1, "without a matching"],
    ["x {{#if a}}\n{{/each}}", 1, 6, "if doesn't match each"],
    ["x\n  {{foo bar=}}", 2, 13, "unexpected }}"],
  ])("syntax error in %j is reported at line %i column %i", (source, line, column, message) => {
    const error = errorOf(() => parseTemplate(source, "models/bad.sql"));
    expect(error.message).toContain(message);
    expect(error.location).toMatchObject({ file: "models/bad.sql", line, column });
    expect(error.hint).toBeTruthy();
  });
});

describe("environment isolation", () => {
  it("never registers helpers or partials on the global Handlebars instance", () => {
    createTemplateEnvironment(macros);
    expect(Handlebars.helpers.ref).toBeUndefined();
    expect(Handlebars.partials.money).toBeUndefined();
  });
});
