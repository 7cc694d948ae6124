import { describe, expect, it } from "vitest";
import { endpointsFromEnv, kafkaClient } from "../../ingest/endpoints.js";
import { readTopic } from "../../ingest/int-helpers.js";
import { shopDbUrl } from "../../ingest/shop-db/pg-writer.js";
import { uniqueName } from "../../testing/local-stack.js";
import { checkCdcAvailable, startGroupAtEnd, waitForCdc, withShopDb, writeChanges } from "./shop-db-load.js";

/**
 * The demo's delivery wait on the stack's shop PostgreSQL and Debezium connector: once `waitForCdc` returns
 * for a write's WAL position, every change of the write is already in its `db.<table>` topic (read right
 * then, with no waiting). The row's id is outside the demo's id space, so a demo running meanwhile leaves
 * it alone. Needs `floe stack up` (PostgreSQL, Kafka Connect): without them it fails.
 */
const URL = shopDbUrl(undefined);

describe("the demo's shop database load on the stack", () => {
  it("finds the CDC path available", async () => {
    await checkCdcAvailable(URL);
  });

  it("returns from the delivery wait only when the write's changes are in Kafka", {
    timeout: 240_000,
  }, async () => {
    const id = `${uniqueName("cdcwait")}-1`;
    const row = { product_id: id, name: "Lamp", category: "home", price: "12.50", is_active: true };
    try {
      await withShopDb(URL, async (client) => {
        const lsn = await writeChanges(client, [
          { op: "insert", table: "products", row: { ...row, updated_at: "2026-03-01T10:00:00Z" } },
          {
            op: "update",
            table: "products",
            key: id,
            set: { price: "14.00", updated_at: "2026-03-01T11:00:00Z" },
          },
          {
            op: "update",
            table: "products",
            key: id,
            set: { is_active: false, updated_at: "2026-03-01T12:00:00Z" },
          },
        ]);
        expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
        await waitForCdc(client, lsn as string, { timeoutMs: 120_000 });
      });
      const mine = (await readTopic("db.products", (m) => JSON.parse(m.value?.toString() ?? "null"))).filter(
        (v) => (v?.after ?? v?.before)?.product_id === id,
      );
      expect(mine.map((v) => [v.op, v.after.price, v.after.is_active])).toEqual([
        ["c", "12.50", true],
        ["u", "14.00", true],
        ["u", "14.00", false],
      ]);
    } finally {
      await withShopDb(URL, (client) => client.query("DELETE FROM products WHERE product_id = $1", [id]));
    }
  });

  it("starts a consumer group on Debezium's topics at their ends", { timeout: 60_000 }, async () => {
    const group = uniqueName("cdcgroup");
    await startGroupAtEnd(group);
    const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets("db.products");
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: ["db.products"] });
      // Others may write meanwhile: the group starts at most at the end it read.
      for (const p of committed?.partitions ?? []) {
        const end = ends.find((e) => e.partition === p.partition);
        expect(BigInt(p.offset)).toBeGreaterThan(0n);
        expect(BigInt(p.offset)).toBeLessThanOrEqual(BigInt(end?.high ?? "0"));
      }
      expect(committed?.partitions.length).toBe(ends.length);
      await admin.deleteGroups([group]);
    } finally {
      await admin.disconnect();
    }
  });
});
