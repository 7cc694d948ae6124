import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { dbtSchemaValidator } from "../testing/dbt-schema-validator.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Issue 17's run flags on the local stack, through `main`: `--empty` builds every relation with its
 * columns and no rows; `--fail-fast` cancels the running query and skips the rest at the first error;
 * `--warn-error` turns a warning test into a failure (exit 1); `-q` prints only errors and the summary.
 */
const trino = localTrino({ port: testTrinoPort() });
const schemas: string[] = [];
function schemaFor(name: string): string {
  const schema = uniqueName(`floe_flags_${name}`);
  schemas.push(schema);
  return schema;
}
afterAll(async () => {
  for (const schema of schemas) await dropSchema(trino, schema);
});

interface Result {
  unique_id: string;
  status: string;
  message: string | null;
}
function runResults(dir: string): { args: Record<string, unknown>; results: Result[] } {
  return JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8"));
}
const byName = (results: Result[], name: string) => results.find((r) => r.unique_id.endsWith(`.${name}`));

async function columnsOf(schema: string, table: string): Promise<string[]> {
  const found = await rows(
    trino,
    `SELECT column_name, data_type FROM iceberg.information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
  );
  return found.map((c) => `${c.column_name} ${c.data_type}`);
}

async function count(schema: string, table: string): Promise<number> {
  return Number((await rows(trino, `SELECT count(*) AS n FROM iceberg.${schema}.${table}`))[0]?.n);
}

describe("floe build --empty", () => {
  it("creates every downstream table, view and incremental with its columns and zero rows", async () => {
    const schema = schemaFor("empty");
    const dir = writeRunnerProject(schema, {
      "models/base.sql":
        "{{config materialized=\"table\"}}\nselect * from (values (1, 'a'), (2, 'b')) as t(id, name)\n",
      "models/wide.sql":
        '{{config materialized="table"}}\nselect b.id, upper(b.name) as name_upper, b.id * 2.5 as scaled\nfrom {{ref "base"}} b\n',
      "models/wide_view.sql": 'select id, name_upper from {{ref "wide"}}\n',
      "models/events.sql":
        '{{config materialized="incremental" unique_key="id"}}\nselect id, cast(id as varchar) as label from {{ref "base"}}\n',
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: wide\n    columns:\n      - name: id\n        tests: [not_null, unique]\n",
    });
    const out = await floe(dir, "build", "--empty");
    expect(out.stderr).toBe("");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/PASS=6 WARN=0 ERROR=0 SKIP=0 TOTAL=6/);

    // base reads no ref: it is built as written (dbt's --empty limits refs and sources only).
    expect(await count(schema, "base")).toBe(2);
    expect(await columnsOf(schema, "wide")).toEqual([
      "id integer",
      "name_upper varchar",
      "scaled decimal(12,1)",
    ]);
    expect(await count(schema, "wide")).toBe(0);
    expect(await columnsOf(schema, "wide_view")).toEqual(["id integer", "name_upper varchar"]);
    expect(await count(schema, "wide_view")).toBe(0);
    expect(await columnsOf(schema, "events")).toEqual(["id integer", "label varchar"]);
    expect(await count(schema, "events")).toBe(0);
    expect(readFileSync(join(dir, "target/run/shop/models/wide.sql"), "utf8")).toContain(
      `(select * from "iceberg"."${schema}"."base" where false limit 0) b`,
    );
    expect(runResults(dir).args.empty).toBe(true);

    // Without --empty the same project fills them.
    expect((await floe(dir, "build")).exitCode).toBe(0);
    expect(await count(schema, "wide")).toBe(2);
  }, 180_000);
});

describe("floe run --fail-fast", () => {
  it("cancels the query still running and skips the rest at the first error, exit 1", async () => {
    const schema = schemaFor("fail_fast");
    const files = {
      "models/a_broken.sql":
        '{{config materialized="table"}}\nselect no_such_column from (values 1) as t(id)\n',
      // Minutes of work: still running when a_broken fails.
      "models/a_slow.sql":
        '{{config materialized="table"}}\nselect count(*) as n from tpch.sf1000.lineitem cross join tpch.sf1.nation\n',
      "models/b_independent.sql": '{{config materialized="table"}}\nselect 2 as id\n',
      "models/c_after.sql": 'select * from {{ref "b_independent"}}\n',
    };
    const dir = writeRunnerProject(schema, files, { threads: 2 });
    const started = Date.now();
    const out = await floe(dir, "run", "--fail-fast");
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toMatch(/ERROR creating table model .*\.a_broken/);
    const results = runResults(dir).results;
    expect(byName(results, "a_broken")?.status).toBe("error");
    expect(byName(results, "a_slow")?.status).toBe("error");
    expect(byName(results, "a_slow")?.message).toMatch(/cancel/i);
    for (const name of ["b_independent", "c_after"]) {
      expect(byName(results, name)?.status, name).toBe("skipped");
      expect(byName(results, name)?.message).toBe(
        "skipped: --fail-fast stopped the run after model.shop.a_broken failed",
      );
    }
    expect(out.stdout).toMatch(/Skipped because of .*a_broken: .*b_independent, .*c_after/);
    expect(out.stdout).not.toContain("Cancelled:");
    // Trino ends a cancelled query asynchronously: within seconds it is no longer running, USER_CANCELED.
    const slowQueries = () =>
      rows(
        trino,
        `SELECT state, error_code FROM system.runtime.queries WHERE query LIKE '%${schema}%sf1000.lineitem%' AND query NOT LIKE '%system.runtime.queries%'`,
      );
    let slow = await slowQueries();
    for (let i = 0; i < 60 && slow.some((q) => q.state === "RUNNING"); i++) {
      await new Promise((r) => setTimeout(r, 250));
      slow = await slowQueries();
    }
    expect(slow.length).toBeGreaterThan(0);
    for (const q of slow) expect(q.state).not.toBe("RUNNING");
    expect(slow.some((q) => q.error_code === "USER_CANCELED")).toBe(true);
    const tables = (await rows(trino, `SHOW TABLES FROM iceberg.${schema}`)).map((t) => t.Table);
    expect(tables).toEqual([]);
    expect(runResults(dir).args.fail_fast).toBe(true);
    // A real run's results, errors and skips included, are valid dbt run-results v6.
    expect(dbtSchemaValidator("run-results-v6.json")(runResults(dir))).toEqual([]);

    // Without --fail-fast the independent branch builds despite the error.
    const patient = await floe(dir, "run", "--exclude", "a_slow");
    expect(patient.exitCode).toBe(1);
    expect(byName(runResults(dir).results, "c_after")?.status).toBe("success");
  }, 180_000);
});

describe("floe test --warn-error and -q", () => {
  it("a warning test passes the run without the flag, fails it with --warn-error; -q keeps errors and summary", async () => {
    const schema = schemaFor("warn_error");
    const dir = writeRunnerProject(schema, {
      "models/orders.sql":
        '{{config materialized="table"}}\nselect * from (values (1, 10.0), (2, CAST(NULL AS double))) as t(id, amount)\n',
      "models/schema.yml": `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests: [unique]
      - name: amount
        tests:
          - not_null:
              config: {severity: warn}
`,
    });
    expect((await floe(dir, "run")).exitCode).toBe(0);

    const lenient = await floe(dir, "test");
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stdout).toMatch(/WARN 1 not_null_orders_amount/);
    expect(byName(runResults(dir).results, "not_null_orders_amount")?.status).toBe("warn");

    const strict = await floe(dir, "test", "--warn-error", "-q");
    expect(strict.exitCode).toBe(1);
    const status = byName(runResults(dir).results, "not_null_orders_amount");
    expect(status?.status).toBe("fail");
    expect(status?.message).toBe("1 failing row. (a warning, failed by --warn-error)");
    // -q: no START lines, no passing test, the failure and the summary.
    expect(strict.stdout).not.toContain("START");
    expect(strict.stdout).not.toContain("Running test");
    expect(strict.stdout).not.toMatch(/PASS unique_orders_id/);
    expect(strict.stdout).toMatch(/FAIL 1 not_null_orders_amount/);
    expect(strict.stdout).toContain("Done. PASS=1 WARN=0 ERROR=1 SKIP=0 TOTAL=2");
  }, 120_000);
});
