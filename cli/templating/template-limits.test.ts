import { describe, expect, it } from "vitest";
import { errorOf } from "../testing/project-fixture.js";
import { parseTemplate } from "./parse-template.js";
import { MAX_TEMPLATE_NESTING } from "./template-limits.js";

/**
 * Found while testing the project loader on arbitrary templates (issue 12): 2,000 nested blocks overflowed
 * Handlebars' AST passes (reported as "unexpected input"), 8,000 took 46 s to parse, 5,000 nested
 * subexpressions ended in an internal RangeError.
 */
const nestedIfs = (n: number) => `select 1\n${"{{#if x}}".repeat(n)}a${"{{/if}}".repeat(n)}`;
const nestedCalls = (n: number) => `select {{x ${"(x ".repeat(n)}${")".repeat(n)}}}`;

describe("template nesting", () => {
  it(`${MAX_TEMPLATE_NESTING} levels parse; one more is a ConfigError at the opening that goes too deep`, () => {
    expect(() => parseTemplate(nestedIfs(MAX_TEMPLATE_NESTING), "models/a.sql")).not.toThrow();
    const error = errorOf(() => parseTemplate(nestedIfs(MAX_TEMPLATE_NESTING + 1), "models/a.sql"));
    expect(error.message).toBe(`the template nests blocks deeper than ${MAX_TEMPLATE_NESTING} levels.`);
    expect(error.location).toEqual({ file: "models/a.sql", line: 2, column: 1 + 9 * MAX_TEMPLATE_NESTING });
    expect(error.hint).toContain("macros");
  });

  it("thousands of levels are refused at once, blocks and subexpressions alike", () => {
    const started = performance.now();
    expect(errorOf(() => parseTemplate(nestedIfs(8_000), "m.sql")).message).toContain("nests blocks deeper");
    expect(errorOf(() => parseTemplate(nestedCalls(5_000), "m.sql")).message).toContain(
      "nests subexpressions deeper",
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("counts only real openings: comments, escaped mustaches, {{^}} (else) and closed blocks do not nest", () => {
    const many = (s: string) => s.repeat(MAX_TEMPLATE_NESTING + 5);
    for (const text of [
      `{{!-- ${many("{{#if x}}")} --}}`,
      `{{! ${many("((")} }}`,
      many("\\{{#if x}}"),
      many("{{#if x}}a{{^}}b{{/if}}"),
      many("{{#if x}}a{{/if}}"),
    ]) {
      expect(() => parseTemplate(`select ${text}`, "m.sql")).not.toThrow();
    }
  });
});
