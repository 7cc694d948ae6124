import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import jsYaml from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { isFloeError } from "../../core/errors.js";
import { loadProject, renderNode } from "../compile/compile.js";
import { loadProjectFast } from "../compile/compile-pipeline.js";
import { DEFAULT_PROFILES, DEFAULT_PROJECT } from "../testing/project-fixture.js";

/**
 * Issue 12: whatever bytes a user puts in schema.yml, floe_project.yml or a model's template, loading (and
 * compiling) the project gives a FloeError or a project, never another exception, and never a run that
 * takes seconds or hundreds of MB. A few hundred runs per property keeps this a unit test.
 */

const RUNS = 150;
/** A few seconds per property here; the machine is shared, so the limit is generous. */
const TIMEOUT = 120_000;
/** Per load, on a shared 2-core machine: far above a normal load (ms), far below a wedge (the bomb took 91 s). */
const MAX_MILLIS = 3_000;
const MAX_HEAP_BYTES = 1024 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), "floe-property-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE: Record<string, string> = {
  "floe_project.yml": DEFAULT_PROJECT,
  "profiles.yml": DEFAULT_PROFILES,
  "models/a.sql": "select 1 as id",
  "models/b.sql": 'select * from {{ref "a"}}',
  "macros/m.sql": "{{column}} * 2",
  "models/schema.yml": "version: 2\nmodels:\n  - name: a\n    columns: [{name: id, tests: [unique]}]\n",
};

/**
 * Rewrites the one project folder with BASE plus `files`: every file is fresh each run, but target/ (the
 * parse cache of `loadProjectFast`) is kept, so cached runs meet entries other inputs left behind.
 */
function project(files: Record<string, string | Uint8Array>): string {
  for (const entry of readdirSync(dir)) {
    if (entry !== "target") rmSync(join(dir, entry), { recursive: true, force: true });
  }
  for (const [path, content] of Object.entries({ ...BASE, ...files })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Loads, then renders every node: a FloeError anywhere is an answer; anything else fails the property. */
async function loadsOrFloeError(files: Record<string, string | Uint8Array>, fast = false): Promise<void> {
  const root = project(files);
  const started = performance.now();
  try {
    const loaded = fast
      ? (await loadProjectFast({ projectDir: root, env: {} })).project
      : loadProject({ projectDir: root, env: {} });
    for (const node of Object.values(loaded.manifest.nodes)) {
      if (node.resource_type !== "seed") renderNode(loaded, node);
    }
  } catch (error) {
    if (!isFloeError(error)) {
      throw new Error(`not a FloeError: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  expect(performance.now() - started).toBeLessThan(MAX_MILLIS);
  expect(process.memoryUsage().heapUsed).toBeLessThan(MAX_HEAP_BYTES);
}

const YAML_TOKENS = [
  "\n",
  "\n  ",
  "\n    ",
  "  ",
  "- ",
  ": ",
  ":",
  ",",
  "[",
  "]",
  "{",
  "}",
  "'",
  '"',
  "#",
  "|",
  ">-",
  "? ",
  "&a ",
  "*a",
  "&b ",
  "*b",
  "<<: *a",
  "<<: [*a, *b]",
  "!!str ",
  "!!int ",
  "!!binary ",
  "!!timestamp ",
  "!!set ",
  "!!omap ",
  "!!pairs ",
  "!!js/function ",
  "!custom ",
  "---\n",
  "...\n",
  "%YAML 1.1\n",
  "version: 2",
  "version: 3",
  "models:",
  "seeds:",
  "sources:",
  "- name: a",
  "- name: b",
  "name: ",
  "config:",
  "materialized: table",
  "materialized: 7",
  "columns:",
  "tests:",
  "data_tests:",
  "tags:",
  "meta:",
  "unique",
  "not_null",
  "accepted_values: {values: [1]}",
  "relationships: {to: ref('a'), field: id}",
  "tables:",
  "freshness:",
  "warn_after: {count: 1, period: day}",
  "identifier:",
  "column_types:",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "2024-01-01",
  "2024-01-01T00:00:00Z",
  "1e400",
  "-1e400",
  ".inf",
  "-.nan",
  "0x1F",
  "0o17",
  "null",
  "~",
  "true",
  "no",
  "\t",
  "\r\n",
  "\u0000",
  "\uFEFF",
  "\u2028",
  "😀",
  "\\",
  "{{",
  "}}",
  '{{env "X"}}',
];

const TEMPLATE_TOKENS = [
  "select 1",
  " ",
  "\n",
  "{{",
  "}}",
  "{{{",
  "}}}",
  "{{~",
  "~}}",
  "{{#if ",
  "{{#if (is_incremental)}}",
  "{{/if}}",
  "{{else}}",
  "{{^}}",
  "{{#each x}}",
  "{{/each}}",
  "{{#unless x}}",
  "{{/unless}}",
  '{{ref "a"}}',
  '{{ref "b"}}',
  '{{ref "zz"}}',
  "{{ref}}",
  "{{ref 1}}",
  '{{source "s" "t"}}',
  '{{config materialized="table"}}',
  '{{config materialized="incremental" unique_key="id"}}',
  '{{config materialized="ephemeral"}}',
  "{{config tags=7}}",
  '{{var "x" "d"}}',
  '{{env "HOME"}}',
  "{{this}}",
  '{{> m column="id"}}',
  "{{> missing}}",
  "{{!-- c --}}",
  "{{! c }}",
  "{{lookup . 'a'}}",
  "{{log 1}}",
  "{{@root}}",
  "{{../x}}",
  "{{[a b]}}",
  "{{a.b.c}}",
  "{{helperMissing}}",
  "{{constructor}}",
  "{{__proto__}}",
  '"',
  "'",
  "=",
  "(",
  ")",
  "\\{{",
  "{{&x}}",
  "{{*inline}}",
  "{{#> m}}",
  "{{/m}}",
  '{{#*inline "p"}}',
  "{{/inline}}",
  "😀",
  "\u0000",
];

/** Blocks or subexpressions nested 1 to 3,000 deep (Handlebars' parser is superlinear in nesting). */
const deepTemplate = fc
  .tuple(fc.constantFrom("block", "call"), fc.integer({ min: 1, max: 3_000 }))
  .map(([kind, n]) =>
    kind === "block"
      ? `select 1 ${"{{#if x}}".repeat(n)}a${"{{/if}}".repeat(n)}`
      : `select {{var ${'(var "x" '.repeat(n)}${")".repeat(n)}}}`,
  );

/** Token soups: mostly invalid, but near enough to the grammar to get past the first byte. */
const soup = (tokens: readonly string[]) =>
  fc
    .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, fc.string({ maxLength: 8 })), {
      maxLength: 60,
    })
    .map((parts) => parts.join(""));

/** A value of any JSON-ish shape, so valid YAML reaches zod and the manifest builder with wrong types. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom("table", "view", "incremental", "ephemeral", "a", "b", "id", "unique", "not_null", [], {}),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const testEntry = fc.oneof(
  anyValue,
  fc.constantFrom("unique", "not_null", { accepted_values: { values: ["x"] } }),
  fc.record({ relationships: fc.record({ to: fc.constantFrom("ref('a')", "b", "zz"), field: anyValue }) }),
);
const column = fc.record(
  { name: anyValue, tests: maybe(fc.array(testEntry, { maxLength: 3 })), data_type: maybe(anyValue) },
  { requiredKeys: [] },
);
const modelEntry = fc.record(
  {
    name: fc.oneof(fc.constantFrom("a", "b", "zz"), anyValue),
    config: maybe(
      fc.oneof(
        anyValue,
        fc.dictionary(
          fc.constantFrom("materialized", "tags", "schema", "meta", "unique_key", "partitioned_by"),
          anyValue,
        ),
      ),
    ),
    columns: maybe(fc.oneof(anyValue, fc.array(column, { maxLength: 3 }))),
    tests: maybe(fc.array(testEntry, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const sourceEntry = fc.record(
  {
    name: fc.oneof(fc.constant("s"), anyValue),
    tables: maybe(
      fc.oneof(
        anyValue,
        fc.array(
          fc.record(
            { name: fc.oneof(fc.constant("t"), anyValue), freshness: maybe(anyValue) },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
      ),
    ),
  },
  { requiredKeys: [] },
);
const propertyFile = fc.record(
  {
    version: fc.oneof(fc.constant(2), anyValue),
    models: maybe(fc.oneof(anyValue, fc.array(modelEntry, { maxLength: 3 }))),
    seeds: maybe(anyValue),
    sources: maybe(fc.oneof(anyValue, fc.array(sourceEntry, { maxLength: 2 }))),
  },
  { requiredKeys: [] },
);
// Paths stay among these: the loader reads whatever folders a project names, which is not what is tested here.
const folder = fc.constantFrom("models", "macros", "tests", "seeds", "nothing", "models/sub");
const projectFile = fc.record(
  {
    name: fc.oneof(fc.constant("shop"), anyValue),
    profile: fc.oneof(fc.constant("floe"), anyValue),
    "model-paths": maybe(
      fc.oneof(
        fc.array(folder, { maxLength: 2 }),
        anyValue.filter((v) => typeof v !== "object"),
      ),
    ),
    "target-path": maybe(fc.constantFrom("target", "out", 7, "")),
    vars: maybe(fc.oneof(anyValue, fc.dictionary(fc.string({ maxLength: 5 }), anyValue))),
    models: maybe(
      fc.oneof(
        anyValue,
        fc.dictionary(fc.constantFrom("shop", "+materialized", "+tags", "+schema", "sub"), anyValue),
      ),
    ),
  },
  { requiredKeys: [] },
);

/**
 * Flow YAML with anchors and aliases placed at random: aliases before, after and inside their anchors
 * (cycles), merge keys, nesting — the alias class of defect 4, reached far more often than token soup does.
 */
const anchor = fc.constantFrom("&a0 ", "&a1 ", "&a2 ");
const { node: flowNode } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("1", "x", "''", "null", "*a0", "*a1", "*a2"),
    fc
      .tuple(fc.option(anchor, { nil: "" }), fc.array(tie("node"), { maxLength: 4 }))
      .map(([a, items]) => `${a}[${items.join(", ")}]`),
    fc
      .tuple(
        fc.option(anchor, { nil: "" }),
        fc.array(fc.tuple(fc.constantFrom("k", "m", "name", "<<"), tie("node")), { maxLength: 4 }),
      )
      .map(([a, pairs]) => `${a}{${pairs.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
  ),
}));
// Slots that validate whatever they hold (meta is any mapping), so a parsed value goes on past zod.
const anchoredSchema = fc
  .tuple(flowNode, flowNode, flowNode)
  .map(
    ([defs, meta, columnMeta]) =>
      `version: 2\ndefs: ${defs}\nmodels:\n  - name: a\n    config: {meta: {m: ${meta}}}\n    columns: [{name: id, meta: {m: ${columnMeta}}}]\n`,
  );

const dump = (value: unknown) => jsYaml.dump(value, { skipInvalid: true, noRefs: true });

/** One property: `check` holds for every generated value (a few hundred of them). */
function holds<T>(name: string, values: fc.Arbitrary<T>, check: (value: T) => Promise<void>, runs = RUNS) {
  it(name, () => fc.assert(fc.asyncProperty(values, check), { numRuns: runs }), TIMEOUT);
}

describe("the project loader on arbitrary input", () => {
  holds(
    "schema.yml: token soup, raw bytes or well-formed YAML of any shape",
    fc.oneof(soup(YAML_TOKENS), fc.uint8Array({ maxLength: 200 }), propertyFile.map(dump)),
    (content) => loadsOrFloeError({ "models/schema.yml": content }),
  );

  holds(
    "floe_project.yml: token soup, raw bytes or well-formed YAML of any shape",
    fc.oneof(soup(YAML_TOKENS), fc.uint8Array({ maxLength: 200 }), projectFile.map(dump)),
    (content) => loadsOrFloeError({ "floe_project.yml": content }),
  );

  holds(
    "anchors and aliases anywhere (cycles, merges, expansion) in schema.yml and floe_project.yml",
    fc.tuple(anchoredSchema, flowNode, fc.boolean()),
    ([schema, vars, fast]) =>
      loadsOrFloeError(
        { "models/schema.yml": schema, "floe_project.yml": `${DEFAULT_PROJECT}vars: {v: ${vars}}\n` },
        fast,
      ),
  );

  holds(
    "a model's template: Handlebars token soup or raw bytes, loaded and rendered",
    fc.tuple(
      fc.oneof(soup(TEMPLATE_TOKENS), fc.uint8Array({ maxLength: 200 }), deepTemplate),
      soup(TEMPLATE_TOKENS),
    ),
    ([model, macro]) => loadsOrFloeError({ "models/b.sql": model, "macros/m.sql": macro }),
  );

  holds(
    "the CLI's cached pipeline agrees: a FloeError or a project, run after run over the same cache",
    fc.tuple(soup(YAML_TOKENS), soup(TEMPLATE_TOKENS)),
    ([yaml, model]) => loadsOrFloeError({ "models/schema.yml": yaml, "models/b.sql": model }, true),
    RUNS / 3,
  );
});
