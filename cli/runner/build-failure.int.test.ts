import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * The safety contract of `floe build`: a model whose SQL fails keeps its previous table, an error-severity
 * test failure skips what is downstream, independent branches still build, run_results.json says so,
 * and `floe retry` after the fix finishes the rest.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_build_fail");
afterAll(() => dropSchema(trino, schema));

const SCHEMA_YML = (values: string) => `version: 2
models:
  - name: tested
    columns:
      - name: status
        tests:
          - accepted_values:
              name: status_is_known
              values: [${values}]
`;

describe("build with a failing model and a failing test", () => {
  it("keeps the old table, skips downstream, builds independent branches; retry finishes", async () => {
    const dir = writeRunnerProject(schema, {
      "models/broken.sql":
        '{{config materialized="table"}}\nselect id,\n  id * 10 as amount\nfrom {{ref "base"}}\n',
      "models/base.sql": '{{config materialized="table"}}\nselect * from (values 1, 2) as t(id)\n',
      "models/after_broken.sql": 'select * from {{ref "broken"}}\n',
      "models/tested.sql":
        "{{config materialized=\"table\"}}\nselect * from (values 'new', 'paid', 'odd') as t(status)\n",
      "models/after_tested.sql": 'select * from {{ref "tested"}}\n',
      "models/independent.sql": '{{config materialized="table"}}\nselect 42 as answer\n',
      "models/schema.yml": SCHEMA_YML("new, paid, odd"),
    });
    expect((await floe(dir, "build")).exitCode).toBe(0);

    write(
      dir,
      "models/broken.sql",
      '{{config materialized="table"}}\nselect id,\n  bogus_col * 10 as amount\nfrom {{ref "base"}}\n',
    );
    write(dir, "models/schema.yml", SCHEMA_YML("new, paid"));
    write(dir, "models/independent.sql", '{{config materialized="table"}}\nselect 43 as answer\n');
    const failed = await floe(dir, "build");
    expect(failed.exitCode).toBe(1);
    const out = failed.stdout;
    expect(out).toMatch(/ERROR creating table model .*\.broken/);
    expect(out).toMatch(
      /Error in table model .*\.broken \(models\/broken\.sql:3:3; compiled SQL target\/compiled\/shop\/models\/broken\.sql:2:3\)/,
    );
    expect(out).toContain("Column 'bogus_col' cannot be resolved");
    expect(out).toMatch(/FAIL 1 status_is_known/);
    expect(out).toContain("| odd"); // the failing row itself, not just a count
    expect(out).toMatch(/SKIP view model .*\.after_broken/);
    expect(out).toMatch(/SKIP view model .*\.after_tested/);
    expect(out).toMatch(/Skipped because of .*\.broken: .*\.after_broken/);
    expect(out).toMatch(/Skipped because of status_is_known: .*\.after_tested/);
    expect(out).toMatch(/OK created table model .*\.independent/);

    // The failed CREATE OR REPLACE left the previous table in place.
    expect(await rows(trino, `SELECT id, amount FROM iceberg.${schema}.broken ORDER BY id`)).toEqual([
      { id: 1, amount: 10 },
      { id: 2, amount: 20 },
    ]);
    expect(await rows(trino, `SELECT answer FROM iceberg.${schema}.independent`)).toEqual([{ answer: 43 }]);

    const results = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    const status = (name: string) =>
      results.results.find((r: { unique_id: string }) => r.unique_id.split(".").at(-1)?.startsWith(name));
    expect(status("broken").status).toBe("error");
    // Floe's own fields are under adapter_response.floe (dbt's run-results schema has no place for them).
    expect(status("broken").adapter_response.floe.error.code).toBe("TRINO_COLUMN_NOT_FOUND");
    expect(status("broken").adapter_response.query_ids.length).toBeGreaterThan(0);
    expect(status("broken").adapter_response.floe.compiled_path).toBe(
      "target/compiled/shop/models/broken.sql",
    );
    expect(status("status_is_known").status).toBe("fail");
    expect(status("status_is_known").failures).toBe(1);
    expect(status("after_broken").status).toBe("skipped");
    expect(status("after_tested").status).toBe("skipped");
    expect(status("independent")).toMatchObject({
      status: "success",
      adapter_response: { rows_affected: 1 },
    });
    expect(status("base").status).toBe("success");

    // Fix both, retry: only what failed or was skipped runs.
    write(
      dir,
      "models/broken.sql",
      '{{config materialized="table"}}\nselect id,\n  id * 100 as amount\nfrom {{ref "base"}}\n',
    );
    write(dir, "models/schema.yml", SCHEMA_YML("new, paid, odd"));
    const retried = await floe(dir, "retry");
    expect(retried.exitCode).toBe(0);
    expect(retried.stdout).toMatch(/1 of 4 START/);
    expect(retried.stdout).not.toContain("independent");
    expect(await rows(trino, `SELECT sum(amount) AS total FROM iceberg.${schema}.after_broken`)).toEqual([
      { total: 300 },
    ]);
    const after = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
    expect(after.results.map((r: { status: string }) => r.status).sort()).toEqual(
      ["pass", "success", "success", "success", "success", "success", "success"].sort(),
    );
    expect((await floe(dir, "retry")).stdout).toContain("Nothing to retry");
  });
});
