import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, jsonLines, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema } from "../testing/warehouse.js";

/**
 * `floe validate` against the stack: built upstream → plain EXPLAIN; unbuilt upstream models inlined;
 * a missing source → not checked; SQL errors name the template line; nothing is written.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_validate");
const rawSchema = `${schema}_raw`;

beforeAll(async () => {
  await trino.query(`CREATE SCHEMA iceberg.${rawSchema}`);
  await trino.query(
    `CREATE TABLE iceberg.${rawSchema}.events AS SELECT * FROM (VALUES (1, 'a')) AS t(id, kind)`,
  );
});
afterAll(async () => {
  await dropSchema(trino, schema);
  await dropSchema(trino, rawSchema);
});

const files: Record<string, string> = {
  "models/sources.yml": `version: 2
sources:
  - name: raw
    catalog: iceberg
    schema: ${rawSchema}
    tables: [{name: events}, {name: not_loaded}]
models:
  - name: built
    columns:
      - name: id
        tests: [not_null]
`,
  "models/built.sql": '{{config materialized="table"}}\nselect id, kind from {{source "raw" "events"}}\n',
  "models/unbuilt.sql": 'select id, upper(kind) as kind_upper from {{ref "built"}}\n',
  "models/uses_unbuilt.sql":
    'select kind_upper, count(*) as n\nfrom {{ref "unbuilt"}}\ngroup by kind_upper\n',
  "models/bad_column.sql":
    '{{config materialized="view"}}\nselect\n  id,\n  no_such_column\nfrom {{ref "built"}}\n',
  // Columns qualified by the whole relation and by the table's name, from an upstream that is inlined.
  "models/qualified.sql":
    'select {{ref "unbuilt"}}.kind_upper, unbuilt.id\nfrom {{ref "unbuilt"}}\nwhere unbuilt.id > 0\n',
  "models/bad_after_inline.sql": 'select id\nfrom {{ref "unbuilt"}}\nwhere bogus_col > 1\n',
  "models/after_bad.sql": 'select * from {{ref "bad_column"}}\n',
  "models/reads_missing.sql": 'select * from {{source "raw" "not_loaded"}}\n',
  "models/incr.sql":
    '{{config materialized="incremental" unique_key="id"}}\nselect id, kind from {{source "raw" "events"}}\n{{#if (is_incremental)}}\nwhere id > (select max(no_such_id) from {{this}})\n{{/if}}\n',
};

describe("floe validate", () => {
  it("checks each model and test with EXPLAIN, inlines unbuilt upstream, maps errors to the template", async () => {
    const dir = writeRunnerProject(schema, files, { threads: 2 });
    expect((await floe(dir, "run", "-s", "built", "incr")).exitCode).toBe(0);
    const before = existsSync(join(dir, "target/compiled"));

    const out = await floe(dir, "validate");
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toMatch(/OK model built .*\[OK in/);
    expect(out.stdout).toMatch(/OK model unbuilt .*\[OK in/);
    expect(out.stdout).toMatch(/OK model uses_unbuilt \(with 1 unbuilt upstream inlined\)/);
    expect(out.stdout).toMatch(/OK model qualified \(with 1 unbuilt upstream inlined\)/);
    expect(out.stdout).toMatch(/OK test not_null_built_id/);
    expect(out.stdout).toMatch(/ERROR model bad_column .*\[ERROR in/);
    expect(out.stdout).toMatch(
      /models\/bad_column\.sql:4:3; compiled SQL .*: Column 'no_such_column' cannot be resolved/,
    );
    expect(out.stdout).toMatch(/ERROR model bad_after_inline/);
    expect(out.stdout).toMatch(/models\/bad_after_inline\.sql:3:7; .*Column 'bogus_col' cannot be resolved/);
    expect(out.stdout).toMatch(/NOT CHECKED model after_bad: upstream bad_column has errors/);
    expect(out.stdout).toMatch(
      /NOT CHECKED model reads_missing: upstream not built: source raw\.not_loaded does not exist/,
    );
    // The incremental model's table exists, so its next run's SQL (the is_incremental branch) is checked.
    expect(out.stdout).toMatch(/ERROR model incr /);
    expect(out.stdout).toMatch(
      /models\/incr\.sql:4:\d+: incremental run: Column 'no_such_id' cannot be resolved/,
    );
    expect(out.stdout).toContain("Done. OK=5 ERROR=3 NOT_CHECKED=2 TOTAL=10");
    // validate writes no artifacts (the earlier run's are untouched; no new compiled SQL appears).
    expect(existsSync(join(dir, "target/compiled/shop/models/uses_unbuilt.sql"))).toBe(false);
    expect(existsSync(join(dir, "target/compiled"))).toBe(before);

    const selected = await floe(
      dir,
      "validate",
      "-s",
      "uses_unbuilt",
      "reads_missing",
      "--log-format",
      "json",
    );
    expect(selected.exitCode).toBe(0);
    const events = jsonLines(selected.stdout);
    expect(
      events.filter((e) => e.code === "NODE_VALIDATED").map((e) => [e.result.name, e.result.status]),
    ).toEqual(
      expect.arrayContaining([
        ["uses_unbuilt", "ok"],
        ["reads_missing", "not checked"],
      ]),
    );
  });

  it("project errors exit 2 with the file; --no-engine needs no Trino", async () => {
    const broken = writeRunnerProject(
      schema,
      {
        ...files,
        "models/templ.sql": 'select {{var "not_set"}} as x\n',
        "models/templ2.sql": 'select {{env "FLOE_TEST_SURELY_UNSET"}} as y\n',
      },
      { port: 1 },
    );
    const out = await floe(broken, "validate", "--no-engine");
    expect(out.exitCode).toBe(2);
    // Every template error at once, each with its file, line and fix.
    expect(out.stdout).toMatch(
      /Error \[CONFIG\] models\/templ\.sql:1:8: variable 'not_set' is not defined\. Fix:/,
    );
    expect(out.stdout).toMatch(/Error \[CONFIG\] models\/templ2\.sql:1:8: .*FLOE_TEST_SURELY_UNSET/);
    expect(out.stdout).toContain("Project errors: 2");

    const missingRef = writeRunnerProject(
      schema,
      { "models/a.sql": 'select * from {{ref "nope"}}\n' },
      { port: 1 },
    );
    const ref = await floe(missingRef, "validate", "--no-engine");
    expect(ref.exitCode).toBe(2);
    expect(ref.stderr).toMatch(/models\/a\.sql.*nope/);

    const fine = writeRunnerProject(schema, files, { port: 1 });
    const ok = await floe(fine, "validate", "--no-engine");
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain("(SQL not checked by the engine)");
    expect(existsSync(join(fine, "target"))).toBe(false);

    // Without --no-engine and no Trino: the project check still runs; the engine check is skipped, loudly.
    const unreachable = await floe(fine, "validate");
    expect(unreachable.exitCode).toBe(0);
    expect(unreachable.stdout).toMatch(
      /Warning: Trino is not reachable, so SQL was not checked by the engine/,
    );
  });
});
