import { describe, expect, it } from "vitest";
import { loadFixture } from "../testing/project-fixture.js";
import { buildCatalog } from "./catalog.js";
import { lineageLayout } from "./lineage-layout.js";
import { docsSiteHtml } from "./site.js";

/**
 * Runs the docs page's script against a minimal DOM (no browser on the build machines): it must draw
 * the lineage graph, list resources, and show a node's details, built or not, on navigation.
 */
class FakeElement {
  children: FakeElement[] = [];
  attributes: Record<string, string> = {};
  listeners: Record<string, ((event?: unknown) => void)[]> = {};
  ownText = "";
  value = "";
  constructor(readonly tag: string) {}
  appendChild(child: FakeElement): FakeElement {
    this.children.push(child);
    return child;
  }
  setAttribute(name: string, value: unknown): void {
    this.attributes[name] = String(value);
  }
  getAttribute(name: string): string | null {
    return this.attributes[name] ?? null;
  }
  set className(value: string) {
    this.attributes.class = value;
  }
  addEventListener(type: string, listener: (event?: unknown) => void): void {
    this.listeners[type] = [...(this.listeners[type] ?? []), listener];
  }
  /** What the page inserted as markup (descriptions only); kept as the string, not parsed. */
  innerHTML = "";
  set textContent(value: string) {
    this.children = [];
    this.ownText = value;
    this.innerHTML = "";
  }
  get textContent(): string {
    return this.ownText + this.innerHTML + this.children.map((c) => c.textContent).join("");
  }
  all(tag: string): FakeElement[] {
    return this.children.flatMap((c) => [...(c.tag === tag ? [c] : []), ...c.all(tag)]);
  }
}

function textNode(text: string): FakeElement {
  const node = new FakeElement("#text");
  node.textContent = text;
  return node;
}

function runPage(html: string) {
  const data = /<script id="floe-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const ids: Record<string, FakeElement> = {};
  for (const id of ["list", "search", "detail", "graph", "graph-note", "summary"])
    ids[id] = new FakeElement("div");
  ids["floe-data"] = textNode(data);
  const windowListeners: Record<string, () => void> = {};
  const location = { hash: "" };
  const document = {
    getElementById: (id: string) => ids[id],
    createElement: (tag: string) => new FakeElement(tag),
    createElementNS: (_ns: string, tag: string) => new FakeElement(tag),
    createTextNode: textNode,
  };
  const window = { addEventListener: (type: string, fn: () => void) => (windowListeners[type] = fn) };
  // The page's script exactly as embedded (the layout function, then the page script).
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  expect(scripts).toHaveLength(1);
  new Function("document", "window", "location", scripts[0]!)(document, window, location);
  const navigate = (hash: string) => {
    location.hash = hash;
    windowListeners.hashchange!();
  };
  return { ids, navigate };
}

describe("docs page script", () => {
  it("draws the graph, lists resources and shows details of built and unbuilt nodes", () => {
    const p = loadFixture({
      "models/schema.yml": `version: 2
models:
  - name: a
    description: "<img src=x onerror=alert(1)>"
    columns:
      - name: x
        description: the x
        tests: [unique]
`,
      "models/a.sql": "select 1 as x\n",
      "models/b.sql": 'select * from {{ref "a"}}\n',
    });
    const catalog = buildCatalog({
      manifest: p.manifest,
      ids: Object.keys(p.manifest.nodes),
      tables: [
        { table_catalog: "iceberg", table_schema: "analytics", table_name: "a", table_type: "BASE TABLE" },
      ],
      columns: [
        {
          table_catalog: "iceberg",
          table_schema: "analytics",
          table_name: "a",
          column_name: "x",
          ordinal_position: 1,
          data_type: "integer",
        },
      ],
      generatedAt: "2026-01-01T00:00:00Z",
    });
    const html = docsSiteHtml({
      manifest: p.manifest,
      catalog,
      compiled: { "model.shop.b": 'select * from "iceberg"."analytics"."a"' },
      layout: lineageLayout(p.manifest),
      emptyCatalog: false,
    });
    const { ids, navigate } = runPage(html);
    expect(ids.graph!.all("g")).toHaveLength(2);
    expect(ids.graph!.all("path")).toHaveLength(1);
    expect(ids.list!.textContent).toContain("Models (2)");
    expect(ids.list!.textContent).toContain("Tests (1)");
    expect(ids.summary!.textContent).toContain("2 models");

    navigate("#node=model.shop.a");
    const a = ids.detail!.textContent;
    expect(a).toContain("BASE TABLE in the catalog");
    expect(a).toContain("integer");
    expect(a).toContain("the x");
    expect(a).toContain("unique");
    // The description's own HTML is escaped: it shows as text, never as markup.
    const description = ids.detail!.all("div").find((d) => d.attributes.class === "md")!;
    expect(description.innerHTML).toBe("<p>&lt;img src=x onerror=alert(1)&gt;</p>");
    expect(a).not.toContain("<img");

    navigate("#node=model.shop.b");
    const b = ids.detail!.textContent;
    expect(b).toContain("Not built");
    expect(b).toContain('select * from "iceberg"."analytics"."a"');
    const dimmed = ids.graph!.all("g").filter((g) => g.attributes.class?.includes("dim"));
    expect(dimmed).toHaveLength(0);
    expect(ids.graph!.all("g").filter((g) => g.attributes.class?.includes("selected"))).toHaveLength(1);

    navigate("#node=test.shop.unique_a_x");
    const test = ids.detail!.textContent;
    expect(test).toContain("unique");
    expect(test).toContain("error");
    // A test highlights the lineage of the node it tests.
    expect(ids.graph!.all("g").find((g) => g.attributes.class?.includes("selected"))?.textContent).toContain(
      "a (model)",
    );
  });

  it("draws only the selected node's lineage in a big project, and the whole graph on request", () => {
    // 200 models: m0 ← m1 ← … a chain, plus 40 leaves off m10.
    const files: Record<string, string> = { "models/m0.sql": "select 1 as x\n" };
    for (let i = 1; i < 160; i++) files[`models/m${i}.sql`] = `select * from {{ref "m${i - 1}"}}\n`;
    for (let i = 0; i < 40; i++) files[`models/leaf${i}.sql`] = 'select * from {{ref "m10"}}\n';
    const p = loadFixture(files);
    const html = docsSiteHtml({
      manifest: p.manifest,
      catalog: buildCatalog({ manifest: p.manifest, ids: [], tables: [], columns: [], generatedAt: "t" }),
      compiled: {},
      layout: lineageLayout(p.manifest),
      emptyCatalog: false,
    });
    const { ids, navigate } = runPage(html);
    expect(ids.graph!.all("g")).toHaveLength(0);
    expect(ids["graph-note"]!.textContent).toContain("200 nodes: pick a resource to draw its lineage.");

    navigate("#node=model.shop.m10");
    const drawn = ids.graph!.all("g");
    expect(drawn.length).toBeLessThanOrEqual(150);
    // Nearest first: m10's parents up to the half limit, then its 40 leaves and the next of the chain.
    const names = drawn.map((g) => g.all("title")[0]!.textContent);
    expect(names).toContain("m10 (model)");
    expect(names).toContain("m0 (model)");
    expect(names).toContain("leaf39 (model)");
    expect(ids["graph-note"]!.textContent).toMatch(/Lineage of m10: \d+ of 200 nodes/);

    const drawAll = ids["graph-note"]!.all("a")[0]!;
    drawAll.listeners.click![0]!({ preventDefault: () => {} });
    expect(ids.graph!.all("g")).toHaveLength(200);
    navigate("#node=model.shop.m50");
    expect(ids.graph!.all("g")).toHaveLength(200);
  });

  it("renders descriptions as Markdown, shows the template beside the compiled SQL, searches columns, groups by folder", () => {
    const p = loadFixture({
      "models/docs.md": "{% docs orders %}\nOne row per **order**; see `status`.\n{% enddocs %}\n",
      "models/marts/core/core.yml": `version: 2
models:
  - name: fct_orders
    description: '{{doc "orders"}}'
    columns:
      - name: status
        description: "*placed* or [shipped](https://example.com)"
      - name: shipped_on
`,
      "models/marts/core/fct_orders.sql":
        "select 1 as order_id, 'placed' as status from {{ref \"stg_orders\"}}\n",
      "models/staging/stg_orders.sql": "select 1 as order_id\n",
      "models/staging/stg_payments.sql": "select 2 as payment_id\n",
    });
    const catalog = buildCatalog({
      manifest: p.manifest,
      ids: Object.keys(p.manifest.nodes),
      tables: [
        {
          table_catalog: "iceberg",
          table_schema: "analytics",
          table_name: "stg_payments",
          table_type: "BASE TABLE",
        },
      ],
      columns: [
        {
          table_catalog: "iceberg",
          table_schema: "analytics",
          table_name: "stg_payments",
          column_name: "payment_status",
          ordinal_position: 1,
          data_type: "varchar",
        },
      ],
      generatedAt: "t",
    });
    const template = "select 1 as order_id, 'placed' as status from {{ref \"stg_orders\"}}\n";
    const html = docsSiteHtml({
      manifest: p.manifest,
      catalog,
      compiled: { "model.shop.fct_orders": 'select 1 as order_id from "iceberg"."analytics"."stg_orders"' },
      layout: lineageLayout(p.manifest),
      emptyCatalog: false,
      templates: { "model.shop.fct_orders": template },
    });
    const { ids, navigate } = runPage(html);

    // Sidebar: models under their folder, in folder order.
    const headings = ids.list!.all("h4").map((h) => h.textContent);
    expect(headings).toEqual(["marts/core", "staging"]);

    navigate("#node=model.shop.fct_orders");
    const md = ids.detail!.all("div").filter((d) => d.attributes.class === "md");
    expect(md[0]!.innerHTML).toBe("<p>One row per <strong>order</strong>; see <code>status</code>.</p>");
    const cells = ids.detail!.all("td").filter((d) => d.attributes.class === "md");
    expect(cells.map((c) => c.innerHTML)).toContain(
      '<p><em>placed</em> or <a href="https://example.com" rel="noopener">shipped</a></p>',
    );
    const pres = ids.detail!.all("pre");
    expect(pres.map((e) => e.attributes.class)).toEqual(["sql template", "sql compiled"]);
    expect(pres[0]!.textContent).toBe(template);
    expect(pres[1]!.textContent).toContain('"iceberg"."analytics"."stg_orders"');
    expect(ids.detail!.textContent).toContain("Template (models/marts/core/fct_orders.sql)");

    // Search by a column name: a yml column, and a column only the catalog knows.
    const search = ids.search!;
    search.value = "status";
    search.listeners.input![0]!();
    let listed = ids.list!.all("li").map((li) => li.textContent);
    // fct_orders matches on its description (which names `status`), stg_payments on a column.
    expect(listed).toEqual(["fct_orders", "stg_paymentscolumn payment_status"]);
    search.value = "shipped_o";
    search.listeners.input![0]!();
    expect(ids.list!.all("li").map((li) => li.textContent)).toEqual(["fct_orderscolumn shipped_on"]);
    search.value = "payment_st";
    search.listeners.input![0]!();
    listed = ids.list!.all("li").map((li) => li.textContent);
    expect(listed).toEqual(["stg_paymentscolumn payment_status"]);
  });
});
