import { describe, expect, it } from "vitest";
import { renderNode } from "../compile/compile.js";
import type { SnapshotNode } from "../manifest/manifest.js";
import { buildRunGraph } from "../runner/run-graph.js";
import { selectNodes } from "../select/apply-selector.js";
import { parseSelector } from "../select/parse-selector.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import { parseRelation } from "./snapshot-nodes.js";

const FILES = {
  "models/sources.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: customers\n",
  "models/stg_customers.sql": 'select * from {{source "raw" "customers"}}\n',
  "models/dim_customers.sql": 'select * from {{ref "customers_history"}} where dbt_valid_to is null\n',
  "snapshots/history.yml": `snapshots:
  - name: customers_history
    relation: ref('stg_customers')
    description: every version of every customer
    config:
      schema: snapshots
      unique_key: [id, region]
      strategy: timestamp
      updated_at: updated_at
      hard_deletes: new_record
  - name: raw_customers_history
    relation: '{{source "raw" "customers"}}'
    config: {unique_key: id, strategy: check, check_cols: all}
  - name: products_history
    description: described here, defined in products_history.sql
`,
  "snapshots/products_history.sql":
    '{{config unique_key="id" strategy="check" check_cols="name, price" invalidate_hard_deletes=true}}\n' +
    'select id, name, price from {{ref "stg_customers"}}\n',
  "floe_project.yml": "name: shop\nprofile: floe\nsnapshots:\n  +tags: history\n",
};

describe("snapshot nodes", () => {
  const project = loadFixture(FILES);
  const nodes = project.manifest.nodes;
  const snapshot = (name: string) => nodes[`snapshot.shop.${name}`] as SnapshotNode;

  it("come from yml (dbt's and Floe's relation syntax) and from snapshots/*.sql, with dbt's config", () => {
    const history = snapshot("customers_history");
    expect(history.resource_type).toBe("snapshot");
    expect(history.relation).toEqual({
      catalog: "iceberg",
      schema: "analytics_snapshots",
      identifier: "customers_history",
    });
    expect(history.depends_on.nodes).toEqual(["model.shop.stg_customers"]);
    expect(history.description).toBe("every version of every customer");
    expect(history.tags).toEqual(["history"]);
    expect(history.config).toMatchObject({
      unique_key: ["id", "region"],
      strategy: "timestamp",
      updated_at: "updated_at",
      hard_deletes: "new_record",
    });
    expect(history.config.snapshot_meta_column_names.dbt_valid_to).toBe("dbt_valid_to");
    expect(renderNode(project, history.unique_id)).toBe(
      'select * from "iceberg"."analytics"."stg_customers"',
    );

    const raw = snapshot("raw_customers_history");
    expect(raw.depends_on.nodes).toEqual(["source.shop.raw.customers"]);
    expect(raw.config).toMatchObject({ strategy: "check", check_cols: "all", hard_deletes: "ignore" });

    const products = snapshot("products_history");
    expect(products.original_file_path).toBe("snapshots/products_history.sql");
    expect(products.description).toBe("described here, defined in products_history.sql");
    expect(products.config).toMatchObject({ check_cols: ["name", "price"], hard_deletes: "invalidate" });
  });

  it("are refs like models: a model that refs one builds after it; resource_type:snapshot selects them", () => {
    expect(nodes["model.shop.dim_customers"]?.depends_on.nodes).toEqual(["snapshot.shop.customers_history"]);
    const all = new Set(Object.keys(nodes));
    const order = buildRunGraph(project.manifest, all, "build").order;
    expect(order.indexOf("model.shop.dim_customers")).toBeGreaterThan(
      order.indexOf("snapshot.shop.customers_history"),
    );
    expect(buildRunGraph(project.manifest, all, "snapshot").order).toHaveLength(3);
    expect(buildRunGraph(project.manifest, all, "run").order).not.toContain(
      "snapshot.shop.customers_history",
    );
    const selected = selectNodes(
      { manifest: project.manifest },
      parseSelector(["resource_type:snapshot"]),
      undefined,
    );
    expect([...selected].sort()).toEqual([
      "snapshot.shop.customers_history",
      "snapshot.shop.products_history",
      "snapshot.shop.raw_customers_history",
    ]);
  });

  it("a missing strategy, updated_at or unique_key is an error with the fix", () => {
    const broken = (config: string) =>
      errorOf(() =>
        loadFixture({
          ...FILES,
          "snapshots/history.yml": `snapshots:\n  - name: customers_history\n    relation: ref('stg_customers')\n    config: ${config}\n`,
        }),
      );
    expect(broken("{unique_key: id, strategy: timestamp}")).toMatchObject({
      message: expect.stringContaining("strategy timestamp without updated_at"),
      hint: expect.stringContaining("add updated_at"),
      location: { file: "snapshots/history.yml", line: 4 },
    });
    expect(broken("{strategy: check, check_cols: all}").message).toContain("needs a unique_key");
    expect(broken("{unique_key: id, strategy: checks}").message).toContain(
      "strategy must be one of timestamp, check",
    );
    expect(broken("{unique_key: id, strategy: check, check_cols: all, hard_delete: invalidate}").hint).toBe(
      "did you mean 'hard_deletes'?",
    );
  });

  it("relation: takes ref and source in dbt's and Floe's syntax, nothing else", () => {
    expect(parseRelation("ref('a')")).toEqual({ kind: "ref", name: "a" });
    expect(parseRelation(' ref( "a" ) ')).toEqual({ kind: "ref", name: "a" });
    expect(parseRelation('{{ref "a"}}')).toEqual({ kind: "ref", name: "a" });
    expect(parseRelation("source('raw', 'orders')")).toEqual({
      kind: "source",
      source: "raw",
      table: "orders",
    });
    expect(parseRelation('{{ source "raw" "orders" }}')).toEqual({
      kind: "source",
      source: "raw",
      table: "orders",
    });
    expect(parseRelation("raw.orders")).toBeUndefined();
    const typo = errorOf(() =>
      loadFixture({ ...FILES, "snapshots/history.yml": "snapshots:\n  - name: x\n    relaton: ref('a')\n" }),
    );
    expect(typo).toMatchObject({
      message: expect.stringContaining("unknown key 'relaton'"),
      hint: "did you mean 'relation'?",
    });
    const error = errorOf(() =>
      loadFixture({
        ...FILES,
        "snapshots/history.yml": "snapshots:\n  - name: x\n    relation: stg_customers\n",
      }),
    );
    expect(error.message).toContain("relation: 'stg_customers' is not a ref or a source");
    expect(error.location?.line).toBe(3);
  });
});
