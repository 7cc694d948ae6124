import { describe, expect, it } from "vitest";
import { errorOf, loadFixture } from "../testing/project-fixture.js";

const MD = `# Shop docs

{% docs order_status %}
One of **placed**, *shipped* or \`cancelled\`.

See [the lifecycle](https://example.com).
{% enddocs %}

{%- docs orders_table -%}
One row per order.
{%- enddocs -%}
`;

const YML = `version: 2
models:
  - name: orders
    description: '{{doc "orders_table"}}'
    columns:
      - name: status
        description: "{{ doc('order_status') }}"
      - name: id
        description: The id; {{doc "orders_table"}} Plain text around it stays.
sources:
  - name: raw
    tables:
      - name: events
        description: "{{ doc(\\"orders_table\\") }}"
`;

describe("docs blocks", () => {
  it("resolves {{doc}} (Floe's and dbt's spelling) in model, column and source descriptions", () => {
    const project = loadFixture({
      "models/docs/shop.md": MD,
      "models/schema.yml": YML,
      "models/orders.sql": "select 1 as id, 'placed' as status",
    });
    const orders = project.manifest.nodes["model.shop.orders"]!;
    expect(orders.description).toBe("One row per order.");
    expect(orders.resource_type === "model" && orders.columns.status?.description).toBe(
      "One of **placed**, *shipped* or `cancelled`.\n\nSee [the lifecycle](https://example.com).",
    );
    expect(orders.resource_type === "model" && orders.columns.id?.description).toBe(
      "The id; One row per order. Plain text around it stays.",
    );
    expect(project.manifest.sources["source.shop.raw.events"]?.description).toBe("One row per order.");
    // The blocks themselves, as dbt's manifest lists them.
    expect(project.manifest.docs?.["doc.shop.orders_table"]).toEqual({
      unique_id: "doc.shop.orders_table",
      resource_type: "doc",
      name: "orders_table",
      package_name: "shop",
      path: "docs/shop.md",
      original_file_path: "models/docs/shop.md",
      block_contents: "One row per order.",
    });
    expect(Object.keys(project.manifest.docs ?? {})).toEqual([
      "doc.shop.order_status",
      "doc.shop.orders_table",
    ]);
  });

  it("a changed block changes the fingerprint of the nodes that use it, and only theirs", () => {
    const files = {
      "models/schema.yml": YML,
      "models/orders.sql": "select 1 as id, 'placed' as status",
      "models/other.sql": "select 1 as x",
    };
    const before = loadFixture({ ...files, "models/shop.md": MD }).manifest.nodes;
    const after = loadFixture({ ...files, "models/shop.md": MD.replace("*shipped*", "*sent*") }).manifest
      .nodes;
    expect(after["model.shop.orders"]!.fingerprint.yml).not.toBe(
      before["model.shop.orders"]!.fingerprint.yml,
    );
    expect(after["model.shop.other"]!.fingerprint).toEqual(before["model.shop.other"]!.fingerprint);
  });

  it("an unknown doc name is an error naming the yml file, the entry and the closest block", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/shop.md": MD,
        "models/schema.yml": YML.replace("doc('order_status')", "doc('order_stats')"),
        "models/orders.sql": "select 1 as id",
      }),
    );
    expect(error.message).toContain("no docs block is named 'order_stats'");
    expect(error.location).toEqual({ file: "models/schema.yml", path: "orders.columns.status" });
    expect(error.hint).toBe('did you mean {{doc "order_status"}}?');
  });

  it("a block defined twice, or left open, is an error at its line", () => {
    const twice = errorOf(() =>
      loadFixture({ "models/a.md": MD, "models/b.md": "\n{% docs order_status %}again{% enddocs %}" }),
    );
    expect(twice.message).toContain("'order_status' is defined twice (also at models/a.md:3)");
    expect(twice.location).toEqual({ file: "models/b.md", line: 2 });
    const open = errorOf(() => loadFixture({ "models/a.md": "text\n\n{% docs unfinished %}\nno end" }));
    expect(open.message).toContain("not closed");
    expect(open.location).toEqual({ file: "models/a.md", line: 3 });
  });
});
