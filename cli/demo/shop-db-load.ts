import pg from "pg";
import { EnvironmentError } from "../../core/errors.js";
import { shopCdcTopics } from "../../ingest/cdc/cdc-topics.js";
import { type Endpoints, endpointsFromEnv, kafkaClient } from "../../ingest/endpoints.js";
import type { GeneratedMessage } from "../../ingest/generator.js";
import {
  PRIMARY_KEY,
  type RowMutation,
  renderMutations,
  SHOP_TABLE_NAMES,
  type ShopTable,
} from "../../ingest/shop-db/mutations.js";
import { pgShopDb, redactUrl, shopDbError } from "../../ingest/shop-db/pg-writer.js";
import { type ShopDbCounts, ShopDbFold } from "../../ingest/shop-db/shop-db-fold.js";
import { publishedEventOf } from "../../ingest/shop-db/shop-db-follower.js";
import { probe } from "../../stack/health.js";
import { CDC_CONNECTOR, PORTS, SHOP_DB } from "../../stack/services.js";

/**
 * The demo's shop database: the generator's shop written into the stack's PostgreSQL, and knowing when
 * Debezium has delivered it to Kafka.
 *
 * The demo owns the generator's id space in the shop tables (`u-<n>`, `p-<n>`, `o-<n>`, `o-<n>-<line>`), as
 * it owns the default topic names: a reset deletes those rows (and only those: tests and benchmarks on the
 * same database use ids of their own) before the load writes them again.
 *
 * Delivery: the last transaction of a write takes a SHARE ROW EXCLUSIVE lock on the five tables and reads
 * `pg_current_wal_insert_lsn()` after its changes, just before COMMIT. Debezium confirms to the replication
 * slot (`confirmed_flush_lsn`) the end of a transaction only after Kafka Connect has committed the offsets
 * of its records, which Connect does only for records Kafka acknowledged. A confirmed LSN at or past that
 * point is the end of this transaction or of one that committed after it (the lock keeps every other
 * writer of the tables out until our COMMIT, and the slot decodes in commit order), so every change of
 * the write is in the `db.<table>` topics. Idle, the slot confirms nothing new (no WAL of the tables).
 */

/** The generator's ids, per table (PostgreSQL regular expressions on the primary key). */
export const DEMO_ID_PATTERNS: Record<ShopTable, string> = {
  users: "^u-[0-9]+$",
  products: "^p-[0-9]+$",
  inventory: "^p-[0-9]+$",
  orders: "^o-[0-9]+$",
  order_items: "^o-[0-9]+-[0-9]+$",
};

/** Rows per transaction of the load: big enough for few round trips, small enough to stream steadily. */
export const LOAD_BATCH = 2_000;

const LOCK_TABLES = `LOCK TABLE ${SHOP_TABLE_NAMES.join(", ")} IN SHARE ROW EXCLUSIVE MODE`;
const WAL_POSITION = "SELECT pg_current_wal_insert_lsn()::text AS lsn";

/** One transaction's SQL: the changes, and for the last one the lock before and the WAL position after. */
export function transactionSql(changes: string, last: boolean): string {
  return last
    ? `BEGIN;\n${LOCK_TABLES};\n${changes}\n${WAL_POSITION};\nCOMMIT;`
    : `BEGIN;\n${changes}\nCOMMIT;`;
}

/** Deletes the demo's rows of every table, in one locked transaction that ends with the WAL position. */
export function clearSql(): string {
  const deletes = SHOP_TABLE_NAMES.map(
    (t) => `DELETE FROM ${t} WHERE ${PRIMARY_KEY[t]} ~ '${DEMO_ID_PATTERNS[t]}';`,
  ).join("\n");
  return transactionSql(deletes, true);
}

/** Count and md5 of the demo's rows of one table, in key order: equal digests, equal rows. */
export function digestSql(table: ShopTable): string {
  const pk = PRIMARY_KEY[table];
  return (
    `SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t.${pk})), '') AS md5 ` +
    `FROM ${table} AS t WHERE t.${pk} ~ '${DEMO_ID_PATTERNS[table]}'`
  );
}

/** Splits the changes into transactions of at most `size` (the last one may be smaller). */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export type ShopDbDigest = Record<string, { rows: number; md5: string }>;

const unavailable = (what: string, cause?: unknown) =>
  new EnvironmentError(
    "SHOP_DB_CDC_UNAVAILABLE",
    `The demo's change data capture path is not available: ${what}.`,
    {
      hint:
        "`floe stack up` starts the shop's PostgreSQL (5433) and Kafka Connect with Debezium (8083); " +
        "or run the events-only demo: `floe demo --no-shop-db`",
      retriable: true,
      cause,
    },
  );

/** The shop database answers and the Debezium connector runs, or a typed error that says what to do. */
export async function checkCdcAvailable(url: string): Promise<void> {
  const writer = pgShopDb(url);
  try {
    await writer.ready();
  } catch (error) {
    throw unavailable(`the shop database at ${redactUrl(url)} does not answer`, error);
  } finally {
    await writer.close();
  }
  const connectUrl = `http://127.0.0.1:${PORTS.connect}`;
  if (!(await probe({ kind: "connect", url: connectUrl, connector: CDC_CONNECTOR }))) {
    throw unavailable(`the Debezium connector ${CDC_CONNECTOR} is not running at ${connectUrl}`);
  }
}

/** A connection to the shop database, ended after `work`; pg errors become Floe's typed errors. */
export async function withShopDb<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    throw shopDbError(error, url);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs one transaction's SQL; the WAL position when it has one (the last transaction). */
async function runTransaction(client: pg.Client, sql: string): Promise<string | undefined> {
  const results = (await client.query(sql)) as unknown as pg.QueryResult[] | pg.QueryResult;
  const list = Array.isArray(results) ? results : [results];
  const row = list.find((r) => r.rows?.[0]?.lsn !== undefined)?.rows[0] as { lsn: string } | undefined;
  return row?.lsn;
}

/** Deletes the demo's rows. The WAL position to wait for, or undefined when there was nothing to delete. */
export async function clearDemoRows(client: pg.Client): Promise<{ deleted: number; lsn?: string }> {
  const before = await digest(client);
  const deleted = Object.values(before).reduce((n, t) => n + t.rows, 0);
  if (deleted === 0) return { deleted };
  const lsn = await runTransaction(client, clearSql());
  return lsn === undefined ? { deleted } : { deleted, lsn };
}

/**
 * The database's changes for the published messages, as the generator's `--shop-db` makes them
 * (`ShopDbFold` over the first copies of the valid events, in publishing order).
 */
export class DemoShopDbChanges {
  private readonly fold: ShopDbFold;
  readonly mutations: RowMutation[] = [];

  constructor(seed: number) {
    this.fold = new ShopDbFold(seed);
  }

  /** Passes the messages through, folding each into the database's changes. */
  *tap(messages: Iterable<GeneratedMessage>): Generator<GeneratedMessage> {
    for (const m of messages) {
      const e = publishedEventOf(m);
      if (e) for (const mutation of this.fold.add(e)) this.mutations.push(mutation);
      yield m;
    }
  }

  get counts(): Readonly<ShopDbCounts> {
    return this.fold.counts;
  }
}

/** Applies the changes in transactions of `LOAD_BATCH`; the WAL position of the last one. */
export async function writeChanges(
  client: pg.Client,
  mutations: readonly RowMutation[],
): Promise<string | undefined> {
  const all = batches(mutations, LOAD_BATCH);
  let lsn: string | undefined;
  for (const [i, batch] of all.entries()) {
    const last = i === all.length - 1;
    const out = await runTransaction(client, transactionSql(renderMutations(batch), last));
    if (last) lsn = out;
  }
  return lsn;
}

/**
 * Waits until the Debezium slot has confirmed `lsn` (see the module comment), or fails with what to check.
 * The slot's confirmation follows Connect's offset flush (1 s on the stack's worker).
 */
export async function waitForCdc(
  client: pg.Client,
  lsn: string,
  options: { timeoutMs?: number; slot?: string } = {},
): Promise<void> {
  const slot = options.slot ?? SHOP_DB.slot;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    const { rows } = await client.query<{ active: boolean; delivered: boolean }>(
      "SELECT active, confirmed_flush_lsn >= $2::pg_lsn AS delivered FROM pg_replication_slots WHERE slot_name = $1",
      [slot, lsn],
    );
    const state = rows[0];
    if (state?.delivered) return;
    if (Date.now() > deadline) {
      const why =
        state === undefined
          ? `there is no replication slot ${slot}`
          : state.active
            ? "the connector reads the slot but has not confirmed it"
            : `nothing reads the replication slot ${slot}`;
      throw new EnvironmentError(
        "CDC_NOT_DELIVERED",
        `Debezium has not delivered the shop database's changes up to ${lsn} to Kafka within ${Math.round((options.timeoutMs ?? 180_000) / 1000)} s: ${why}.`,
        {
          hint: `check the connector: curl http://127.0.0.1:${PORTS.connect}/connectors/${CDC_CONNECTOR}/status and \`floe stack logs connect\`; \`floe stack up\` restarts what is down`,
          retriable: true,
        },
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Count and md5 of the demo's rows per table. */
export async function digest(client: pg.Client): Promise<ShopDbDigest> {
  const out: ShopDbDigest = {};
  for (const table of SHOP_TABLE_NAMES) {
    const { rows } = await client.query<{ n: number; md5: string }>(digestSql(table));
    out[table] = { rows: Number(rows[0]?.n ?? 0), md5: rows[0]?.md5 ?? "" };
  }
  return out;
}

export function sameDigest(a: ShopDbDigest, b: ShopDbDigest): boolean {
  return SHOP_TABLE_NAMES.every((t) => a[t]?.rows === b[t]?.rows && a[t]?.md5 === b[t]?.md5);
}

/**
 * Starts the sink's consumer group on Debezium's topics at their current ends: the load that follows is
 * read, and every older change (earlier loads, a reset's deletes, other writers' changes) is skipped. The
 * group must have no members (the demo deletes it first). A topic that does not exist yet holds nothing
 * older: the sink reads it from its start.
 */
export async function startGroupAtEnd(
  groupId: string,
  endpoints: Endpoints = endpointsFromEnv(),
): Promise<void> {
  const kafka = kafkaClient(endpoints, "floe-demo");
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = shopCdcTopics().filter((t) => existing.has(t));
    if (topics.length === 0) return;
    const ends: { topic: string; partition: number; offset: string }[] = [];
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic))
        ends.push({ topic, partition: p.partition, offset: p.high });
    }
    // kafkajs' admin.setOffsets joins the group once per topic (25 s for the five here): one member joins
    // once, commits every end and leaves. It consumes nothing (autoCommit off, no committed offsets moved).
    await consumer.connect();
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`could not join consumer group ${groupId} in 60 s`)),
        60_000,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.subscribe({ topics, fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatch: async () => {} });
    await joined;
    await consumer.commitOffsets(ends);
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}
