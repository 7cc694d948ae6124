import pg from "pg";
import { describe, expect, it } from "vitest";
import type { ParsedProject } from "../../cli/compile/compile.js";
import * as shop from "../../cli/demo/shop-pipeline.js";
import type { RunLogger } from "../../cli/log/events.js";
import { uniqueName } from "../../testing/local-stack.js";
import { SHOP_TABLES } from "../cdc/cdc-topics.js";
import { testTrino } from "../int-helpers.js";
import { runSink } from "../sink.js";
import {
  type CommittedTransaction,
  canonicalInstant,
  type ExpectedVersion,
  epochMicros,
  expectedHistory,
  normaliseRow,
  type TextRow,
} from "./db-compare.js";
import {
  databaseRows,
  deleteTestObjects,
  dropCdcRawTables,
  instantColumns,
  SHOP_DB_URL,
  startGroupAtEnd,
  waitForTransaction,
} from "./e2e-io.js";

/**
 * Issue 14 end to end on the real stack: a scripted sequence of transactions on the shop's PostgreSQL
 * (inserts, several updates of one row in one transaction, an e-mail change, a GDPR erasure, a delete and
 * a later re-insert of a key, a delete and re-insert in one transaction) → the stack's Debezium connector
 * (`shop-cdc`, topics `db.<table>`) → the sink (its own group started at the topics' ends, S3 prefix and
 * Hive schema) → `floe build` of the CDC staging models (var shop_db) in an isolated schema. Then, for this
 * run's keys only (the database is shared):
 * - `stg_db_<table>` equals `SELECT` from PostgreSQL, every contract column, deleted keys absent;
 * - `stg_db_<table>_history` holds one version per transaction that left the key existing, with the row
 *   that transaction committed (read inside it), valid_from = its commit time, valid_to = the commit time
 *   of the key's next transaction (null and is_current for the last), and each commit time — Debezium's
 *   `source.ts_ms`, milliseconds — lies between PostgreSQL's clock just before COMMIT and just after.
 * Types are compared as db-compare.ts says: the database's `::text` of each column, timestamptz as
 * canonical UTC instants.
 */

type Table = "users" | "products" | "orders";
const TABLES: readonly Table[] = ["users", "products", "orders"];
const COLUMNS: Record<Table, readonly string[]> = {
  users: SHOP_TABLES.users,
  products: SHOP_TABLES.products,
  orders: SHOP_TABLES.orders,
};
const MODELS = TABLES.flatMap((t) => [`stg_db_${t}`, `stg_db_${t}_history`]);
const quiet: RunLogger = { event: () => {} };

interface Statement {
  readonly table: Table;
  readonly key: string;
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The script: transactions of statements, each naming the key it changes. Ids are the run's. */
function script(id: string): Statement[][] {
  const [u1, u2, u3, u4] = [1, 2, 3, 4].map((n) => `${id}-u${n}`) as [string, string, string, string];
  const [p1, p2, p3] = [1, 2, 3].map((n) => `${id}-p${n}`) as [string, string, string];
  const o1 = `${id}-o1`;
  const user = (key: string, email: string, name: string, country: string, device: string | null) => ({
    table: "users" as const,
    key,
    sql: "INSERT INTO users (user_id, email, full_name, country, device, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now(), now())",
    params: [key, email, name, country, device],
  });
  const product = (key: string, name: string, category: string, price: string) => ({
    table: "products" as const,
    key,
    sql: "INSERT INTO products (product_id, name, category, price, is_active, updated_at) VALUES ($1, $2, $3, $4, true, now())",
    params: [key, name, category, price],
  });
  const update = (table: Table, key: string, set: string, ...values: unknown[]) => ({
    table,
    key,
    sql: `UPDATE ${table} SET ${set}, updated_at = clock_timestamp() WHERE ${COLUMNS[table][0]} = $1`,
    params: [key, ...values],
  });
  const remove = (table: Table, key: string) => ({
    table,
    key,
    sql: `DELETE FROM ${table} WHERE ${COLUMNS[table][0]} = $1`,
    params: [key],
  });
  return [
    [
      user(u1, "Ada.Lovelace@Example.com", "Ada Lovelace", "GB", "web"),
      user(u2, "grace@example.org", "Grace Hopper", "US", null),
      user(u3, "erase.me@example.net", "Erased Person", "DE", "ios"),
      user(u4, "linus@example.com", "Linus T", "FI", "android"),
      product(p1, "Lamp", "home", "12.5"),
      product(p2, "Desk", "office", "199.99"),
      {
        table: "orders",
        key: o1,
        sql: "INSERT INTO orders (order_id, user_id, status, amount, currency, country, created_at, updated_at) VALUES ($1, $2, 'created', 212.49, 'EUR', 'GB', now(), now())",
        params: [o1, u1],
      },
    ],
    // Several updates of the same rows in one transaction: one version each, the last state.
    [
      update("users", u1, "full_name = $2", "Ada King"),
      update("users", u1, "country = $2", "FR"),
      update("products", p1, "price = $2", "13.00"),
      update("products", p1, "price = $2, is_active = false", "14.25"),
      update("orders", o1, "status = $2", "paid"),
    ],
    // An e-mail change, a GDPR erasure, a delete of a key re-inserted later, an insert.
    [
      update("users", u1, "email = $2", "ada.king@example.net"),
      remove("users", u3),
      remove("users", u4),
      update("products", p2, "name = $2", "Standing desk"),
      product(p3, "Pen", "office", "1.20"),
    ],
    // The re-insert, a delete and re-insert in one transaction, a delete for good; every table, last.
    [
      user(u4, "linus.new@example.com", "Linus Torvalds", "FI", "web"),
      update("users", u2, "device = $2", "ios"),
      remove("products", p1),
      product(p1, "Lamp v2", "home", "15"),
      remove("products", p3),
      update("orders", o1, "status = $2", "shipped"),
    ],
  ];
}

interface Committed {
  readonly xid: string;
  readonly statements: readonly Statement[];
  /** PostgreSQL's clock just before COMMIT and just after it returned, µs since the epoch. */
  readonly window: readonly [number, number];
  readonly after: Record<Table, Map<string, TextRow>>;
}

async function commit(
  db: pg.Client,
  statements: readonly Statement[],
  instants: Record<Table, Set<string>>,
  idPrefix: string,
): Promise<Committed> {
  const clock = async () =>
    epochMicros((await db.query<{ t: string }>("SELECT clock_timestamp()::text AS t")).rows[0]?.t ?? "");
  await db.query("BEGIN");
  try {
    for (const s of statements) await db.query(s.sql, [...s.params]);
    const { rows } = await db.query<{ xid: string }>("SELECT pg_current_xact_id()::xid::text AS xid");
    const after = {} as Record<Table, Map<string, TextRow>>;
    for (const t of TABLES) after[t] = await databaseRows(db, t, COLUMNS[t], instants[t], idPrefix);
    const before = await clock();
    await db.query("COMMIT");
    return { xid: String(rows[0]?.xid), statements, window: [before, await clock()], after };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function staging(
  project: ParsedProject,
  model: string,
  select: string,
  key: string,
  idPrefix: string,
): Promise<Record<string, unknown>[]> {
  const { rows } = await testTrino.query<Record<string, unknown>>(
    `SELECT ${select} FROM ${shop.martRelation(project, model)}
     WHERE starts_with(${key}, '${idPrefix}') ORDER BY ${key}, _lsn`,
  );
  return rows;
}

describe("shop PostgreSQL → Debezium → sink → floe build", () => {
  it("staging equals the database, history has each transaction's commit time", {
    timeout: 900_000,
  }, async () => {
    const id = uniqueName("cdce2e");
    const ns = shop.isolatedNamespace(id);
    const idPrefix = `${id}-`;
    const db = new pg.Client({ connectionString: SHOP_DB_URL });
    await db.connect();
    const controller = new AbortController();
    let project: ParsedProject | undefined;
    let sink: Promise<unknown> | undefined;
    try {
      const topics = TABLES.map((t) => `db.${t}`);
      await startGroupAtEnd(ns.sinkGroup, topics);
      sink = runSink({
        topics,
        dlqTopic: shop.dlqOf(ns),
        prefix: ns.s3Prefix,
        groupId: ns.sinkGroup,
        hiveSchema: ns.rawSchema,
        trino: testTrino,
        flushIntervalMs: 1_000,
        metricsPort: null,
        signal: controller.signal,
      });
      const sinkStopped = sink.then(() => {
        throw new Error("the sink stopped before the test ended");
      });
      sinkStopped.catch(() => {});

      const instants = {} as Record<Table, Set<string>>;
      for (const t of TABLES) instants[t] = await instantColumns(db, t);
      const committed: Committed[] = [];
      for (const statements of script(id)) committed.push(await commit(db, statements, instants, idPrefix));
      const last = committed[committed.length - 1] as Committed;
      for (const t of TABLES)
        await Promise.race([waitForTransaction(ns.rawSchema, t, last.xid, 300_000), sinkStopped]);

      project = shop.loadShopDbProject(process.cwd(), ns);
      const build = await shop.buildShop(project, { logger: quiet, models: MODELS });
      expect(shop.unsuccessful(build)).toEqual([]);

      // Debezium's commit time of each transaction (raw _commit_ts), within PostgreSQL's clock around COMMIT.
      const commitTimes = new Map<string, string>();
      for (const t of TABLES) {
        const { rows } = await testTrino.query<{ xid: string; at: string }>(
          `SELECT DISTINCT cast(_tx_id AS varchar) AS xid, cast(_commit_ts AS varchar) AS at
             FROM hive.${ns.rawSchema}.db_${t} WHERE starts_with(${COLUMNS[t][0]}, '${idPrefix}')`,
        );
        for (const r of rows) {
          const at = canonicalInstant(r.at);
          expect(commitTimes.get(r.xid) ?? at, `one commit time for transaction ${r.xid}`).toBe(at);
          commitTimes.set(r.xid, at);
        }
      }
      expect([...commitTimes.keys()].sort()).toEqual(committed.map((c) => c.xid).sort());
      for (const c of committed) {
        const at = epochMicros(commitTimes.get(c.xid) ?? "");
        // source.ts_ms has milliseconds: widen PostgreSQL's microsecond window to whole milliseconds.
        expect(at, `commit time of ${c.xid}`).toBeGreaterThanOrEqual(Math.floor(c.window[0] / 1000) * 1000);
        expect(at, `commit time of ${c.xid}`).toBeLessThanOrEqual(Math.ceil(c.window[1] / 1000) * 1000);
      }

      for (const t of TABLES) {
        const key = COLUMNS[t][0] as string;
        const columns = COLUMNS[t];
        const current = new Map(
          (await staging(project, `stg_db_${t}`, columns.join(", "), key, idPrefix)).map((r) => [
            String(r[key]),
            normaliseRow(r, columns, instants[t]),
          ]),
        );
        const database = await databaseRows(db, t, columns, instants[t], idPrefix);
        expect(Object.fromEntries(current), `stg_db_${t} = SELECT from the database`).toEqual(
          Object.fromEntries(database),
        );

        const history = new Map<string, ExpectedVersion[]>();
        const versions = await staging(
          project,
          `stg_db_${t}_history`,
          `${columns.join(", ")}, cast(_tx_id AS varchar) AS _xid, cast(valid_from AS varchar) AS _from,
             cast(valid_to AS varchar) AS _to, is_current`,
          key,
          idPrefix,
        );
        for (const r of versions) {
          const list = history.get(String(r[key])) ?? [];
          list.push({
            row: normaliseRow(r, columns, instants[t]),
            xid: String(r._xid),
            valid_from: canonicalInstant(String(r._from)),
            valid_to: r._to === null ? null : canonicalInstant(String(r._to)),
            is_current: r.is_current === true,
          });
          history.set(String(r[key]), list);
        }
        const transactions: CommittedTransaction[] = committed.map((c) => ({
          xid: c.xid,
          touched: new Set(c.statements.filter((s) => s.table === t).map((s) => s.key)),
          after: c.after[t],
        }));
        const expected = expectedHistory(transactions, (xid) => commitTimes.get(xid) ?? `no commit ${xid}`);
        expect(Object.fromEntries(history), `stg_db_${t}_history`).toEqual(Object.fromEntries(expected));
      }
      // The script's outcome, spelled out: the erased and deleted keys are gone, the re-inserted back.
      expect([...(await databaseRows(db, "users", ["user_id"], new Set(), idPrefix)).keys()].sort()).toEqual([
        `${id}-u1`,
        `${id}-u2`,
        `${id}-u4`,
      ]);
    } finally {
      controller.abort();
      await sink?.catch(() => {});
      for (const t of TABLES)
        await db
          .query(`DELETE FROM ${t} WHERE starts_with(${COLUMNS[t][0]}, $1)`, [idPrefix])
          .catch(() => {});
      await db.end();
      await dropCdcRawTables(ns.rawSchema, TABLES);
      await shop.dropShopNamespace(ns, project ? [project] : [], testTrino).catch(() => {});
      await deleteTestObjects(ns.s3Prefix).catch(() => {});
    }
  });
});
