import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_TABLES } from "../../ingest/cdc/cdc-topics.js";
import { generateShop } from "../../ingest/generator.js";
import { createCdcTableSql, DEFAULT_RAW_TARGET } from "../../ingest/raw-tables.js";
import { MemoryShopDb } from "../../ingest/shop-db/memory-writer.js";
import { PRIMARY_KEY, type Row, SHOP_TABLE_NAMES, type ShopTable } from "../../ingest/shop-db/mutations.js";
import { ShopDbFold } from "../../ingest/shop-db/shop-db-fold.js";
import { publishedEventOf } from "../../ingest/shop-db/shop-db-follower.js";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { informationSchema, quoteIdentifier, quoteString } from "../../trino/dialect.js";
import type { ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import * as shop from "./shop-pipeline.js";

/**
 * The shop with its database (var shop_db), built in Trino: the events go through Kafka and the sink as
 * always; the database's changes are those the generator writes (`ShopDbFold` over the same events),
 * landed in raw CDC tables made by the sink's own DDL (`createCdcTableSql`; this test stands in for
 * Debezium and the sink's CDC path). Then: no plain e-mail in any varchar column of the marts, dim_customers' hashes are the salted
 * SHA-256 of each live user's current address and stable across builds, erased users are absent, a user
 * deleted between two builds disappears, and fct_inventory_db holds the database's stock.
 */
const id = uniqueName("shoppii");
const ns = shop.isolatedNamespace(id);
const quiet: RunLogger = { event: () => {} };
const trino = localTrino();
const SEED = 5;
const SALT = "floe-shop";
const MARTS = ["dim_customers", "fct_orders", "dim_products", "fct_inventory", "fct_inventory_db"];
const COLUMNS: Record<ShopTable, readonly string[]> = SHOP_TABLES;
/** The raw CDC tables exactly as the sink creates them, in the namespace's raw schema and S3 prefix. */
const rawTarget = () => ({ ...DEFAULT_RAW_TARGET, schema: ns.rawSchema, prefix: ns.s3Prefix });

interface RawChange {
  readonly op: "c" | "u" | "d";
  readonly row: Row;
  readonly at: string;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const keyOf = (userId: string) => sha(`${SALT}${userId}`);
const raw = (table: string) => `hive.${quoteIdentifier(ns.rawSchema)}.${quoteIdentifier(`db_${table}`)}`;
const text = (v: unknown) => (v === null || v === undefined ? "null" : quoteString(String(v)));

let project: ParsedProject;
let lsn = 0;
const db = new MemoryShopDb();
const everEmail = new Set<string>();
let erased: string[] = [];
let firstHashes = new Map<string, string | null>();

async function insertChanges(table: ShopTable, changes: readonly RawChange[]): Promise<void> {
  const columns = [
    ...COLUMNS[table],
    ..."_op _lsn _tx_id _commit_ts _cdc_ts _snapshot _kafka_partition _kafka_offset _ingested_at event_date".split(
      " ",
    ),
  ];
  for (let i = 0; i < changes.length; i += 400) {
    const values = changes.slice(i, i + 400).map((c) => {
      lsn++;
      const ts = `from_iso8601_timestamp(${quoteString(c.at)}) at time zone 'UTC'`;
      const own = COLUMNS[table].map((col) => text(c.row[col]));
      return `(${[...own, quoteString(c.op), lsn, lsn, `cast(${ts} as timestamp(3))`, `cast(${ts} as timestamp(3))`, "false", 0, lsn, "current_timestamp", quoteString(c.at.slice(0, 10))].join(", ")})`;
    });
    await trino.query(
      `INSERT INTO ${raw(table)} (${columns.map(quoteIdentifier).join(", ")}) VALUES ${values.join(", ")}`,
    );
  }
}

async function build(): Promise<void> {
  const models = shop.upstreamModels(project, MARTS);
  const result = await shop.buildShop(project, { logger: quiet, models });
  // An erased customer's orders keep their key: the relationships test to dim_customers warns by design.
  expect(shop.unsuccessful(result).filter((line) => !line.includes(": warn "))).toEqual([]);
}

async function customerHashes(): Promise<Map<string, string | null>> {
  const { rows } = await trino.query<{ customer_key: string; email_hash: string | null }>(
    `select customer_key, email_hash from ${shop.martRelation(project, "dim_customers")}`,
  );
  return new Map(rows.map((r) => [r.customer_key, r.email_hash]));
}

beforeAll(async () => {
  const { messages } = generateShop({
    events: 4_000,
    seed: SEED,
    start: new Date("2026-03-01T00:00:00Z"),
    days: 1,
  });
  const all = [...messages];
  await shop.loadMessages(ns, all, trino);

  // The database's changes, as Debezium would carry them: the after image, or the before image of a delete.
  const fold = new ShopDbFold(SEED);
  const changes = new Map<ShopTable, RawChange[]>(SHOP_TABLE_NAMES.map((t) => [t, []]));
  for (const m of all) {
    const e = publishedEventOf(m);
    if (!e) continue;
    for (const mutation of fold.add(e)) {
      const table = db.tables.get(mutation.table) as Map<string, Row>;
      const key = mutation.op === "insert" ? String(mutation.row[PRIMARY_KEY[mutation.table]]) : mutation.key;
      const before = table.get(key);
      await db.apply([mutation]);
      const after = table.get(key);
      const row = mutation.op === "delete" ? before : after;
      if (!row) continue;
      if (mutation.table === "users") everEmail.add(String(row.email).toLowerCase());
      const op = mutation.op === "insert" ? "c" : mutation.op === "update" ? "u" : "d";
      changes.get(mutation.table)?.push({ op, row, at: String(e.event.event_time) });
    }
  }
  erased =
    changes
      .get("users")
      ?.filter((c) => c.op === "d")
      .map((c) => String(c.row.user_id)) ?? [];
  for (const table of SHOP_TABLE_NAMES) {
    await trino.query(createCdcTableSql(rawTarget(), `db.${table}`));
    await insertChanges(table, changes.get(table) ?? []);
  }
  project = shop.loadShopDbProject(process.cwd(), ns);
  await build();
  firstHashes = await customerHashes();
}, 1_200_000);

afterAll(async () => {
  for (const table of SHOP_TABLE_NAMES)
    await trino.query(`DROP TABLE IF EXISTS ${raw(table)}`).catch(() => {});
  if (project) await shop.dropShopNamespace(ns, [project], trino);
}, 300_000);

describe("the shop's marts with its database", () => {
  it("hold no plain e-mail in any varchar column", async () => {
    const emails = [...everEmail].map(quoteString).join(", ");
    for (const mart of MARTS) {
      const relation = Object.values(project.manifest.nodes).find((n) => n.name === mart);
      if (relation?.resource_type !== "model") throw new Error(mart);
      const r = relation.relation;
      const { rows: columns } = await trino.query<{ column_name: string }>(
        `select column_name from ${informationSchema(r.catalog, "columns")}
         where table_schema = ${quoteString(r.schema)} and table_name = ${quoteString(r.identifier)}
           and data_type like 'varchar%'`,
      );
      for (const { column_name } of columns) {
        const c = quoteIdentifier(column_name);
        const { rows } = await trino.query<{ n: number }>(
          `select count(*) as n from ${shop.martRelation(project, mart)}
           where lower(trim(${c})) in (${emails}) or regexp_like(${c}, '^[^*@]+@')`,
        );
        expect(Number(rows[0]?.n), `${mart}.${column_name}`).toBe(0);
      }
    }
  });

  it("hash each live user's current address, and leave erased users out", async () => {
    expect(erased.length).toBeGreaterThan(0);
    const users = db.rows("users");
    for (const u of users) {
      expect(firstHashes.get(keyOf(String(u.user_id)))).toBe(
        sha(`${SALT}${String(u.email).trim().toLowerCase()}`),
      );
    }
    for (const userId of erased) expect(firstHashes.has(keyOf(userId))).toBe(false);
  });

  it("keep the database's stock, flagged low below each product's threshold", async () => {
    const { rows } = await trino.query<{ product_id: string; quantity: number; is_low_stock: boolean }>(
      `select product_id, quantity, is_low_stock from ${shop.martRelation(project, "fct_inventory_db")}`,
    );
    const expected = db.rows("inventory").map((r) => ({
      product_id: r.product_id,
      quantity: r.quantity,
      is_low_stock: Number(r.quantity) < Number(r.low_stock_threshold),
    }));
    expect(rows.map((r) => ({ ...r })).sort((a, b) => a.product_id.localeCompare(b.product_id))).toEqual(
      expected.sort((a, b) => String(a.product_id).localeCompare(String(b.product_id))),
    );
  });

  it("drop a user the database deletes on the next build, every other hash unchanged", async () => {
    const victim = db.rows("users")[0] as Row;
    const victimKey = keyOf(String(victim.user_id));
    expect(firstHashes.has(victimKey)).toBe(true);
    await insertChanges("users", [{ op: "d", row: victim, at: "2026-03-02T12:00:00.000Z" }]);
    await build();
    const after = await customerHashes();
    expect(after.has(victimKey)).toBe(false);
    const rest = new Map([...firstHashes].filter(([k]) => k !== victimKey));
    expect(after).toEqual(rest);
  });
});
