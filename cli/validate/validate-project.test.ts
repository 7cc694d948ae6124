import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CancelledError, EnvironmentError } from "../../core/errors.js";
import type { QueryOptions, QueryResult, TrinoConnection } from "../../trino/connection.js";
import { TrinoQueryError } from "../../trino/errors.js";
import { loadFixture } from "../testing/project-fixture.js";
import { queryResult } from "../testing/query-result.js";
import { type ValidateEvent, validateProject } from "./validate-project.js";

/** What the fake warehouse holds: catalog → schema → table names. A catalog not here does not exist. */
const WAREHOUSE: Record<string, Record<string, string[]>> = { iceberg: { raw: ["here"] } };

const trinoError = (sql: string, errorName: string, message: string, line?: number) =>
  new TrinoQueryError({
    queryId: `q_${errorName}`,
    message: line === undefined ? message : `line ${line}:7: ${message}`,
    errorName,
    errorCode: 1,
    errorType: "USER_ERROR",
    sql,
    ...(line === undefined ? {} : { position: { line, column: 7 } }),
  });

/**
 * A fake Trino: information_schema from WAREHOUSE; an EXPLAIN fails on a line with `bogus`, throws a
 * non-Trino error on `down`, and waits for the abort on `hang`.
 */
function fakeTrino(): TrinoConnection & { explained: string[] } {
  const explained: string[] = [];
  const result = queryResult;
  return {
    explained,
    server: "fake:8080",
    async query<Row>(sql: string, options: QueryOptions = {}): Promise<QueryResult<Row>> {
      const catalog = /FROM "([^"]+)"/.exec(sql)?.[1] ?? "";
      const schemas = WAREHOUSE[catalog];
      if (sql.includes("system.metadata.materialized_views")) return result([]);
      if (sql.includes("information_schema")) {
        if (!schemas) throw trinoError(sql, "CATALOG_NOT_FOUND", `Catalog '${catalog}' not found`);
        if (sql.includes("schemata")) return result(Object.keys(schemas).map((s) => ({ schema_name: s })));
        return result(
          Object.entries(schemas).flatMap(([schema, tables]) =>
            tables.map((t) => ({ table_schema: schema, table_name: t, table_type: "BASE TABLE" })),
          ),
        );
      }
      explained.push(sql);
      const bogus = sql.split("\n").findIndex((l) => l.includes("bogus"));
      if (bogus >= 0)
        throw trinoError(sql, "COLUMN_NOT_FOUND", "Column 'bogus' cannot be resolved", bogus + 1);
      if (sql.includes("down")) throw new EnvironmentError("TRINO_UNREACHABLE", "Trino went away");
      if (sql.includes("hang")) {
        await new Promise((_, reject) => {
          if (options.signal?.aborted) reject(new CancelledError());
          options.signal?.addEventListener("abort", () => reject(new CancelledError()), { once: true });
        });
      }
      return result([]);
    },
    async cancelAll() {},
  };
}

const SOURCES = `version: 2
sources:
  - name: raw
    schema: raw
    tables: [{name: here}]
  - name: far
    catalog: nope
    tables: [{name: t}]
`;

async function validate(
  files: Record<string, string>,
  options: { threads?: number; signal?: AbortSignal } = {},
) {
  const project = loadFixture({ "models/sources.yml": SOURCES, ...files });
  const connection = fakeTrino();
  const events: ValidateEvent[] = [];
  const run = validateProject({
    project,
    selected: new Set(Object.keys(project.manifest.nodes)),
    connection,
    threads: options.threads ?? 2,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: (e) => events.push(e),
    readProjectFile: (path) => readFileSync(join(project.root, path), "utf8"),
  });
  return { run, connection, events };
}

describe("validateProject on the executor's scheduler and relation cache", () => {
  it("maps an error to the template line and tells each dependent which inlined upstream stopped it", async () => {
    const { run, events } = await validate({
      "models/a.sql":
        '{{config materialized="table"}}\nselect id\nfrom {{source "raw" "here"}}\nwhere bogus > 0\n',
      "models/b.sql": 'select * from {{ref "a"}}\n',
      "models/c.sql": 'select * from {{ref "b"}}\n',
      "models/far.sql": 'select * from {{source "far" "t"}}\n',
      "models/fine.sql": "select 1 as x\n",
    });
    const result = await run;
    const byName = Object.fromEntries(result.results.map((r) => [r.name, r]));
    expect(byName.a).toMatchObject({
      status: "error",
      message: "Column 'bogus' cannot be resolved (Trino query q_COLUMN_NOT_FOUND)",
      location: "models/a.sql:4:7; compiled SQL target/compiled/shop/models/a.sql:3",
    });
    expect(byName.b).toMatchObject({ status: "not checked", message: "upstream a has errors" });
    expect(byName.c).toMatchObject({ status: "not checked", message: "upstream b was not checked" });
    // A catalog Trino cannot list holds nothing: what reads it is not checked, validate goes on.
    expect(byName.far).toMatchObject({
      status: "not checked",
      message: "upstream not built: source far.t does not exist",
    });
    expect(byName.fine).toMatchObject({ status: "ok", inlined: [] });
    expect(result.exitCode).toBe(1);
    const indexes = events.flatMap((e) => (e.code === "NODE_VALIDATED" ? [e.index] : []));
    expect(indexes).toEqual([1, 2, 3, 4, 5]);
  });

  it("stops starting nodes after an error that is no verdict on the SQL, and throws it", async () => {
    const { run, connection } = await validate(
      {
        "models/m1.sql": "select 1 as down\n",
        "models/m2.sql": "select 2 as x\n",
        "models/m3.sql": "select 3 as x\n",
      },
      { threads: 1 },
    );
    await expect(run).rejects.toThrow("Trino went away");
    expect(connection.explained).toHaveLength(1);
  });

  it("throws CancelledError when cancelled while an EXPLAIN runs", async () => {
    const controller = new AbortController();
    const { run, connection } = await validate(
      { "models/m1.sql": "select 1 as hang\n", "models/m2.sql": "select 2 as x\n" },
      { threads: 1, signal: controller.signal },
    );
    while (connection.explained.length === 0) await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(connection.explained).toHaveLength(1);
  });
});
