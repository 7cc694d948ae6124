import pg from "pg";
import { describe, expect, it } from "vitest";
import { testTrino, uniqueRun } from "../int-helpers.js";
import { runSink } from "../sink.js";
import { ensureConnect, killConnect } from "./connect-process.js";
import { currentStateFromRaw, rawChanges } from "./raw-changes.js";
import { type LoggedChange, ShopChangeWriter } from "./shop-writer.js";

/**
 * Debezium crashes mid-stream: the stack's Kafka Connect worker is SIGKILLed while a script commits
 * inserts, updates and deletes to the shop database, and `floe stack up` restarts it (also in `finally`,
 * so the shared stack is left whole). The sink runs throughout. Afterwards raw holds every committed
 * change once per LSN, in order, and the current state computed over raw equals the database. Debezium is
 * at least once across a crash (it resumes from the offset last flushed, every second here): the test
 * reports the redeliveries it saw in raw, which the staging dedupe by LSN absorbs.
 */

const SHOP_DB_URL = process.env.FLOE_SHOP_DB_URL ?? "postgres://floe:floe-local-secret@127.0.0.1:5433/shop";
const TABLES = ["products", "inventory"] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function databaseState(db: pg.Client, table: LoggedChange["table"], idPrefix: string) {
  const column = table === "products" ? "price::text" : "quantity::text";
  const result = await db.query<{ product_id: string; value: string }>(
    `SELECT product_id, ${column} AS value FROM ${table} WHERE product_id LIKE $1`,
    [`${idPrefix}%`],
  );
  return new Map(result.rows.map((r) => [r.product_id, r.value]));
}

describe("Debezium killed and restarted mid-stream", () => {
  it("loses no change and applies none twice", { timeout: 900_000 }, async () => {
    const run = uniqueRun("cdckill");
    const schema = `raw_floe_${run.id}`;
    const idPrefix = `${run.id}-`;
    const db = new pg.Client({ connectionString: SHOP_DB_URL });
    await db.connect();
    const writer = new ShopChangeWriter(db, idPrefix, 40, 14);
    const controller = new AbortController();
    const sink = runSink({
      topics: TABLES.map((t) => `db.${t}`),
      dlqTopic: run.dlq,
      prefix: run.prefix,
      groupId: run.group,
      hiveSchema: schema,
      trino: testTrino,
      flushIntervalMs: 1_000,
      metricsPort: null,
      signal: controller.signal,
    });
    try {
      // Changes before, during and after the outage: the worker is killed 5 s in, and writing goes on
      // until it is healthy again and 5 s more.
      let restarted = false;
      const crash = (async () => {
        await sleep(5_000);
        const pid = await killConnect();
        console.log(`killed Connect (pid ${pid}) after ${writer.log.length} changes`);
        const started = Date.now();
        await ensureConnect();
        console.log(
          `Connect healthy again ${Date.now() - started} ms later, at ${writer.log.length} changes`,
        );
        await sleep(5_000);
        restarted = true;
      })();
      crash.catch(() => {
        restarted = true;
      });
      while (!restarted) {
        await writer.step();
        await sleep(25);
      }
      await crash;

      const expected = Object.fromEntries(
        TABLES.map((t) => [t, writer.log.filter((c) => c.table === t)]),
      ) as Record<(typeof TABLES)[number], LoggedChange[]>;
      let got = { products: { rows: 0, changes: [] }, inventory: { rows: 0, changes: [] } } as Record<
        (typeof TABLES)[number],
        Awaited<ReturnType<typeof rawChanges>>
      >;
      for (const until = Date.now() + 300_000; ; ) {
        await sleep(3_000);
        const read = await Promise.all(
          TABLES.map((t) => rawChanges(schema, t, idPrefix).catch(() => undefined)),
        );
        if (read[0] && read[1]) got = { products: read[0], inventory: read[1] };
        if (TABLES.every((t) => got[t].changes.length >= expected[t].length)) break;
        if (Date.now() > until) break;
      }
      for (const t of TABLES) {
        console.log(
          `${t}: ${expected[t].length} changes committed, ${got[t].rows} raw rows, ${got[t].rows - got[t].changes.length} redelivered (same key and LSN)`,
        );
        // Every change, once per LSN, in commit order: none lost, none applied twice.
        expect(got[t].changes, t).toEqual(expected[t]);
        expect(await currentStateFromRaw(schema, t, idPrefix), t).toEqual(
          await databaseState(db, t, idPrefix),
        );
      }
    } finally {
      await ensureConnect();
      controller.abort();
      await sink.catch(() => {});
      await writer.removeAll().catch(() => {});
      await db.end();
      for (const t of TABLES)
        await testTrino.query(`DROP TABLE IF EXISTS hive.${schema}.db_${t}`).catch(() => {});
      await testTrino.query(`DROP SCHEMA IF EXISTS hive.${schema}`).catch(() => {});
    }
  });
});
