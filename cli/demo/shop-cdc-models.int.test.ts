import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_TABLES } from "../../ingest/cdc/cdc-topics.js";
import { addCdcColumnSql, createCdcTableSql, DEFAULT_RAW_TARGET } from "../../ingest/raw-tables.js";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { quoteIdentifier, quoteString } from "../../trino/dialect.js";
import type { ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import * as shop from "./shop-pipeline.js";

/**
 * The shop database's CDC models (var shop_db) built in the real Trino over raw CDC tables made by the
 * sink's own DDL (`createCdcTableSql`, `addCdcColumnSql`: row columns varchar, then the envelope): a scripted sequence
 * of changes — inserts, a snapshot read, updates, a change delivered twice, a delete, a re-insert — gives
 * the current state and SCD2 history it should, and a column the database gains (`color`) reaches staging
 * on the next build with nothing else changed. (Tables in the warehouse store timestamps as timestamp(6).)
 */
const id = uniqueName("shopcdc");
const ns = shop.isolatedNamespace(id);
const quiet: RunLogger = { event: () => {} };
const trino = localTrino();
const raw = (table: string) => `hive.${quoteIdentifier(ns.rawSchema)}.${quoteIdentifier(`db_${table}`)}`;
const MODELS = ["stg_db_users", "stg_db_users_history", "stg_db_products", "stg_db_products_history"];
let project: ParsedProject;

/** The raw CDC tables exactly as the sink creates them, in the namespace's raw schema and S3 prefix. */
const rawTarget = () => ({ ...DEFAULT_RAW_TARGET, schema: ns.rawSchema, prefix: ns.s3Prefix });

async function createRawTable(table: "users" | "products"): Promise<void> {
  await trino.query(createCdcTableSql(rawTarget(), `db.${table}`));
}

/** One change as the sink writes it: [row values], op, lsn, offset, commit time (2026-03-01 hh:mm:ss). */
type Change = readonly [readonly (string | null)[], string, number, number, string];

async function insertChanges(table: string, columns: readonly string[], changes: readonly Change[]) {
  const literal = (v: string | null) => (v === null ? "null" : quoteString(v));
  const rows = changes.map(([values, op, lsn, offset, time]) => {
    const ts = `timestamp '2026-03-01 ${time}'`;
    return `(${[...values.map(literal), quoteString(op), "null", lsn, lsn, ts, ts, op === "r" ? "true" : "false", 0, offset, ts, "'2026-03-01'"].join(", ")})`;
  });
  await trino.query(
    `INSERT INTO ${raw(table)} (${[...columns, ..."_op _before _lsn _tx_id _commit_ts _cdc_ts _snapshot _kafka_partition _kafka_offset _ingested_at event_date".split(" ")].map(quoteIdentifier).join(", ")}) VALUES ${rows.join(", ")}`,
  );
}

const USERS = SHOP_TABLES.users;
const user = (idValue: string, email: string): (string | null)[] => [
  idValue,
  email,
  "Ada Lovelace",
  "GB",
  "web",
  "2026-03-01T08:00:00Z",
  "2026-03-01T08:00:00Z",
];
const PRODUCTS = SHOP_TABLES.products;
const product = (idValue: string, price: string) => [
  idValue,
  `item ${idValue}`,
  "books",
  price,
  "true",
  "2026-03-01T08:00:00Z",
];

async function build(): Promise<void> {
  const result = await shop.buildShop(project, { logger: quiet, models: MODELS });
  expect(shop.unsuccessful(result)).toEqual([]);
}

async function rows(model: string, columns: string, order: string): Promise<Record<string, unknown>[]> {
  const { rows: out } = await trino.query<Record<string, unknown>>(
    `select ${columns} from ${shop.martRelation(project, model)} order by ${order}`,
  );
  return out.map((r) => ({ ...r }));
}

beforeAll(async () => {
  await trino.query(`CREATE SCHEMA IF NOT EXISTS hive.${quoteIdentifier(ns.rawSchema)}`);
  await createRawTable("users");
  await createRawTable("products");
  await insertChanges("users", USERS, [
    [user("u3", "snap@example.com"), "r", 50, 0, "08:00:00"],
    [user("u1", "Ada.Lovelace1@Example.com"), "c", 100, 1, "09:00:00"],
    [user("u2", "grace@example.org"), "c", 110, 2, "09:10:00"],
    [user("u1", "ada.new@example.net"), "u", 200, 3, "10:00:00"],
    // Debezium delivered the update again after a restart: the same LSN at a later offset.
    [user("u1", "ada.new@example.net"), "u", 200, 9, "10:00:00"],
    [user("u2", "grace@example.org"), "d", 300, 4, "11:00:00"],
    [user("u2", "grace.back@example.org"), "c", 400, 5, "12:00:00"],
  ]);
  await insertChanges("products", PRODUCTS, [
    [product("p1", "10.00"), "c", 100, 0, "09:00:00"],
    [product("p1", "12.50"), "u", 200, 1, "10:00:00"],
    [product("p2", "5.00"), "c", 110, 2, "09:30:00"],
    [product("p2", "5.00"), "d", 300, 3, "11:00:00"],
  ]);
  project = shop.loadShopDbProject(process.cwd(), ns);
  await build();
}, 600_000);

afterAll(async () => {
  for (const table of ["users", "products"])
    await trino.query(`DROP TABLE IF EXISTS ${raw(table)}`).catch(() => {});
  if (project) await shop.dropShopNamespace(ns, [project], trino);
}, 300_000);

describe("the shop database's CDC models in Trino", () => {
  it("current state: the latest change per key, deletes applied, a re-insert back, a repeat counted once", async () => {
    expect(await rows("stg_db_users", "user_id, email, _op", "user_id")).toEqual([
      { user_id: "u1", email: "ada.new@example.net", _op: "u" },
      { user_id: "u2", email: "grace.back@example.org", _op: "c" },
      { user_id: "u3", email: "snap@example.com", _op: "r" },
    ]);
    expect(await rows("stg_db_products", "product_id, price", "product_id")).toEqual([
      { product_id: "p1", price: "12.50" },
    ]);
  });

  it("history: valid_from / valid_to from the changes' commit times, a delete closing a version", async () => {
    const history = await rows(
      "stg_db_users_history",
      "user_id, email, cast(valid_from as varchar) as valid_from, cast(valid_to as varchar) as valid_to, is_current",
      "user_id, valid_from",
    );
    expect(history).toEqual([
      {
        user_id: "u1",
        email: "Ada.Lovelace1@Example.com",
        valid_from: "2026-03-01 09:00:00.000000",
        valid_to: "2026-03-01 10:00:00.000000",
        is_current: false,
      },
      {
        user_id: "u1",
        email: "ada.new@example.net",
        valid_from: "2026-03-01 10:00:00.000000",
        valid_to: null,
        is_current: true,
      },
      {
        user_id: "u2",
        email: "grace@example.org",
        valid_from: "2026-03-01 09:10:00.000000",
        valid_to: "2026-03-01 11:00:00.000000",
        is_current: false,
      },
      {
        user_id: "u2",
        email: "grace.back@example.org",
        valid_from: "2026-03-01 12:00:00.000000",
        valid_to: null,
        is_current: true,
      },
      {
        user_id: "u3",
        email: "snap@example.com",
        valid_from: "2026-03-01 08:00:00.000000",
        valid_to: null,
        is_current: true,
      },
    ]);
  });

  it("a column the database gains reaches staging on the next build, older versions reading NULL", async () => {
    // What the sink does when Debezium's messages gain the column: ALTER TABLE … ADD COLUMN on the raw table.
    await trino.query(addCdcColumnSql(rawTarget(), "db.products", "color"));
    await insertChanges(
      "products",
      [...PRODUCTS, "color"],
      [[[...product("p3", "7.00"), "red"], "c", 500, 4, "13:00:00"]],
    );
    await build();
    expect(await rows("stg_db_products", "product_id, price, color", "product_id")).toEqual([
      { product_id: "p1", price: "12.50", color: null },
      { product_id: "p3", price: "7.00", color: "red" },
    ]);
    const history = await rows(
      "stg_db_products_history",
      "product_id, color, is_current",
      "product_id, valid_from",
    );
    expect(history.map((r) => r.color)).toEqual([null, null, null, "red"]);
  });
});
