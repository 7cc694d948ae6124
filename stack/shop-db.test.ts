import { describe, expect, it } from "vitest";
import { packageRoot } from "./paths.js";
import { SHOP_DB } from "./services.js";
import { redactUrl, roleStatements, shopSql } from "./shop-db.js";

const home = packageRoot();

describe("shop database SQL", () => {
  it("creates the five tables idempotently, each with full before-images for Debezium", () => {
    const sql = shopSql(home, "shop-schema.sql");
    const created = [...sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]);
    expect(created).toEqual([...SHOP_DB.tables]);
    const full = /FOREACH t IN ARRAY ARRAY\[([^\]]+)\]/
      .exec(sql)?.[1]
      ?.split(",")
      .map((t) => t.trim().replaceAll("'", ""));
    expect(full).toEqual([...SHOP_DB.tables]);
    expect(sql).toContain("REPLICA IDENTITY FULL");
    expect(sql).not.toMatch(/REFERENCES/i);
    expect(sql).not.toMatch(/^\s*CREATE TABLE (?!IF NOT EXISTS)/im);
  });

  it("publishes exactly those tables, only when the publication is missing", () => {
    const sql = shopSql(home, "shop-publication.sql");
    expect(sql).toContain(`WHERE pubname = '${SHOP_DB.publication}'`);
    const listed = /FOR TABLE ([^;]+);/
      .exec(sql)?.[1]
      ?.split(",")
      .map((t) => t.trim().replace("public.", ""));
    expect(listed).toEqual([...SHOP_DB.tables]);
  });

  it("makes role floe with LOGIN REPLICATION, and database shop owned by it, once", () => {
    expect(roleStatements({ role: false, database: false })).toEqual([
      `CREATE ROLE "floe" WITH LOGIN REPLICATION PASSWORD 'floe-local-secret'`,
      `CREATE DATABASE "shop" OWNER "floe"`,
    ]);
    expect(roleStatements({ role: true, database: true })).toEqual([
      `ALTER ROLE "floe" WITH LOGIN REPLICATION PASSWORD 'floe-local-secret'`,
    ]);
  });

  it("never prints a database password", () => {
    expect(redactUrl("postgres://floe:s3cret@db.example:5432/shop")).toBe(
      "postgres://floe:***@db.example:5432/shop",
    );
    expect(redactUrl("not a url")).toBe("the shop database");
  });
});
