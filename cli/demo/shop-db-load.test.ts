import { describe, expect, it } from "vitest";
import { generateShop } from "../../ingest/generator.js";
import { PRIMARY_KEY, SHOP_TABLE_NAMES } from "../../ingest/shop-db/mutations.js";
import { ShopDbFold } from "../../ingest/shop-db/shop-db-fold.js";
import { publishedEventOf } from "../../ingest/shop-db/shop-db-follower.js";
import {
  batches,
  clearSql,
  DEMO_ID_PATTERNS,
  DemoShopDbChanges,
  digestSql,
  sameDigest,
  transactionSql,
} from "./shop-db-load.js";

const SETTINGS = {
  events: 3_000,
  seed: 9,
  start: new Date("2026-01-05T00:00:00Z"),
  days: 2,
  duplicates: 0.02,
};

describe("the demo's shop database load", () => {
  it("folds exactly the changes the generator's --shop-db makes, passing every message through", () => {
    const changes = new DemoShopDbChanges(SETTINGS.seed);
    const passed = [...changes.tap(generateShop(SETTINGS).messages)];
    const fold = new ShopDbFold(SETTINGS.seed);
    const expected = [...generateShop(SETTINGS).messages].flatMap((m) => {
      const e = publishedEventOf(m);
      return e ? fold.add(e) : [];
    });
    expect(passed.length).toBe([...generateShop(SETTINGS).messages].length);
    expect(changes.mutations).toEqual(expected);
    expect(changes.counts).toEqual(fold.counts);
    expect(changes.counts.inserts).toBeGreaterThan(0);
  });

  it("owns every key the generator writes (and none of the tests' own ids)", () => {
    const changes = new DemoShopDbChanges(SETTINGS.seed);
    for (const _ of changes.tap(generateShop(SETTINGS).messages));
    const tables = new Set<string>();
    for (const m of changes.mutations) {
      const key = m.op === "insert" ? String(m.row[PRIMARY_KEY[m.table]]) : m.key;
      expect(key, m.table).toMatch(new RegExp(DEMO_ID_PATTERNS[m.table]));
      tables.add(m.table);
    }
    expect([...tables].sort()).toEqual([...SHOP_TABLE_NAMES].sort());
    // Ids the stack's tests and benchmarks use on the same tables.
    expect("p-cdcpg_mj3k2a9f1c").not.toMatch(new RegExp(DEMO_ID_PATTERNS.products));
    expect("benchcdcmj3k2a9f1c-17").not.toMatch(new RegExp(DEMO_ID_PATTERNS.inventory));
    expect("o-12-x").not.toMatch(new RegExp(DEMO_ID_PATTERNS.order_items));
  });

  it("locks the tables in the last transaction only, and reads the WAL position after its changes", () => {
    expect(transactionSql("UPDATE x;", false)).toBe("BEGIN;\nUPDATE x;\nCOMMIT;");
    const last = transactionSql("UPDATE x;", true).split("\n");
    expect(last[0]).toBe("BEGIN;");
    expect(last[1]).toBe(
      "LOCK TABLE users, products, inventory, orders, order_items IN SHARE ROW EXCLUSIVE MODE;",
    );
    expect(last.indexOf("UPDATE x;")).toBeLessThan(
      last.indexOf("SELECT pg_current_wal_insert_lsn()::text AS lsn;"),
    );
    expect(last.at(-1)).toBe("COMMIT;");
    const clear = clearSql();
    expect(clear).toContain("DELETE FROM order_items WHERE order_item_id ~ '^o-[0-9]+-[0-9]+$';");
    expect(clear).toContain("DELETE FROM users WHERE user_id ~ '^u-[0-9]+$';");
    expect(clear).toContain("LOCK TABLE");
  });

  it("digests the demo's rows of a table in key order, and compares digests table by table", () => {
    expect(digestSql("inventory")).toBe(
      "SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t.product_id)), '') AS md5 " +
        "FROM inventory AS t WHERE t.product_id ~ '^p-[0-9]+$'",
    );
    const d = Object.fromEntries(SHOP_TABLE_NAMES.map((t) => [t, { rows: 1, md5: t }]));
    expect(sameDigest(d, { ...d })).toBe(true);
    expect(sameDigest(d, { ...d, users: { rows: 1, md5: "other" } })).toBe(false);
    expect(sameDigest(d, { ...d, orders: { rows: 2, md5: "orders" } })).toBe(false);
  });

  it("splits changes into transactions of at most the batch size, in order", () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([], 2)).toEqual([]);
  });
});
