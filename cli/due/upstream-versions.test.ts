import { describe, expect, it } from "vitest";
import { TrinoQueryError } from "../../trino/errors.js";
import { loadFixture } from "../testing/project-fixture.js";
import { queryResult } from "../testing/query-result.js";
import { TrinoVersionReader } from "./upstream-versions.js";

const FILES = {
  "models/sources.yml": `version: 2
sources:
  - {name: raw, catalog: hive, schema: raw, tables: [{name: orders}, {name: empty}]}
  - {name: pg, catalog: postgres, schema: public, tables: [{name: users}]}
`,
  "models/stg_orders.sql": '{{config materialized="table"}}\nselect * from {{source "raw" "orders"}}\n',
  "models/gone.sql": '{{config materialized="table"}}\nselect 1 as id\n',
};

/** A Trino that answers by the statement's shape, recording each statement. */
function fakeQuery() {
  const sql: string[] = [];
  const query = async <Row>(text: string) => {
    sql.push(text);
    if (text.includes("system.metadata.catalogs")) {
      return queryResult<Row>([
        { catalog_name: "iceberg", connector_name: "iceberg" },
        { catalog_name: "hive", connector_name: "hive" },
        { catalog_name: "postgres", connector_name: "postgresql" },
      ]);
    }
    if (text.includes('"gone$refs"')) {
      throw new TrinoQueryError({
        queryId: "q",
        message: "Table 'iceberg.analytics.gone$refs' does not exist",
        errorName: "TABLE_NOT_FOUND",
        errorCode: 46,
        errorType: "USER_ERROR",
        sql: text,
      });
    }
    if (text.includes("$refs")) return queryResult<Row>([{ snapshot_id: "4711" }]);
    if (text.includes('"empty"')) return queryResult<Row>([{ files: 0, newest: null }]);
    return queryResult<Row>([{ files: 3, newest: "2026-12-06 12:14:09.000 UTC" }]);
  };
  return { sql, query };
}

describe("TrinoVersionReader", () => {
  it("reads an Iceberg table's main snapshot and a Hive table's files, once per run", async () => {
    const project = loadFixture(FILES);
    const trino = fakeQuery();
    const reader = new TrinoVersionReader(
      project.manifest,
      trino.query,
      () => new Date("2026-12-06T12:00:00Z"),
    );
    expect(await reader.versionOf("model.shop.stg_orders")).toBe("snapshot 4711");
    expect(await reader.versionOf("source.shop.raw.orders")).toBe(
      "3 files, newest 2026-12-06 12:14:09.000 UTC",
    );
    expect(await reader.versionOf("source.shop.raw.orders")).toBe(
      "3 files, newest 2026-12-06 12:14:09.000 UTC",
    );
    expect(await reader.versionOf("source.shop.raw.empty")).toBe("0 files");
    expect(await reader.versionOf("model.shop.gone")).toBe("absent");
    expect(await reader.versionOf("source.shop.pg.users")).toBe(
      "unversioned (postgresql connector), read at 2026-12-06T12:00:00.000Z",
    );
    expect(trino.sql.filter((s) => s.includes("system.metadata.catalogs"))).toHaveLength(1);
    expect(trino.sql).toContain(
      `SELECT CAST(snapshot_id AS varchar) AS snapshot_id FROM "iceberg"."analytics"."stg_orders$refs" WHERE name = 'main'`,
    );
    expect(trino.sql).toContain(
      `SELECT count(DISTINCT "$path") AS files, CAST(max("$file_modified_time") AS varchar) AS newest FROM "hive"."raw"."orders"`,
    );
    // raw.orders was read once: the second answer came from the run's memory.
    expect(trino.sql.filter((s) => s.endsWith('"hive"."raw"."orders"'))).toHaveLength(1);
  });

  it("does not keep a failed read: the next node asking reads again", async () => {
    const project = loadFixture(FILES);
    let fail = true;
    const trino = fakeQuery();
    const reader = new TrinoVersionReader(project.manifest, async (text) => {
      if (fail && text.includes("$refs")) throw new Error("connection reset");
      return trino.query(text);
    });
    await expect(reader.versionOf("model.shop.stg_orders")).rejects.toThrow("connection reset");
    fail = false;
    expect(await reader.versionOf("model.shop.stg_orders")).toBe("snapshot 4711");
  });
});

describe("TrinoVersionReader with S3 listings", () => {
  const CREATE = (location: string) =>
    `CREATE TABLE hive.raw.orders (\n   id integer,\n   event_date varchar\n)\nWITH (\n   ${location}format = 'PARQUET',\n   partitioned_by = ARRAY['event_date']\n)`;

  /** Trino's metastore answers, and a bucket whose listing comes in pages of two, recording each call. */
  function fakes(options: { location?: string; listFails?: boolean } = {}) {
    const trino = fakeQuery();
    const listed: { bucket: string; prefix: string }[] = [];
    const objects = [
      { key: "raw/orders/event_date=2026-12-06/orders+0+0.parquet", size: 10, lastModified: new Date(1) },
      { key: "raw/orders/event_date=2026-12-06/orders+1+0.parquet", size: 20, lastModified: new Date(2) },
      { key: "raw/orders/_columns/x", size: 0, lastModified: new Date(9) },
      { key: "raw/orders/event_date=2026-12-07/orders+0+5.parquet", size: 40, lastModified: new Date(3) },
    ];
    const query = async <Row>(text: string) => {
      if (text.startsWith("SHOW CREATE TABLE")) {
        const location = options.location ?? "external_location = 's3://warehouse/raw/orders',\n   ";
        return queryResult<Row>([{ "Create Table": CREATE(location) } as Row]);
      }
      if (text.includes("$partitions")) {
        trino.sql.push(text);
        return queryResult<Row>([{ p0: "2026-12-06" } as Row]);
      }
      return trino.query<Row>(text);
    };
    const lister = {
      async *list(bucket: string, prefix: string) {
        listed.push({ bucket, prefix });
        if (options.listFails) throw new Error("Access Denied");
        yield* objects;
      },
    };
    return { sql: trino.sql, query, lister, listed };
  }

  it("lists an external Hive table's location: registered partitions' files, no row read", async () => {
    const project = loadFixture(FILES);
    const f = fakes();
    const reader = new TrinoVersionReader(project.manifest, f.query, undefined, f.lister);
    expect(await reader.versionOf("source.shop.raw.orders")).toMatch(
      /^2 files, 30 bytes, newest 1970-01-01T00:00:00\.002Z, digest [0-9a-f]{12}$/,
    );
    expect(f.listed).toEqual([{ bucket: "warehouse", prefix: "raw/orders/" }]);
    expect(f.sql).toContain(
      `SELECT CAST("event_date" AS varchar) AS p0 FROM "hive"."raw"."orders$partitions"`,
    );
    expect(f.sql.some((s) => s.includes("$file_modified_time"))).toBe(false);
  });

  it("reads a managed table, or one whose location it cannot list, through Trino", async () => {
    const project = loadFixture(FILES);
    const managed = fakes({ location: "" });
    const reader = new TrinoVersionReader(project.manifest, managed.query, undefined, managed.lister);
    expect(await reader.versionOf("source.shop.raw.orders")).toBe(
      "3 files, newest 2026-12-06 12:14:09.000 UTC",
    );
    expect(managed.listed).toEqual([]);

    const denied = fakes({ listFails: true });
    const fallback = new TrinoVersionReader(project.manifest, denied.query, undefined, denied.lister);
    expect(await fallback.versionOf("source.shop.raw.orders")).toBe(
      "3 files, newest 2026-12-06 12:14:09.000 UTC",
    );
    expect(denied.listed).toHaveLength(1);
  });
});
