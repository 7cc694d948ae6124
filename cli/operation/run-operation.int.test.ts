import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, jsonLines, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/** `floe run-operation` against the local stack: statements run in order, what ran is printed, a failure stops it. */
const trino = localTrino({ port: testTrinoPort() });
const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas) await dropSchema(trino, s);
});

const MACROS = {
  "macros/make_log.sql":
    "create schema if not exists iceberg.{{schema}};\n" +
    "create table iceberg.{{schema}}.ops_log (id integer, note varchar);\n" +
    "insert into iceberg.{{schema}}.ops_log values (1, '{{note}}'), (2, 'a;b')\n",
  "macros/broken_log.sql":
    "insert into iceberg.{{schema}}.ops_log values (3, 'three');\n" +
    "insert into iceberg.{{schema}}.no_such_table values (4);\n" +
    "insert into iceberg.{{schema}}.ops_log values (5, 'never')\n",
};

describe("floe run-operation on Trino", () => {
  it("runs the macro's statements in order and prints each", async () => {
    const schema = uniqueName("floe_op_it");
    schemas.push(schema);
    const dir = writeRunnerProject(schema, MACROS);
    const result = await floe(dir, "run-operation", "make_log", "--args", `{schema: ${schema}, note: hello}`);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Running macro 'make_log' (3 statements)");
    expect(lines[1]).toMatch(
      new RegExp(`^1 of 3 OK \\[\\d+\\.\\d\\ds\\] create schema if not exists iceberg\\.${schema}$`),
    );
    expect(lines[2]).toMatch(
      /^2 of 3 OK \[\d+\.\d\ds\] create table iceberg\..*\.ops_log \(id integer, note varchar\)$/,
    );
    expect(lines[3]).toMatch(
      /^3 of 3 OK \[\d+\.\d\ds, 2 rows\] insert into .* values \(1, 'hello'\), \(2, 'a;b'\)$/,
    );
    expect(lines[4]).toMatch(/^Completed run-operation make_log: 3 statements in \d+\.\d\ds\.$/);
    expect(await rows(trino, `SELECT id, note FROM iceberg.${schema}.ops_log ORDER BY id`)).toEqual([
      { id: 1, note: "hello" },
      { id: 2, note: "a;b" },
    ]);

    const failed = await floe(dir, "run-operation", "broken_log", "--args", `{schema: ${schema}}`);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toMatch(/^1 of 3 OK /m);
    expect(failed.stdout).not.toMatch(/^2 of 3 OK/m);
    expect(failed.stderr).toMatch(
      /^Error \[TRINO_TABLE_NOT_FOUND\] macros\/broken_log\.sql: run-operation broken_log: statement 2 of 3 failed: .*no_such_table/,
    );
    // The third statement never ran: the table has row 3 and not row 5.
    expect(await rows(trino, `SELECT id FROM iceberg.${schema}.ops_log ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
  }, 120_000);

  it("runs a floe_utils macro with --log-format json: one event per statement, then done", async () => {
    const schema = uniqueName("floe_op_json_it");
    const dir = writeRunnerProject(schema, {});
    const result = await floe(
      dir,
      "run-operation",
      "floe_utils/generate_series",
      "--args",
      "{upper_bound: 3}",
      "--log-format",
      "json",
    );
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const events = jsonLines(result.stdout);
    expect(events.map((e) => e.event)).toEqual(["operation.statement", "operation.done"]);
    expect(events[0]).toMatchObject({ macro: "floe_utils/generate_series", index: 1, total: 1, rows: 3 });
    expect(events[0]?.sql).toContain("_floe_n + 1 as generated_number");
    expect(events[0]?.query_id).toMatch(/^\d{8}_\d{6}_\d{5}_\w+$/);
    expect(events[1]).toMatchObject({ macro: "floe_utils/generate_series", statements: 1 });
  }, 60_000);
});
