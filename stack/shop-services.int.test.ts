import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName } from "../testing/local-stack.js";
import { stackStatus } from "./launcher.js";
import { PORTS, redisUrl, SHOP_DB, shopDbUrl } from "./services.js";
import { teardownCdc } from "./shop-db.js";

/**
 * The shop's services of issue 14 on the real local stack (started by the integration setup): PostgreSQL
 * ready for logical decoding, Debezium turning a committed row into a message on db.<table>, Redis.
 */

const shop = new pg.Client({ connectionString: shopDbUrl() });
const admin = () =>
  new pg.Client({
    connectionString: `postgres://${SHOP_DB.superuser}:${SHOP_DB.password}@127.0.0.1:${PORTS.postgres}/postgres`,
  });

afterAll(async () => {
  await shop.end().catch(() => {});
});

interface Envelope {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: { lsn: number; txId: number; ts_ms: number; snapshot: string; table: string };
  op: string;
  ts_ms: number;
}

/**
 * Reads `topic` from the start and collects the messages with `key` (value null for a tombstone) until
 * `count` have arrived (and 3 s more) or the deadline passes.
 */
async function messagesFor(topic: string, key: Record<string, string>, count: number, timeoutMs: number) {
  const kafka = new Kafka({
    clientId: "floe-shop-services-test",
    brokers: [`127.0.0.1:${PORTS.kafka}`],
    logLevel: logLevel.NOTHING,
  });
  // Debezium creates a table's topic at its first change: on a fresh stack the topic may appear only a
  // moment after the commit, and subscribing before that fails at once.
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: uniqueName("shop-services") });
  const found: (Envelope | null)[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (JSON.stringify(JSON.parse(String(message.key))) !== JSON.stringify(key)) return;
          found.push(message.value === null ? null : (JSON.parse(String(message.value)) as Envelope));
          if (found.length === count) {
            // Linger a little, so that anything following (a tombstone) is seen too.
            clearTimeout(timer);
            setTimeout(resolve, 3_000);
          }
        },
      });
    });
    return found;
  } finally {
    await consumer.disconnect();
  }
}

describe("the shop's services", () => {
  it("lists PostgreSQL, Redis and Connect as healthy stack services", async () => {
    const statuses = await stackStatus();
    for (const name of ["postgres", "redis", "connect"]) {
      expect(statuses.find((s) => s.name === name)?.state, name).toBe("healthy");
    }
  });

  it("runs PostgreSQL on 5433 with wal_level=logical, the five tables and the publication", async () => {
    await shop.connect();
    const wal = await shop.query<{ wal_level: string }>("SHOW wal_level");
    expect(wal.rows[0]?.wal_level).toBe("logical");
    const tables = await shop.query<{ table_name: string; relreplident: string }>(
      `SELECT t.table_name, c.relreplident FROM information_schema.tables t
       JOIN pg_class c ON c.relname = t.table_name AND c.relnamespace = 'public'::regnamespace
       WHERE t.table_schema = 'public' ORDER BY t.table_name`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([...SHOP_DB.tables]));
    // 'f' = REPLICA IDENTITY FULL: updates and deletes carry the whole before-image.
    for (const row of tables.rows.filter((r) => (SHOP_DB.tables as readonly string[]).includes(r.table_name)))
      expect(row.relreplident, row.table_name).toBe("f");
    const published = await shop.query<{ tablename: string }>(
      "SELECT tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY tablename",
      [SHOP_DB.publication],
    );
    expect(published.rows.map((r) => r.tablename)).toEqual([...SHOP_DB.tables].sort());
  });

  it("turns INSERT, UPDATE and DELETE on products into Debezium's envelopes on topic db.products", async () => {
    const id = uniqueName("p-test");
    await shop.query(
      "INSERT INTO products (product_id, name, category, price, is_active, updated_at) VALUES ($1, 'Test lamp', 'test', 12.5, true, now())",
      [id],
    );
    await shop.query("UPDATE products SET price = 13, is_active = false WHERE product_id = $1", [id]);
    await shop.query("DELETE FROM products WHERE product_id = $1", [id]);
    const [created, updated, deleted, ...more] = await messagesFor(
      "db.products",
      { product_id: id },
      3,
      60_000,
    );

    expect(created?.op).toBe("c");
    expect(created?.before).toBeNull();
    // numeric arrives as a string (decimal.handling.mode=string), the boolean as a boolean.
    expect(created?.after).toMatchObject({
      product_id: id,
      name: "Test lamp",
      price: "12.50",
      is_active: true,
    });
    expect(created?.source).toMatchObject({ table: "products", snapshot: "false" });
    expect(typeof created?.source.lsn).toBe("number");
    expect(typeof created?.source.txId).toBe("number");
    expect(typeof created?.source.ts_ms).toBe("number");

    // REPLICA IDENTITY FULL: the update and the delete carry the whole before-image.
    expect(updated?.op).toBe("u");
    expect(updated?.before).toMatchObject({
      product_id: id,
      price: "12.50",
      is_active: true,
      name: "Test lamp",
    });
    expect(updated?.after).toMatchObject({ product_id: id, price: "13.00", is_active: false });
    expect(deleted?.op).toBe("d");
    expect(deleted?.after).toBeNull();
    expect(deleted?.before).toMatchObject({ product_id: id, price: "13.00", category: "test" });
    expect(created!.source.lsn < updated!.source.lsn && updated!.source.lsn < deleted!.source.lsn).toBe(true);
    // tombstones.on.delete=false: nothing follows the delete.
    expect(more).toEqual([]);
  });

  it("drops a slot and a publication with the CDC teardown, and says when they are absent", async () => {
    const db = uniqueName("teardown");
    const names = { slot: uniqueName("slot"), publication: uniqueName("pub") };
    const root = admin();
    await root.connect();
    await root.query(`CREATE DATABASE ${db}`);
    const url = `postgres://${SHOP_DB.superuser}:${SHOP_DB.password}@127.0.0.1:${PORTS.postgres}/${db}`;
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("CREATE TABLE t (id int PRIMARY KEY)");
      await client.query(`CREATE PUBLICATION ${names.publication} FOR TABLE t`);
      await client.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [names.slot]);
      expect(await teardownCdc(url, names)).toEqual({ slot: "dropped", publication: "dropped" });
      const left = await client.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [
        names.slot,
      ]);
      expect(left.rowCount).toBe(0);
      expect(await teardownCdc(url, names)).toEqual({ slot: "absent", publication: "absent" });
    } finally {
      await client.end().catch(() => {});
      await root.query(`DROP DATABASE IF EXISTS ${db}`);
      await root.end();
    }
  });

  it("runs Redis on 6380, which answers PING", async () => {
    const redis = createClient({ url: redisUrl() });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe("PONG");
    } finally {
      redis.destroy();
    }
  });
});
