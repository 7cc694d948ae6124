import { describe, expect, it } from "vitest";
import { loadFixture } from "../testing/project-fixture.js";
import { buildCatalog, catalogTargets, emptyCatalog } from "./catalog.js";
import { countCrossings, lineageLayout } from "./lineage-layout.js";
import { resolveRequestPath } from "./serve-docs.js";
import { docsSiteHtml, embedJson } from "./site.js";
import { SITE_SCRIPT } from "./site-script.js";

const project = () =>
  loadFixture({
    "models/sources.yml": `version: 2
sources:
  - name: raw
    catalog: hive
    schema: raw
    tables: [{name: orders}, {name: users}]
models:
  - name: stg_orders
    description: "Orders </script><b>x</b>"
    columns:
      - name: order_id
        description: the key
        tests: [not_null]
`,
    "models/stg_orders.sql": 'select * from {{source "raw" "orders"}}\n',
    "models/stg_users.sql": 'select * from {{source "raw" "users"}}\n',
    "models/eph.sql": '{{config materialized="ephemeral"}}\nselect 1 as x\n',
    "models/fct.sql":
      'select * from {{ref "stg_orders"}} o join {{ref "stg_users"}} u on true cross join {{ref "eph"}}\n',
    "models/fct2.sql": 'select * from {{ref "fct"}}\n',
  });

describe("catalog.json", () => {
  it("has columns by ordinal, type and stats for existing relations; missing and ephemeral ones are absent", () => {
    const p = project();
    const ids = Object.keys({ ...p.manifest.nodes, ...p.manifest.sources });
    const targets = catalogTargets(p.manifest, ids);
    expect([...targets.keys()].sort()).toEqual(["hive", "iceberg"]);
    expect([...targets.get("iceberg")!.tables].sort()).toEqual(["fct", "fct2", "stg_orders", "stg_users"]);
    const col = (table: string, column_name: string, ordinal_position: number, data_type: string) => ({
      table_catalog: "iceberg",
      table_schema: "analytics",
      table_name: table,
      column_name,
      ordinal_position,
      data_type,
    });
    const catalog = buildCatalog({
      manifest: p.manifest,
      ids,
      tables: [
        {
          table_catalog: "iceberg",
          table_schema: "analytics",
          table_name: "stg_orders",
          table_type: "BASE TABLE",
        },
        { table_catalog: "hive", table_schema: "raw", table_name: "orders", table_type: "BASE TABLE" },
      ],
      columns: [
        col("stg_orders", "amount", 2, "double"),
        col("stg_orders", "order_id", 1, "bigint"),
        { ...col("orders", "order_id", 1, "varchar"), table_catalog: "hive", table_schema: "raw" },
      ],
      stats: new Map([["iceberg\u0000analytics\u0000stg_orders", { rowCount: 3, bytes: 100 }]]),
      errors: [],
      generatedAt: "2026-01-01T00:00:00Z",
    });
    const stg = catalog.nodes["model.shop.stg_orders"]!;
    expect(Object.keys(stg.columns)).toEqual(["order_id", "amount"]);
    expect(stg.columns.amount).toEqual({ type: "double", index: 2, name: "amount", comment: null });
    expect(stg.metadata).toMatchObject({ type: "BASE TABLE", database: "iceberg", name: "stg_orders" });
    expect(stg.stats.row_count).toMatchObject({ value: 3, include: true });
    expect(stg.stats.has_stats).toMatchObject({ value: true, include: false });
    expect(catalog.sources["source.shop.raw.orders"]?.columns.order_id?.type).toBe("varchar");
    expect(Object.keys(catalog.nodes)).toEqual(["model.shop.stg_orders"]);
    expect(catalog.sources["source.shop.raw.users"]).toBeUndefined();
    expect(catalog.errors).toBeNull();
    expect(emptyCatalog("t")).toMatchObject({ nodes: {}, sources: {}, errors: null });
  });
});

describe("lineage layout", () => {
  it("puts parents in earlier columns, leaves tests out, and never overlaps boxes", () => {
    const p = project();
    const layout = lineageLayout(p.manifest);
    const byName = new Map(layout.nodes.map((n) => [n.name, n]));
    expect([...byName.keys()].sort()).toEqual(
      ["eph", "fct", "fct2", "raw.orders", "raw.users", "stg_orders", "stg_users"].sort(),
    );
    expect(byName.get("raw.orders")!.layer).toBe(0);
    expect(byName.get("eph")!.layer).toBe(0);
    expect(byName.get("stg_orders")!.layer).toBe(1);
    expect(byName.get("fct")!.layer).toBe(2);
    expect(byName.get("fct2")!.layer).toBe(3);
    for (const [from, to] of layout.edges) expect(layout.nodes[from]!.x).toBeLessThan(layout.nodes[to]!.x);
    expect(layout.edges).toHaveLength(6);
    const boxes = layout.nodes.map((n) => `${n.x},${n.y}`);
    expect(new Set(boxes).size).toBe(boxes.length);
    for (const n of layout.nodes) {
      expect(n.x + layout.nodeWidth).toBeLessThanOrEqual(layout.width);
      expect(n.y + layout.nodeHeight).toBeLessThanOrEqual(layout.height);
    }
    expect(countCrossings(layout)).toBe(0);
  });

  it("untangles crossings a name order would create", () => {
    // a→z, b→y: sorted by name, z would sit below y and the edges would cross.
    const p = loadFixture({
      "models/a.sql": "select 1 as x\n",
      "models/b.sql": "select 1 as x\n",
      "models/z.sql": 'select * from {{ref "a"}}\n',
      "models/y.sql": 'select * from {{ref "b"}}\n',
    });
    expect(countCrossings(lineageLayout(p.manifest))).toBe(0);
  });
});

describe("docs site", () => {
  it("is one self-contained file with the data embedded safely and a script that parses", () => {
    const p = project();
    const html = docsSiteHtml({
      manifest: p.manifest,
      catalog: emptyCatalog("2026-01-01T00:00:00Z"),
      compiled: { "model.shop.fct2": "select '</script>' as x" },
      layout: lineageLayout(p.manifest),
      emptyCatalog: true,
    });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    // Nothing loads from the network: no external src/href, no CDN.
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const json = /<script id="floe-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const data = JSON.parse(json);
    expect(data.compiled["model.shop.fct2"]).toBe("select '</script>' as x");
    expect(data.manifest.nodes["model.shop.stg_orders"].description).toContain("</script>");
    expect(data.layout.nodes.length).toBe(7);
    expect(() => new Function(SITE_SCRIPT)).not.toThrow();
    expect(embedJson("a\u2028b<")).toBe('"a\\u2028b\\u003c"');
  });
});

describe("docs serve paths", () => {
  it("maps URLs inside the folder and refuses to leave it", () => {
    expect(resolveRequestPath("/t", "/")).toBe("/t/index.html");
    expect(resolveRequestPath("/t", "/catalog.json?x=1")).toBe("/t/catalog.json");
    expect(resolveRequestPath("/t", "/compiled/a%20b.sql")).toBe("/t/compiled/a b.sql");
    expect(resolveRequestPath("/t", "/../etc/passwd")).toBe("/t/etc/passwd");
    expect(resolveRequestPath("/t", "/%2e%2e/%2e%2e/etc/passwd")).toBe("/t/etc/passwd");
    expect(resolveRequestPath("/t", "/%E0%A4%A")).toBeUndefined();
  });
});
