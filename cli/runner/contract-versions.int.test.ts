import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { informationSchema, quoteString } from "../../trino/dialect.js";
import { floe, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * A breaking change to an enforced contract, against the real stack: compared with --state, `build`
 * refuses to drop a contracted column (before anything runs: the table keeps its columns), and accepts the
 * same change once it is a new model version (v1 keeps the old relation and contract, v2 is new and is
 * what `{{ref}}` reads); changing v2's contract in place is refused again.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_versions");
afterAll(async () => {
  await dropSchema(trino, schema);
});

const OLD_COLUMNS = `      - {name: id, data_type: bigint}
      - {name: status, data_type: varchar}`;
const OLD_SQL = `{{config materialized="table"}}\nselect cast(1 as bigint) as id, 'paid' as status\n`;
const NEW_SQL = `{{config materialized="table"}}\nselect cast(1 as bigint) as id\n`;
const unversioned = (columns: string) => `version: 2
models:
  - name: dim
    config: {contract: {enforced: true}}
    columns:
${columns}
`;
const VERSIONED = `version: 2
models:
  - name: dim
    config: {contract: {enforced: true}}
    latest_version: 2
    columns:
      - {name: id, data_type: bigint}
    versions:
      - v: 1
        defined_in: dim
        config: {alias: dim}
        columns:
${OLD_COLUMNS.replaceAll("      - ", "          - ")}
      - v: 2
`;

async function columnsOf(table: string): Promise<string[]> {
  const found = await rows(
    trino,
    `SELECT column_name, data_type FROM ${informationSchema("iceberg", "columns")} WHERE table_schema = ${quoteString(schema)} AND table_name = ${quoteString(table)} ORDER BY ordinal_position`,
  );
  return found.map((r) => `${r.column_name} ${r.data_type}`);
}

function keepState(dir: string): string {
  const state = mkdtempSync(join(tmpdir(), "floe-state-"));
  cpSync(join(dir, "target", "manifest.json"), join(state, "manifest.json"));
  return state;
}

describe("breaking contract changes", () => {
  it("are refused by build without a new version and accepted with one", async () => {
    const dir = writeRunnerProject(schema, {
      "models/schema.yml": unversioned(OLD_COLUMNS),
      "models/dim.sql": OLD_SQL,
      "models/report.sql": 'select * from {{ref "dim"}}\n',
    });
    const first = await floe(dir, "build");
    expect(first.exitCode, first.stdout).toBe(0);
    const production = keepState(dir);

    // Drop `status` from the contract and the query, in place.
    write(dir, "models/schema.yml", unversioned("      - {name: id, data_type: bigint}"));
    write(dir, "models/dim.sql", NEW_SQL);
    const modified = await floe(dir, "ls", "-s", "state:modified.contract", "--state", production);
    expect(modified.stdout.trim().split("\n")).toEqual(["dim"]);
    const refused = await floe(dir, "build", "--state", production);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/CONTRACT_BREAKING_CHANGE/);
    expect(refused.stderr).toMatch(/dim: column 'status' removed/);
    expect(refused.stderr).toMatch(/declare a new version for the change/);
    expect(refused.stdout).not.toMatch(/CREATE TABLE/);
    expect(await columnsOf("dim")).toEqual(["id bigint", "status varchar"]);

    // The same change as version 2; version 1 keeps the old contract and relation.
    write(dir, "models/schema.yml", VERSIONED);
    write(dir, "models/dim.sql", OLD_SQL);
    write(dir, "models/dim_v2.sql", NEW_SQL);
    const accepted = await floe(dir, "build", "--state", production);
    expect(accepted.exitCode, accepted.stdout + accepted.stderr).toBe(0);
    expect(await columnsOf("dim")).toEqual(["id bigint", "status varchar"]);
    expect(await columnsOf("dim_v2")).toEqual(["id bigint"]);
    expect(await columnsOf("report")).toEqual(["id bigint"]);

    // Retyping v2's id in place is a breaking change to v2.
    const versioned = keepState(dir);
    write(
      dir,
      "models/schema.yml",
      VERSIONED.replace(
        "    columns:\n      - {name: id, data_type: bigint}",
        "    columns:\n      - {name: id, data_type: integer}",
      ),
    );
    write(dir, "models/dim_v2.sql", `{{config materialized="table"}}\nselect 1 as id\n`);
    const again = await floe(dir, "build", "--state", versioned);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/dim v2: column 'id' retyped from bigint to integer/);
    expect(await columnsOf("dim_v2")).toEqual(["id bigint"]);
  });
});
