import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateShop, type ShopLedger } from "../../ingest/generator.js";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import type { ParsedProject } from "../compile/compile.js";
import type { RunLogger } from "../log/events.js";
import type { RunTaskResult } from "../runner/run-task.js";
import {
  buildShop,
  dropShopNamespace,
  isolatedNamespace,
  loadMessages,
  loadShopProject,
  martRelation,
  shopReport,
  unsuccessful,
  WITHOUT_SHOP_DB,
} from "./shop-pipeline.js";

/**
 * The shop's headline figures, computed by the marts, against the generator's own ledger (what it
 * produced, counted while producing it — never read back from the warehouse). Duplicates, late and
 * malformed messages are on, so dedupe, late handling and the DLQ are part of what is proven. Counts and
 * sums must match exactly (money in cents).
 */
const ns = isolatedNamespace(uniqueName("shopledger"));
const quiet: RunLogger = { event: () => {} };
const trino = localTrino();
let ledger: ShopLedger;
let project: ParsedProject;
let build: RunTaskResult;

const cents = (n: number | string) => Math.round(Number(n) * 100);
const rows = async <T>(sql: string) => (await trino.query<T>(sql)).rows;

beforeAll(async () => {
  const generated = generateShop({
    events: 20_000,
    seed: 7,
    start: new Date("2026-02-01T00:00:00Z"),
    days: 3,
    duplicates: 0.02,
    late: 0.01,
    malformed: 0.002,
  });
  await loadMessages(ns, generated.messages, trino);
  ledger = generated.ledger;
  // The events alone: the shop database (var shop_db) comes with the demo, over the stack's Debezium.
  project = loadShopProject(process.cwd(), ns, WITHOUT_SHOP_DB);
  build = await buildShop(project, { logger: quiet });
}, 900_000);

afterAll(async () => {
  if (project) await dropShopNamespace(ns, [project], trino);
}, 300_000);

describe("the shop marts against the generator's ledger", () => {
  it("builds every model and passes every data test", () => {
    expect(unsuccessful(build)).toEqual([]);
    expect(build.exitCode).toBe(0);
    // The shop's unit tests ran before their models and passed.
    const unitTests = build.results.filter((r) => r.resourceType === "unit_test");
    expect(unitTests.map((r) => r.uniqueId).sort()).toEqual(Object.keys(project.manifest.unit_tests).sort());
    expect(unitTests.every((r) => r.status === "pass")).toBe(true);
  });

  it("books revenue by UTC day of payment exactly as the ledger, and in total", async () => {
    const daily = await rows<{ day: string; revenue: string }>(
      `select cast(revenue_date as varchar) as day, cast(revenue as varchar) as revenue
       from ${martRelation(project, "fct_daily_revenue")} order by 1`,
    );
    const mart = Object.fromEntries(daily.map((r) => [r.day, cents(r.revenue)]));
    const expected = Object.fromEntries(Object.entries(ledger.revenueByDay).map(([d, v]) => [d, cents(v)]));
    expect(mart).toEqual(expected);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(3);
    const [sum] = await rows<{ revenue: string }>(
      `select cast(sum(revenue) as varchar) as revenue from ${martRelation(project, "fct_daily_revenue")}`,
    );
    expect(cents(sum?.revenue ?? 0)).toBe(total);
  });

  it("has one row per order the ledger knows, with the same paid orders, amounts and statuses", async () => {
    const orders = await rows<{
      order_id: string;
      status: string;
      amount: string;
      paid: boolean;
      day: string;
    }>(
      `select order_id, status, cast(amount as varchar) as amount, is_paid as paid,
              cast(paid_date as varchar) as day
       from ${martRelation(project, "fct_orders")}`,
    );
    expect(orders.length).toBe(ledger.orders.length);
    const byId = new Map(orders.map((o) => [o.order_id, o]));
    const mismatches = ledger.orders.filter((o) => {
      const m = byId.get(o.order_id);
      return (
        !m ||
        m.status !== o.status ||
        cents(m.amount) !== cents(o.amount) ||
        m.paid !== o.paid ||
        (m.day ?? null) !== o.paid_date
      );
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it("counts the funnel and the conversion rate as the ledger (sessions reaching each step)", async () => {
    const funnel = await rows<{ step: string; sessions: number; share: number }>(
      `select step, sessions, share_of_sessions as share from ${martRelation(project, "fct_funnel")}`,
    );
    const steps = Object.fromEntries(funnel.map((r) => [r.step, Number(r.sessions)]));
    expect(steps).toEqual({
      session: ledger.funnel.sessions,
      product_view: ledger.funnel.product_view,
      add_to_cart: ledger.funnel.add_to_cart,
      checkout: ledger.funnel.checkout,
      purchase: ledger.funnel.purchase,
    });
    const conversion = funnel.find((r) => r.step === "purchase")?.share;
    expect(conversion).toBe(ledger.funnel.purchase / ledger.funnel.sessions);
  });

  it("finds the same same-day purchasers per UTC date", async () => {
    const daily = await rows<{ day: string; n: number }>(
      `select cast(activity_date as varchar) as day, same_day_purchasers as n
       from ${martRelation(project, "same_day_purchasers")} where purchasers > 0 order by 1`,
    );
    expect(Object.fromEntries(daily.map((r) => [r.day, Number(r.n)]))).toEqual(ledger.sameDayPurchasers);
  });

  it("keeps exactly one staged row per unique event (duplicates removed, malformed ones in the DLQ)", async () => {
    const [staged] = await rows<{ n: number }>(
      `select (select count(*) from ${martRelation(project, "stg_user_events")})
            + (select count(*) from ${martRelation(project, "stg_product_events")})
            + (select count(*) from ${martRelation(project, "stg_order_events")}) as n`,
    );
    expect(Number(staged?.n)).toBe(ledger.messages.uniqueEvents);
    expect(ledger.messages.duplicates).toBeGreaterThan(0);
  });

  it("gives the demo report (what `npm start` prints) the ledger's headline figures", async () => {
    const report = await shopReport(project, trino);
    const revenue = Object.values(ledger.revenueByDay).reduce((a, v) => a + cents(v), 0);
    expect(cents(report.revenue)).toBe(revenue);
    expect(report.orders).toBe(ledger.orders.length);
    expect(report.paidOrders).toBe(ledger.orders.filter((o) => o.paid).length);
    expect(report.sessions).toBe(ledger.funnel.sessions);
    expect(report.conversionRate).toBe(ledger.funnel.purchase / ledger.funnel.sessions);
    expect(report.topCategories.length).toBeGreaterThan(0);
    expect(report.rowsPerMart.every((r) => r.rows > 0)).toBe(true);
  });
});
