/**
 * `npm run bench:shop-db`: the shop database writer (`floe ingest generate --shop-db`) against a running
 * PostgreSQL (FLOE_SHOP_DB_URL, else the stack's on 5433), in a schema of its own that it drops afterwards.
 *
 * BENCH_EVENTS (default 50,000) generated events are folded into row changes (`ShopDbFold`), then applied
 * as the generator applies them: once in batches of 2,000 messages (an unpaced run) and once in batches of
 * 100 (a `--realtime --rate 1000` run sends a tenth of its rate per batch). Reports changes/s for each and
 * the p50/p99 time of one batch's apply. The target (issue 14) is 1,000 changes/s on 2 cores.
 */
import { loadavg } from "node:os";
import pg from "pg";
import { generateShop } from "../ingest/generator.js";
import type { RowMutation } from "../ingest/shop-db/mutations.js";
import { pgShopDb, redactUrl, shopDbUrl } from "../ingest/shop-db/pg-writer.js";
import { ShopDbFold } from "../ingest/shop-db/shop-db-fold.js";
import { publishedEventOf } from "../ingest/shop-db/shop-db-follower.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

/** The stream's changes, one list per batch of `size` messages. */
function batches(size: number): RowMutation[][] {
  const fold = new ShopDbFold(42);
  const out: RowMutation[][] = [];
  let current: RowMutation[] = [];
  let n = 0;
  for (const m of generateShop({ events: EVENTS, seed: 42, duplicates: 0.01, late: 0.01 }).messages) {
    const e = publishedEventOf(m);
    if (e) current.push(...fold.add(e));
    if (++n % size === 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function main(): Promise<void> {
  const base = shopDbUrl(true);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  console.log(`shop database bench: ${fmt(EVENTS)} events → ${redactUrl(base)}; load ${load()}`);
  try {
    for (const size of [2_000, 100]) {
      const schema = `bench_shopdb_${Date.now().toString(36)}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      const url = new URL(base);
      url.searchParams.set("options", `-c search_path=${schema}`);
      const writer = pgShopDb(url.toString());
      try {
        await writer.ready();
        const work = batches(size);
        const changes = work.reduce((s, b) => s + b.length, 0);
        const times: number[] = [];
        const began = performance.now();
        for (const batch of work) {
          const t = performance.now();
          await writer.apply(batch);
          times.push(performance.now() - t);
        }
        const seconds = (performance.now() - began) / 1000;
        times.sort((a, b) => a - b);
        console.log(
          `  batches of ${fmt(size)} messages: ${fmt(changes)} changes in ${seconds.toFixed(1)} s = ` +
            `${fmt(changes / seconds)} changes/s; apply p50 ${percentile(times, 0.5).toFixed(1)} ms, ` +
            `p99 ${percentile(times, 0.99).toFixed(1)} ms (${fmt(changes / work.length)} changes a batch); load ${load()}`,
        );
      } finally {
        await writer.close();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    }
  } finally {
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
