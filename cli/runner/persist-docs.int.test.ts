import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { informationSchema, quoteString } from "../../trino/dialect.js";
import { floe, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows, showCreateTable } from "../testing/warehouse.js";

/**
 * persist_docs against the real stack: yml descriptions reach Trino as COMMENTs on a seed, a view, a table
 * and an incremental table, where BI tools read them (system.metadata.table_comments and
 * information_schema.columns); quotes and newlines survive; an incremental run keeps them current.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_docs");
afterAll(async () => {
  await dropSchema(trino, schema);
});

const PROJECT = `name: shop
profile: floe
models:
  +persist_docs: {relation: true, columns: true}
seeds:
  +persist_docs: {relation: true, columns: true}
`;

const YML = `version: 2
seeds:
  - name: countries
    description: Countries we ship to.
    columns:
      - name: code
        description: ISO 3166 alpha-2 code.
models:
  - name: stg_countries
    description: Countries, cleaned.
    columns:
      - name: code
        description: The country's code ('FR', 'DE').
  - name: dim_countries
    description: >
      One row per country.
      Folded over two lines.
    columns:
      - name: code
        description: |
          Country code;
          second line.
      - name: name
      - name: not_a_column
        description: Documented, but the model does not produce it.
  - name: fct_visits
    columns:
      - name: visit_id
        description: The visit.
      - name: code
        description: Where from.
`;

async function tableComments(): Promise<Record<string, unknown>> {
  const found = await rows(
    trino,
    `SELECT table_name, comment FROM system.metadata.table_comments WHERE catalog_name = 'iceberg' AND schema_name = ${quoteString(schema)}`,
  );
  return Object.fromEntries(found.map((r) => [r.table_name, r.comment]));
}

async function columnComments(): Promise<Record<string, unknown>> {
  const found = await rows(
    trino,
    `SELECT table_name, column_name, comment FROM ${informationSchema("iceberg", "columns")} WHERE table_schema = ${quoteString(schema)}`,
  );
  return Object.fromEntries(found.map((r) => [`${r.table_name}.${r.column_name}`, r.comment]));
}

describe("persist_docs", () => {
  it("writes descriptions as COMMENTs on tables, views and columns, and keeps them current", async () => {
    const dir = writeRunnerProject(schema, {
      "floe_project.yml": PROJECT,
      "seeds/countries.csv": "code,name\nFR,France\nDE,Germany\n",
      "models/schema.yml": YML,
      "models/stg_countries.sql":
        '{{config materialized="view"}}\nselect code, name from {{ref "countries"}}\n',
      "models/dim_countries.sql":
        '{{config materialized="table"}}\nselect code, upper(name) as name from {{ref "stg_countries"}}\n',
      "models/fct_visits.sql":
        '{{config materialized="incremental" unique_key="visit_id"}}\n' +
        "select 1 as visit_id, 'FR' as code\n",
    });
    const first = await floe(dir, "build");
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);

    expect(await tableComments()).toEqual({
      countries: "Countries we ship to.",
      stg_countries: "Countries, cleaned.",
      dim_countries: "One row per country. Folded over two lines.",
      fct_visits: null,
    });
    expect(await columnComments()).toEqual({
      "countries.code": "ISO 3166 alpha-2 code.",
      "countries.name": null,
      "stg_countries.code": "The country's code ('FR', 'DE').",
      "stg_countries.name": null,
      "dim_countries.code": "Country code;\nsecond line.",
      "dim_countries.name": null,
      "fct_visits.visit_id": "The visit.",
      "fct_visits.code": "Where from.",
    });
    expect(await showCreateTable(trino, schema, "dim_countries")).toContain(
      "code varchar COMMENT 'Country code;\nsecond line.'",
    );

    // An incremental run keeps the table: a changed description is rewritten, a removed one cleared; a
    // rebuilt table gets its column comments again (CREATE OR REPLACE drops them).
    write(
      dir,
      "models/schema.yml",
      YML.replace("description: The visit.", "description: The visit, again.").replace(
        "        description: Where from.\n",
        "",
      ),
    );
    const second = await floe(dir, "build");
    expect(second.exitCode).toBe(0);
    const columns = await columnComments();
    expect(columns["fct_visits.visit_id"]).toBe("The visit, again.");
    expect(columns["fct_visits.code"]).toBeNull();
    expect(columns["dim_countries.code"]).toBe("Country code;\nsecond line.");
    expect(columns["stg_countries.code"]).toBe("The country's code ('FR', 'DE').");
    expect((await tableComments()).dim_countries).toBe("One row per country. Folded over two lines.");
  });
});
