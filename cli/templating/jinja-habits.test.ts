import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { jinjaHabitError } from "./jinja-habits.js";
import { parseTemplate } from "./parse-template.js";

/** What parsing `source` throws: every Jinja habit must fail at compile, never reach Trino. */
function failure(source: string): ConfigError {
  try {
    parseTemplate(source, "models/m.sql");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${source}`);
}

describe("Jinja habits", () => {
  it.each([
    ["select * from {{ ref('orders') }}", '{{ref "orders"}}'],
    ['select * from {{ ref("shop", "orders") }}', '{{ref "shop" "orders"}}'],
    ["from {{ source('shop', 'events') }}", '{{source "shop" "events"}}'],
    ["{{ config(materialized='table') }}\nselect 1", '{{config materialized="table"}}'],
    [
      "{{ config(materialized='incremental', unique_key='id', tags='a,b') }}",
      '{{config materialized="incremental" unique_key="id" tags="a,b"}}',
    ],
    ["where d > '{{ var('start') }}'", '{{var "start"}}'],
    ["where d > {{ var('start', '2024-01-01') }}", '{{var "start" "2024-01-01"}}'],
    ["{{ is_incremental() }}", "{{is_incremental}}"],
    ["host: {{ env_var('HOST', 'localhost') }}", '{{env "HOST" "localhost"}}'],
    ["from {{ ref(var('orders_model', 'orders')) }}", '{{ref (var "orders_model" "orders")}}'],
    [
      "{{ config(materialized='table', partitioned_by=['day', 'country']) }}",
      '{{config materialized="table" partitioned_by="day,country"}}',
    ],
    ["{{- ref('x') -}}", '{{~ref "x"~}}'],
  ])("%s → the fix is %s", (source, fix) => {
    const error = failure(source);
    expect(error.message).toMatch(/^Jinja .* Floe templates are Handlebars, not Jinja\.$/);
    expect(error.hint).toContain(`write ${fix} (see docs/templates.md`);
  });

  it.each([
    ["{% if is_incremental() %} where x > 1 {% endif %}", "write {{#if (is_incremental)}} ... {{/if}}"],
    ["{% if not flag %}a{% endif %}", "write {{#unless flag}} ... {{/unless}}"],
    ["{%- if var('full') -%}a{% endif %}", 'write {{#if (var "full")}} ... {{/if}}'],
    ["{% if a == 1 %}x{% endif %}", "Handlebars tests one value, with no operators"],
    ["{% for c in columns %}{{c}}{% endfor %}", "write {{#each columns as |c|}} ... {{/each}}"],
    ["{% for c in columns -%}{{c}}{% endfor %}", 'a list in vars: is {{#each (var "columns") as |c|}}'],
    ["{% set days = 3 %}", 'read it with {{var "days"}}'],
    ["{% macro cents(col, scale=2) %}x{% endmacro %}", "call it with {{> cents col=... scale=...}}"],
    ["{# a note #} select 1", "write a Handlebars comment, which renders nothing: {{!-- a note --}}"],
    ["{{ this -}}", "write {{this~}}"],
  ])("%s is caught at compile: %s", (source, hint) => {
    const error = failure(source);
    expect(error.hint).toContain(hint);
    expect(error.location).toEqual({ file: "models/m.sql", line: 1, column: 1 });
  });

  it("locates the first habit at its line and column", () => {
    const error = failure('{{config materialized="view"}}\nselect 1\nfrom t\n  {% if x %}y{% endif %}\n');
    expect(error.location).toEqual({ file: "models/m.sql", line: 4, column: 3 });
    const call = failure("select a,\n  b\nfrom {{ ref('orders') }}");
    expect(call.location).toEqual({ file: "models/m.sql", line: 3, column: 6 });
  });

  it.each([
    "select '{% not a tag %}' as s",
    "select '{#hashtag#}' as s, 'it''s {% x %}' as t",
    'select 1 as "{% weird %}"',
    "select 1 -- {% if is_incremental() %} was here\n",
    "select 1 /* {# old #} {% endif %} */",
    "{{!-- {% if x %} kept out --}}select 1",
    "select '%}' || '{' || '%' as x",
  ])("%s: Jinja marks in a SQL string, quoted identifier or comment are data", (source) => {
    expect(jinjaHabitError(source, "m.sql")).toBeUndefined();
    expect(() => parseTemplate(source, "m.sql")).not.toThrow();
  });

  it("leaves Handlebars alone", () => {
    for (const source of [
      '{{#if (is_incremental)}}where x > 1{{/if}} {{ref "a"}} {{~x~}} {{!-- c --}}',
      "select {{this}}",
      "select a - b -- minus\nfrom t",
    ])
      expect(jinjaHabitError(source, "m.sql")).toBeUndefined();
  });

  it("keeps Handlebars' own syntax errors when there is no Jinja", () => {
    expect(failure("select {{ a b=}}").message).toContain("template syntax error");
  });
});
