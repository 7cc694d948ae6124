import { describe, expect, it } from "vitest";
import { cdcTableOf, sinkKindOf } from "./cdc-topics.js";
import { ColumnMarkers, type MarkerStore } from "./column-markers.js";

/** An object store in memory, recording its calls. */
function memoryStore(keys: string[] = []) {
  const objects = new Set(keys);
  const calls: string[] = [];
  let failList = 0;
  const store: MarkerStore = {
    async list(prefix) {
      calls.push(`list ${prefix}`);
      if (failList-- > 0) throw new Error("S3 down");
      return [...objects].filter((k) => k.startsWith(prefix));
    },
    async putIfAbsent(key) {
      calls.push(`put ${key}`);
      objects.add(key);
    },
  };
  return { store, objects, calls, failListOnce: () => (failList = 1) };
}

describe("ColumnMarkers", () => {
  it("writes a marker once per column beyond the table's base columns, and reports the new ones", async () => {
    const { store, calls } = memoryStore(["raw/db.products/_columns/weight"]);
    const added: string[][] = [];
    const markers = new ColumnMarkers(store, "raw/", (_topic, columns) => added.push([...columns]));
    await markers.ensure("db.products", ["product_id", "name", "weight", "color"]);
    await markers.ensure("db.products", ["product_id", "color", "size (cm)"]);
    expect(calls).toEqual([
      "list raw/db.products/_columns/",
      "put raw/db.products/_columns/color",
      "put raw/db.products/_columns/size%20(cm)",
    ]);
    expect(added).toEqual([["color"], ["size (cm)"]]);
    expect((await markers.columns("db.products")).sort()).toEqual(["color", "size (cm)", "weight"]);
  });

  it("finds the columns an earlier run marked (a restart between a file's upload and its ALTER)", async () => {
    const first = memoryStore();
    await new ColumnMarkers(first.store, "raw/").ensure("it1-db.users", ["user_id", "nickname"]);
    const restarted = new ColumnMarkers(memoryStore([...first.objects]).store, "raw/");
    expect(await restarted.columns("it1-db.users")).toEqual(["nickname"]);
  });

  it("lists again after a failed listing", async () => {
    const { store, failListOnce } = memoryStore(["raw/db.orders/_columns/note"]);
    failListOnce();
    const markers = new ColumnMarkers(store, "raw/");
    await expect(markers.columns("db.orders")).rejects.toThrow("S3 down");
    expect(await markers.columns("db.orders")).toEqual(["note"]);
  });
});

describe("CDC topics", () => {
  it("are db.<table>, prefixed or not, and win over the event topic they end like", () => {
    expect(cdcTableOf("db.order_items")).toBe("order_items");
    expect(cdcTableOf("it42-db.orders")).toBe("orders");
    expect(cdcTableOf("mydb.orders")).toBeUndefined();
    expect(cdcTableOf("db.user-events")).toBeUndefined();
    expect(sinkKindOf("db.orders")).toBe("cdc");
    expect(sinkKindOf("it42-orders")).toBe("orders");
    expect(sinkKindOf("db")).toBeUndefined();
  });
});
