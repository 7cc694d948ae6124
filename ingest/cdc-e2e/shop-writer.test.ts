import type pg from "pg";
import { describe, expect, it } from "vitest";
import { ShopChangeWriter, seeded } from "./shop-writer.js";

/** A pg client that records statements; the test decides nothing about SQL beyond what was sent. */
function recordingClient(fail?: RegExp) {
  const sent: string[] = [];
  const client = {
    query: async (sql: string) => {
      sent.push(sql.split(" ")[0] as string);
      if (fail?.test(sql)) throw new Error("boom");
      return { rows: [], rowCount: 1 };
    },
  } as unknown as pg.Client;
  return { client, sent };
}

describe("ShopChangeWriter", () => {
  it("creates a product with its stock first, then logs each committed change in order", async () => {
    const { client, sent } = recordingClient();
    const writer = new ShopChangeWriter(client, "t-", 1, 7);
    await writer.step();
    expect(writer.log.map((c) => `${c.table}:${c.op}`)).toEqual(["products:c", "inventory:c"]);
    expect(sent).toEqual(["BEGIN", "INSERT", "INSERT", "COMMIT"]);
    for (let i = 0; i < 50; i++) await writer.step();
    // One product: after a delete the next step creates it again; a delete removes stock before the product.
    const ops = writer.log.map((c) => `${c.table}:${c.op}`);
    expect(ops).toContain("inventory:u");
    expect(ops).toContain("products:u");
    const del = ops.indexOf("inventory:d");
    expect(ops.slice(del, del + 4)).toEqual(["inventory:d", "products:d", "products:c", "inventory:c"]);
    expect(writer.log.every((c) => c.key === "t-0")).toBe(true);
  });

  it("logs nothing for a transaction that failed, and rolls it back", async () => {
    const { client, sent } = recordingClient(/INSERT INTO inventory/);
    const writer = new ShopChangeWriter(client, "t-", 3, 1);
    await expect(writer.step()).rejects.toThrow("boom");
    expect(writer.log).toEqual([]);
    expect(sent.at(-1)).toBe("ROLLBACK");
  });

  it("replays the same sequence from the same seed", () => {
    const a = seeded(42);
    const b = seeded(42);
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
