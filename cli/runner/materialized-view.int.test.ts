import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { quoteString } from "../../trino/dialect.js";
import { floe, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * `materialized: materialized_view` on the stack's `iceberg_mv` catalog (Trino refuses materialized views
 * on the REST catalog): created and refreshed on the first build, refreshed with new upstream rows on the
 * next, replaced when its definition changes.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_mv");
afterAll(async () => {
  await trino
    .query(`DROP MATERIALIZED VIEW IF EXISTS iceberg_mv.${schema}.daily_revenue`)
    .catch(() => undefined);
  await trino.query(`DROP SCHEMA IF EXISTS iceberg_mv.${schema}`).catch(() => undefined);
  await dropSchema(trino, schema);
});

const upstream = (values: string) =>
  `{{config materialized="table"}}\nselect * from (values ${values}) as t(day, amount)\n`;
const view = (extra: string) =>
  `{{config materialized="materialized_view" catalog="iceberg_mv" grace_period="INTERVAL '1' HOUR"}}\n` +
  `select day, sum(amount) as revenue${extra} from {{ref "payments"}} group by day\n`;

describe("materialized_view", () => {
  it("is created, then refreshed with new upstream rows, then replaced when its SQL changes", async () => {
    const catalogs = await rows(trino, "SHOW CATALOGS");
    expect(
      catalogs.map((c) => c.Catalog),
      "the stack's Trino lacks trino/etc/catalog/iceberg_mv.properties: restart it (floe stack down && floe stack up)",
    ).toContain("iceberg_mv");
    const dir = writeRunnerProject(schema, {
      "models/payments.sql": upstream("(1, 10), (1, 5), (2, 7)"),
      "models/daily_revenue.sql": view(""),
    });
    const first = await floe(dir, "run");
    expect(first.stdout).toMatch(/materialized_view model .*daily_revenue .*2 rows\]/);
    expect(first.exitCode).toBe(0);
    const listed = await rows(
      trino,
      `SELECT name, comment FROM system.metadata.materialized_views WHERE catalog_name = 'iceberg_mv' AND schema_name = ${quoteString(schema)}`,
    );
    expect(listed).toEqual([{ name: "daily_revenue", comment: expect.stringMatching(/^floe definition /) }]);
    const read = () =>
      rows(trino, `SELECT day, revenue FROM iceberg_mv.${schema}.daily_revenue ORDER BY day`);
    expect(await read()).toEqual([
      { day: 1, revenue: 15 },
      { day: 2, revenue: 7 },
    ]);

    // New upstream rows: the next run refreshes (no CREATE), and the view shows them (within its grace
    // period Trino serves the storage table, so without the REFRESH they would not show).
    write(dir, "models/payments.sql", upstream("(1, 10), (1, 5), (2, 7), (3, 1), (3, 2)"));
    const second = await floe(dir, "run");
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toMatch(/materialized_view model .*daily_revenue .*3 rows\]/);
    expect(await read()).toEqual([
      { day: 1, revenue: 15 },
      { day: 2, revenue: 7 },
      { day: 3, revenue: 3 },
    ]);
    expect(readRunSql(dir)).not.toContain("CREATE");

    // A changed definition replaces the view.
    write(dir, "models/daily_revenue.sql", view(", count(*) as payments"));
    expect((await floe(dir, "run", "-s", "daily_revenue")).exitCode).toBe(0);
    expect(readRunSql(dir)).toContain("CREATE OR REPLACE MATERIALIZED VIEW");
    expect(
      await rows(trino, `SELECT day, payments FROM iceberg_mv.${schema}.daily_revenue ORDER BY day`),
    ).toEqual([
      { day: 1, payments: 2 },
      { day: 2, payments: 1 },
      { day: 3, payments: 2 },
    ]);
  });
});

function readRunSql(dir: string): string {
  return readFileSync(join(dir, "target/run/shop/models/daily_revenue.sql"), "utf8");
}
