import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Snapshots (SCD type 2) over three loads of a customers model, against the real stack: an update, a
 * delete, a key coming back, a new key; timestamp and check strategies, hard_deletes invalidate and
 * new_record; the yml form (dbt's and Floe's relation syntax) and the snapshots/*.sql form.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_snap");
afterAll(async () => {
  await dropSchema(trino, schema);
});

const T1 = "2024-01-01 00:00:00";
const T2 = "2024-01-02 00:00:00";
const T3 = "2024-01-03 00:00:00";
const loads = [
  [`(1, 'a', '${T1}')`, `(2, 'b', '${T1}')`, `(3, 'c', '${T1}')`],
  [`(1, 'a2', '${T2}')`, `(2, 'b', '${T1}')`],
  [`(1, 'a2', '${T2}')`, `(2, 'b3', '${T3}')`, `(3, 'c3', '${T3}')`, `(4, 'd', '${T3}')`],
];
const values = loads.flatMap((rows, i) => rows.map((r) => `${r.slice(0, -1)}, ${i + 1})`)).join(",\n  ");
const customers = `{{config materialized="table"}}
select id, name, CAST(updated_at AS timestamp(6)) AS updated_at
from (values
  ${values}
) as t(id, name, updated_at, batch)
where batch = {{var "batch"}}
`;

const files = {
  "models/customers.sql": customers,
  "snapshots/snapshots.yml": `snapshots:
  - name: customers_ts
    relation: ref('customers')
    config: {unique_key: id, strategy: timestamp, updated_at: updated_at, hard_deletes: invalidate, post-hook: "analyze {{this}}"}
  - name: customers_ts_deleted
    relation: '{{ref "customers"}}'
    config: {unique_key: id, strategy: timestamp, updated_at: updated_at, hard_deletes: new_record}
`,
  "snapshots/customers_check.sql":
    '{{config unique_key="id" strategy="check" check_cols="name" hard_deletes="invalidate"}}\n' +
    'select id, name from {{ref "customers"}}\n',
  "snapshots/customers_check_deleted.sql":
    '{{config unique_key="id" strategy="check" check_cols="all" hard_deletes="new_record"}}\n' +
    'select id, name from {{ref "customers"}}\n',
  "models/current_customers.sql":
    '{{config materialized="table"}}\nselect id, name from {{ref "customers_ts"}} where dbt_valid_to is null\n',
};

describe("snapshots", () => {
  it("record three loads with updates and deletes as dbt's SCD2 rows", async () => {
    const dir = writeRunnerProject(schema, files);
    const windows: [number, number][] = [];
    const load = async (batch: number, ...command: string[]) => {
      // Runs at least 2.5 s apart: a row is labelled by the run whose window (±1 s for clock skew) holds its
      // time, so back-to-back runs within a second would label one run's rows as the next's.
      if (windows.length > 0) await new Promise((resolve) => setTimeout(resolve, 2_500));
      const started = Date.now() / 1000;
      const out = await floe(dir, ...command, "--vars", `{batch: ${batch}}`);
      windows.push([started, Date.now() / 1000]);
      return out;
    };
    const first = await load(1, "build");
    expect(first.stdout, first.stderr).toContain("START snapshot");
    expect(first.exitCode).toBe(0);
    // A model that refs a snapshot builds after it.
    const order = [...first.stdout.matchAll(/START \S+ (?:model|snapshot)? ?\S*?\.(\w+) /g)].map((m) => m[1]);
    expect(order.indexOf("current_customers")).toBeGreaterThan(order.indexOf("customers_ts"));
    expect((await load(2, "build")).exitCode).toBe(0);
    expect((await floe(dir, "run", "-s", "customers", "--vars", "{batch: 3}")).exitCode).toBe(0);
    const third = await load(3, "snapshot", "-s", "resource_type:snapshot");
    expect(third.stdout).toMatch(/4 of 4 OK/);
    expect(third.exitCode).toBe(0);

    const fixed = (
      await rows(
        trino,
        `SELECT ${[T1, T2, T3].map((t, i) => `to_unixtime(TIMESTAMP '${t}') AS t${i + 1}`).join(", ")}`,
      )
    )[0] as Record<string, number>;
    const label = (unix: unknown): string => {
      if (unix === null) return "-";
      for (const t of ["t1", "t2", "t3"]) if (unix === fixed[t]) return t.toUpperCase();
      // The run whose window it falls in: the last run started before it (Trino's clock may lead by a little).
      const run = windows.findLastIndex(([from]) => (unix as number) >= from - 1);
      const inside = run >= 0 && (unix as number) <= windows[run]![1] + 1;
      return inside ? `run${run + 1}` : `?${unix}`;
    };
    const history = async (table: string, deleted: boolean) =>
      (
        await rows(
          trino,
          `SELECT id, name, to_unixtime(dbt_valid_from) AS valid_from, to_unixtime(dbt_valid_to) AS valid_to` +
            `${deleted ? ", dbt_is_deleted" : ""}, dbt_scd_id, dbt_updated_at FROM iceberg.${schema}.${table}`,
        )
      )
        .map(
          (r) =>
            `${r.id} ${r.name} ${label(r.valid_from)} ${label(r.valid_to)}${deleted ? ` ${r.dbt_is_deleted}` : ""}`,
        )
        .sort();

    expect(await history("customers_ts", false)).toEqual([
      "1 a T1 T2",
      "1 a2 T2 -",
      "2 b T1 T3",
      "2 b3 T3 -",
      "3 c T1 run2",
      "3 c3 T3 -",
      "4 d T3 -",
    ]);
    // new_record: the delete is a version of its own, closed when the key comes back.
    expect(await history("customers_ts_deleted", true)).toEqual([
      "1 a T1 T2 False",
      "1 a2 T2 - False",
      "2 b T1 T3 False",
      "2 b3 T3 - False",
      "3 c T1 run2 False",
      "3 c run2 T3 True",
      "3 c3 T3 - False",
      "4 d T3 - False",
    ]);
    expect(await history("customers_check", false)).toEqual([
      "1 a run1 run2",
      "1 a2 run2 -",
      "2 b run1 run3",
      "2 b3 run3 -",
      "3 c run1 run2",
      "3 c3 run3 -",
      "4 d run3 -",
    ]);
    expect(await history("customers_check_deleted", true)).toEqual([
      "1 a run1 run2 False",
      "1 a2 run2 - False",
      "2 b run1 run3 False",
      "2 b3 run3 - False",
      "3 c run1 run2 False",
      "3 c run2 run3 True",
      "3 c3 run3 - False",
      "4 d run3 - False",
    ]);
    // dbt_scd_id identifies a version.
    const ids = await rows(
      trino,
      `SELECT count(*) AS n, count(DISTINCT dbt_scd_id) AS distinct_ids FROM iceberg.${schema}.customers_ts_deleted`,
    );
    expect(ids).toEqual([{ n: 8, distinct_ids: 8 }]);

    // Its post-hook ran after the MERGE.
    const runSql = readFileSync(join(dir, "target/run/shop/snapshots/customers_ts.sql"), "utf8");
    expect(runSql).toMatch(/MERGE INTO [\s\S]*;\n\nanalyze "iceberg"\."[^"]+"\."customers_ts";\n$/);

    // A rerun without changes adds nothing.
    expect((await load(3, "snapshot")).exitCode).toBe(0);
    expect(await history("customers_ts", false)).toHaveLength(7);
    expect(await history("customers_check_deleted", true)).toHaveLength(8);
  });
});
