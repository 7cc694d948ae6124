import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSimpleTemplate } from "./fast-parse.js";
import { compactAstReplacer, parseWithHandlebars } from "./parse-template.js";

/** What the fast parser must equal: Handlebars' AST, compacted as the parse cache stores it. */
function reference(source: string): unknown {
  return JSON.parse(JSON.stringify(parseWithHandlebars(source, "t.sql"), compactAstReplacer));
}

const ACCEPTED = [
  "",
  "select 1",
  "select 1\n",
  '{{config materialized="table" tags="a,b"}}\nselect * from {{ref "orders"}}\n',
  "{{ref 'orders'}}",
  '{{ ref   "orders"  }}',
  '{{config\n  materialized="incremental"\n  unique_key="id"}}\nselect {{x}} from {{source "shop" "orders"}} where a = {{var}}',
  'select t0.id, {{> cents_to_dollars column="t0.amount"}} as amount\nfrom {{ref "m"}} as t0\n',
  "a {{> m}} b\nx {{> m ctx}} c",
  'x\r\ny {{ref "a"}}\r\n  z {{b}}',
  "}} {{a}} } {{b c=d e='f'}}",
  'line1\n\n\n   {{a}}\n\t{{b "c" "d"}}',
  "ünïcödé {{a}}\n€ {{b}}",
];

const REJECTED = [
  "{{#if x}}a{{/if}}",
  // Jinja's statements and comments are text to Handlebars: declined, so the Jinja check sees them.
  "{% if x %}a{% endif %} {{ref 'a'}}",
  "{# note #} {{ref 'a'}}",
  "{{! comment }}",
  "{{~a}}",
  "{{a~}}",
  "{{{a}}}",
  "{{&a}}",
  "\\{{a}}",
  "{{a.b}}",
  "{{this}}",
  "{{@index}}",
  "{{../a}}",
  "{{a (b c)}}",
  "{{a 1}}",
  "{{a true}}",
  '{{a x = "y"}}',
  '{{a k="v" p}}',
  '{{a "x\\"y"}}',
  '{{a "x"y}}',
  "{{> m}}",
  "x\n  {{> m}}\n",
  "{{else}}",
  "{{a",
  "{{a}",
  "a\rb {{c}}",
  "{{> folder/m}}",
];

describe("parseSimpleTemplate", () => {
  it.each(ACCEPTED)("matches Handlebars on %j", (source) => {
    const fast = parseSimpleTemplate(source);
    expect(fast).toBeDefined();
    expect(fast).toEqual(reference(source));
  });

  it.each(REJECTED)("leaves %j to Handlebars", (source) => {
    expect(parseSimpleTemplate(source)).toBeUndefined();
  });

  it("agrees with Handlebars on 5,000 random templates (same AST, or declines)", () => {
    const pieces = [
      ...["{{", "}}", "{{> m", "ref", "x", " ", "  ", "\n", "\r\n", "\t", '"a b"', "'c'", "=", "k="],
      ...["}", ".", "~", "#", "1", "/", '{{ref "a"}}', "{{x k=\"v\" j='w'}}", " {{> m k=v}}", "{{ x y }}"],
      ...["a{{b}}c", "{{> m}}", '{{c\n  d="e"\n}}', "  {{> m x}} y"],
    ];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      let source = "";
      for (let k = random(12); k >= 0; k--) source += pieces[random(pieces.length)];
      const fast = parseSimpleTemplate(source);
      if (fast === undefined) continue;
      accepted++;
      expect(fast, JSON.stringify(source)).toEqual(reference(source));
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it("matches Handlebars on every template of the repo's project", () => {
    const root = join(import.meta.dirname, "../..");
    let accepted = 0;
    for (const folder of ["models", "macros", "tests"]) {
      for (const file of walk(join(root, folder))) {
        if (!file.endsWith(".sql")) continue;
        const source = readFileSync(file, "utf8");
        const fast = parseSimpleTemplate(source);
        if (fast === undefined) continue;
        accepted++;
        expect(fast, file).toEqual(reference(source));
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(0);
  });
});

function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
