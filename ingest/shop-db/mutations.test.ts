import { describe, expect, it } from "vitest";
import { literal, renderMutations } from "./mutations.js";

describe("shop database SQL", () => {
  it("renders literals: quotes doubled, numbers and booleans bare, NULL", () => {
    expect(literal("O'Brien")).toBe("'O''Brien'");
    expect(literal("back\\slash")).toBe("'back\\slash'");
    expect(literal(12)).toBe("12");
    expect(literal(true)).toBe("TRUE");
    expect(literal(null)).toBe("NULL");
    expect(() => literal(Number.NaN)).toThrow(/finite/);
    expect(() => literal("a\0b")).toThrow(/NUL/);
  });

  it("groups consecutive inserts and deletes of a table, keeps every update, in order", () => {
    const sql = renderMutations([
      { op: "insert", table: "users", row: { user_id: "u-1", email: "a@example.com" } },
      { op: "insert", table: "users", row: { user_id: "u-2", email: "b@example.com" } },
      {
        op: "update",
        table: "inventory",
        key: "p-1",
        set: { quantity: 3, updated_at: "2026-01-01T00:00:00Z" },
      },
      {
        op: "update",
        table: "inventory",
        key: "p-1",
        set: { quantity: 1, updated_at: "2026-01-01T00:00:01Z" },
      },
      { op: "delete", table: "order_items", key: "o-1-1" },
      { op: "delete", table: "order_items", key: "o-1-2" },
      { op: "insert", table: "users", row: { user_id: "u-3", email: "c@example.com" } },
    ]);
    expect(sql.split(";\n")).toEqual([
      `INSERT INTO "users" ("user_id","email") VALUES ('u-1','a@example.com'),('u-2','b@example.com') ON CONFLICT ("user_id") DO NOTHING`,
      `UPDATE "inventory" SET "quantity" = 3, "updated_at" = '2026-01-01T00:00:00Z' WHERE "product_id" = 'p-1'`,
      `UPDATE "inventory" SET "quantity" = 1, "updated_at" = '2026-01-01T00:00:01Z' WHERE "product_id" = 'p-1'`,
      `DELETE FROM "order_items" WHERE "order_item_id" IN ('o-1-1','o-1-2')`,
      `INSERT INTO "users" ("user_id","email") VALUES ('u-3','c@example.com') ON CONFLICT ("user_id") DO NOTHING;`,
    ]);
  });

  it("renders nothing for no changes", () => {
    expect(renderMutations([])).toBe("");
  });
});
