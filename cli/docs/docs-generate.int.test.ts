import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema } from "../testing/warehouse.js";

/**
 * `floe docs generate` against the stack: a built table and view and a source get their columns and
 * (for the Iceberg table) stats in catalog.json; a model not built yet is absent and reported; the site
 * embeds it all. `--empty-catalog` needs no engine.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_docs");
const rawSchema = `${schema}_raw`;

beforeAll(async () => {
  await trino.query(`CREATE SCHEMA iceberg.${rawSchema}`);
  await trino.query(
    `CREATE TABLE iceberg.${rawSchema}.events AS SELECT * FROM (VALUES (1, 'a', DATE '2026-01-01')) AS t(id, kind, day)`,
  );
});
afterAll(async () => {
  await dropSchema(trino, schema);
  await dropSchema(trino, rawSchema);
});

const files = {
  "models/sources.yml": `version: 2
sources:
  - name: raw
    catalog: iceberg
    schema: ${rawSchema}
    tables:
      - name: events
        description: raw events
models:
  - name: events_table
    description: one row per event
    columns:
      - name: id
        description: the event id
        tests: [not_null]
`,
  "models/events_table.sql":
    '{{config materialized="table"}}\nselect id, kind from {{source "raw" "events"}}\n',
  "models/events_view.sql": 'select id, upper(kind) as kind_upper from {{ref "events_table"}}\n',
  "models/later.sql": 'select count(*) as n from {{ref "events_view"}}\n',
};

describe("floe docs generate", () => {
  it("writes catalog.json with columns and stats, reports unbuilt relations, and a self-contained site", async () => {
    const dir = writeRunnerProject(schema, files);
    expect((await floe(dir, "run", "-s", "events_table", "events_view")).exitCode).toBe(0);

    const out = await floe(dir, "docs", "generate");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/Not built yet \(shown as such in the site\): 1 relation\(s\): later/);
    expect(out.stdout).toMatch(
      /Catalog written to .*catalog\.json \(3 relations\); docs site written to .*index\.html/,
    );

    const catalog = JSON.parse(readFileSync(join(dir, "target/catalog.json"), "utf8"));
    const table = catalog.nodes["model.shop.events_table"];
    expect(table.metadata).toMatchObject({
      type: "BASE TABLE",
      database: "iceberg",
      schema,
      name: "events_table",
    });
    expect(table.columns).toEqual({
      id: { type: "integer", index: 1, name: "id", comment: null },
      kind: { type: "varchar", index: 2, name: "kind", comment: null },
    });
    expect(table.stats.row_count).toMatchObject({ value: 1, include: true });
    expect(catalog.nodes["model.shop.events_view"]).toMatchObject({
      metadata: { type: "VIEW" },
      columns: { kind_upper: { index: 2 } },
    });
    expect(catalog.nodes["model.shop.later"]).toBeUndefined();
    expect(catalog.sources["source.shop.raw.events"].columns.day).toMatchObject({ type: "date", index: 3 });
    expect(catalog.errors).toBeNull();

    const html = readFileSync(join(dir, "target/index.html"), "utf8");
    const data = JSON.parse(
      /<script id="floe-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!,
    );
    expect(data.catalog.nodes["model.shop.events_table"].columns.id.type).toBe("integer");
    expect(data.compiled["model.shop.later"]).toContain(`"iceberg"."${schema}"."events_view"`);
    expect(data.layout.nodes.map((n: { name: string }) => n.name).sort()).toEqual([
      "events_table",
      "events_view",
      "later",
      "raw.events",
    ]);
    expect(readFileSync(join(dir, "target/compiled/shop/models/later.sql"), "utf8")).toContain("count(*)");
    expect(JSON.parse(readFileSync(join(dir, "target/manifest.json"), "utf8")).nodes).toHaveProperty(
      "model.shop.later",
    );
  });

  it("--empty-catalog --no-compile needs no engine", async () => {
    const dir = writeRunnerProject(schema, files, { port: 1 });
    const out = await floe(dir, "docs", "generate", "--empty-catalog", "--no-compile");
    expect(out.exitCode).toBe(0);
    const catalog = JSON.parse(readFileSync(join(dir, "target/catalog.json"), "utf8"));
    expect(catalog).toMatchObject({ nodes: {}, sources: {} });
    const html = readFileSync(join(dir, "target/index.html"), "utf8");
    expect(html).toContain("catalog not generated");
  });
});
