import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateShop } from "./generator.js";
import { topicMessageCount, uniqueRun } from "./int-helpers.js";
import { defaultTopicNames, publishShopRun } from "./producer.js";
import { MemoryShopDb } from "./shop-db/memory-writer.js";
import { SHOP_TABLE_NAMES } from "./shop-db/mutations.js";
import { pgShopDb, shopDbUrl } from "./shop-db/pg-writer.js";
import { LOW_STOCK_THRESHOLD, ShopDbFold } from "./shop-db/shop-db-fold.js";
import { publishedEventOf } from "./shop-db/shop-db-follower.js";
import { round2 } from "./shop-ledger.js";

/**
 * `floe ingest generate --shop-db` against the real Kafka and the stack's shop PostgreSQL (FLOE_SHOP_DB_URL
 * or 127.0.0.1:5433). Each run writes into its own PostgreSQL schema (the tables created there from
 * stack/postgres/shop-schema.sql), so it neither sees nor feeds the `shop` tables the CDC connector reads.
 */
const BASE_URL = shopDbUrl(true);
const admin = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 5_000 });
const schemas: string[] = [];

function schemaUrl(schema: string): string {
  const url = new URL(BASE_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

async function freshSchema(label: string): Promise<string> {
  const schema = `${label}_${Date.now().toString(36)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  return schema;
}

async function rows<T>(sql: string): Promise<T[]> {
  return (await admin.query(sql)).rows as T[];
}

beforeAll(async () => {
  await admin.connect();
});

afterAll(async () => {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => {});
  await admin.end();
});

describe("the generator writes the shop database", () => {
  it("agrees with the ledger: orders, revenue, per-product stock", { timeout: 120_000 }, async () => {
    const schema = await freshSchema("shopgen");
    const run = uniqueRun("shopdb");
    const options = {
      events: 8_000,
      seed: 17,
      start: new Date("2026-03-01T00:00:00Z"),
      days: 3,
      duplicates: 0.02,
      late: 0.02,
      malformed: 0.005,
    };
    const writer = pgShopDb(schemaUrl(schema));
    const outcome = await publishShopRun({
      ...options,
      topics: defaultTopicNames(run.topicPrefix),
      shopDb: writer,
    }).finally(() => writer.close());
    expect(outcome.state).toBe("complete");
    const ledger = outcome.ledger;

    const orders = await rows<{ order_id: string; status: string; amount: string; user_id: string }>(
      `SELECT order_id, status, amount::text, user_id FROM ${schema}.orders`,
    );
    expect(orders).toHaveLength(ledger.orders.length);
    const byId = new Map(orders.map((o) => [o.order_id, o]));
    for (const o of ledger.orders) {
      expect(byId.get(o.order_id)).toEqual({
        order_id: o.order_id,
        status: o.status,
        amount: o.amount.toFixed(2),
        user_id: o.customer_id,
      });
    }
    const [paid] = await rows<{ revenue: string }>(
      `SELECT coalesce(sum(amount), 0)::text AS revenue FROM ${schema}.orders WHERE status IN ('paid', 'shipped')`,
    );
    const ledgerRevenue = Object.values(ledger.revenueByDay).reduce((s, v) => round2(s + v), 0);
    expect(Number(paid?.revenue)).toBeCloseTo(ledgerRevenue, 2);

    // Per-product stock from the event stream alone: created stock minus what was purchased. A product that
    // never fell under its threshold was never clamped nor restocked, so the database must hold exactly that.
    const implied = new Map<string, number>();
    for (const m of generateShop(options).messages) {
      const e = publishedEventOf(m)?.event;
      if (e?.event_type === "product_created") implied.set(String(e.product_id), Number(e.stock_quantity));
      if (e?.event_type === "purchase") {
        const id = String(e.product_id);
        implied.set(id, (implied.get(id) ?? 0) - Number(e.quantity));
      }
    }
    const stock = await rows<{ product_id: string; quantity: number }>(
      `SELECT product_id, quantity FROM ${schema}.inventory`,
    );
    expect(stock).toHaveLength(ledger.products);
    const untouched = stock.filter((s) => (implied.get(s.product_id) ?? 0) >= LOW_STOCK_THRESHOLD);
    expect(untouched.length).toBeGreaterThan(ledger.products / 2);
    for (const s of untouched) expect(s.quantity).toBe(implied.get(s.product_id));

    // And every table is exactly what the fold of the stream implies (the writer loses and adds nothing).
    const expected = new MemoryShopDb();
    const fold = new ShopDbFold(options.seed);
    for (const m of generateShop(options).messages) {
      const e = publishedEventOf(m);
      if (e) await expected.apply(fold.add(e));
    }
    for (const table of SHOP_TABLE_NAMES) {
      const [count] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.${table}`);
      expect(count?.n, table).toBe(expected.rows(table).length);
    }
    const users = await rows<{ user_id: string; email: string }>(
      `SELECT user_id, email FROM ${schema}.users`,
    );
    const expectedEmails = new Map(expected.rows("users").map((u) => [u.user_id, u.email]));
    for (const u of users) expect(u.email).toBe(expectedEmails.get(u.user_id));
    expect(outcome.shopDb?.erasures).toBeGreaterThan(0);
  });

  it("in real time, stamps the database's rows with the events' wall-clock times", {
    timeout: 120_000,
  }, async () => {
    const schema = await freshSchema("shoprt");
    const run = uniqueRun("shopdbrt");
    const writer = pgShopDb(schemaUrl(schema));
    const began = Date.now();
    const outcome = await publishShopRun({
      events: 0,
      realtime: true,
      rate: 400,
      durationMs: 3_000,
      topics: defaultTopicNames(run.topicPrefix),
      shopDb: writer,
    }).finally(() => writer.close());
    const ended = Date.now();
    expect(outcome.published).toBe(1_200);
    const [range] = await rows<{ first: Date; last: Date; n: number }>(
      `SELECT min(created_at) AS first, max(updated_at) AS last, count(*)::int AS n FROM ${schema}.users`,
    );
    expect(range?.n).toBeGreaterThan(0);
    expect(range?.first.getTime()).toBeGreaterThanOrEqual(began - 1_000);
    expect(range?.last.getTime()).toBeLessThanOrEqual(ended + 1_000);
    const [orders] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.orders`);
    expect(orders?.n).toBe(outcome.ledger.orders.length);
  });

  it("fails with a typed, retriable error before publishing when the database is down", async () => {
    const run = uniqueRun("shopdbdown");
    const writer = pgShopDb("postgres://floe:floe-local-secret@127.0.0.1:1/shop");
    const error = await publishShopRun({
      events: 100,
      topics: defaultTopicNames(run.topicPrefix),
      shopDb: writer,
    })
      .catch((e: unknown) => e)
      .finally(() => writer.close());
    expect(error).toMatchObject({ code: "SHOP_DB_UNREACHABLE", retriable: true });
    expect((error as Error).message).toContain("127.0.0.1:1");
    expect(await topicMessageCount(run.topics[0] as string).catch(() => 0)).toBe(0);
  });
});
