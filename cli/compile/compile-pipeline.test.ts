import { describe, expect, it } from "vitest";
import { errorOf, writeProject } from "../testing/project-fixture.js";
import { loadProject, renderNodes } from "./compile.js";
import { loadProjectFast } from "./compile-pipeline.js";

/**
 * The CLI's pipeline (fast parser, parse cache, templates re-parsed at render instead of kept) must give
 * exactly what the plain `loadProject` gives.
 */
const FILES = {
  "macros/money.sql": "cast({{column}} as decimal(18, 2)) / 100\n",
  "macros/when_incremental.sql": "{{#if (is_incremental)}}where ts > 0{{/if}}\n",
  "models/a.sql": 'select 1 as id, {{> money column="c"}} as amount',
  "models/b.sql": '{{config materialized=(var "mat" "table")}}\nselect * from {{ref "a"}}\n',
  "models/c.sql":
    '{{config materialized="incremental" unique_key="id"}}\n{{!-- comment --}}\nselect * from {{ref "b"}}\n{{> when_incremental}}\n',
  "models/d.sql": 'select {{{var "x" "1"}}} as x from {{ref "a"}}\n',
  "models/schema.yml":
    "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null, unique]\n",
  "tests/a_positive.sql": 'select * from {{ref "a"}} where amount < 0\n',
};

describe("loadProjectFast", () => {
  it("builds the same manifest and renders the same SQL as loadProject, twice over", async () => {
    const dir = writeProject(FILES);
    const plain = loadProject({ projectDir: dir, env: {} });
    const { project, stats } = await loadProjectFast({ projectDir: dir, env: {} });
    const { generated_at: _a, ...plainMeta } = plain.manifest.metadata;
    const { generated_at: _b, ...fastMeta } = project.manifest.metadata;
    expect(fastMeta).toEqual(plainMeta);
    expect(JSON.stringify(project.manifest.nodes)).toBe(JSON.stringify(plain.manifest.nodes));
    const ids = Object.keys(plain.manifest.nodes);
    const expected = renderNodes(plain, ids, { isIncremental: true });
    expect(renderNodes(project, ids, { isIncremental: true })).toEqual(expected);
    // Templates the fast parser reads are parsed again per render: a second render must not differ.
    expect(renderNodes(project, ids, { isIncremental: true })).toEqual(expected);
    expect(stats.templatesParsed).toBeGreaterThan(0);
    expect(stats.templatesFast).toBeGreaterThan(0);

    const again = await loadProjectFast({ projectDir: dir, env: {} });
    expect(again.stats.templatesParsed).toBe(0);
    expect(again.stats.templatesCached).toBe(stats.templatesParsed);
    expect(renderNodes(again.project, ids, { isIncremental: true })).toEqual(expected);
  });

  it("locates a syntax error the fast parser cannot read", async () => {
    const dir = writeProject({ "models/bad.sql": "select 1\nfrom {{ref 'a'\n" });
    const error = await loadProjectFast({ projectDir: dir, env: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ location: { file: "models/bad.sql", line: 2 } });
    expect(errorOf(() => loadProject({ projectDir: dir, env: {} }))).toMatchObject({
      location: { file: "models/bad.sql", line: 2 },
    });
  });
});
