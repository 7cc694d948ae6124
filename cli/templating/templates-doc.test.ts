import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTemplateEnvironment, FLOE_HELPERS } from "./environment.js";

/** docs/templates.md stays true: every helper a template can call has its section there. */
const doc = readFileSync(
  join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "docs", "templates.md"),
  "utf8",
);
const INTERNAL = new Set(["helperMissing", "blockHelperMissing"]);

describe("docs/templates.md", () => {
  const registered = Object.keys(createTemplateEnvironment([]).helpers).filter((h) => !INTERNAL.has(h));

  it("documents every registered helper, Floe's and Handlebars' built-ins, under its own heading", () => {
    expect(registered).toEqual(expect.arrayContaining(Object.keys(FLOE_HELPERS)));
    const undocumented = registered.filter((name) => !doc.includes(`### \`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it("documents no helper that does not exist", () => {
    const documented = [...doc.matchAll(/^### `(\w+)`$/gm)].map((m) => m[1]);
    expect(documented.filter((name) => !registered.includes(name ?? ""))).toEqual([]);
  });

  it("has the dbt → Floe cheat sheet, partials and this", () => {
    for (const heading of ["## dbt → Floe", "## Macros are partials", "## The model's context: `this`"])
      expect(doc).toContain(heading);
  });
});
