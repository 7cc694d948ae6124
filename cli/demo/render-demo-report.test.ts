import { describe, expect, it } from "vitest";
import { renderDemoReport } from "./render-demo-report.js";
import { DEFAULT_DEMO_SETTINGS, type DemoResult } from "./run-demo.js";

const base: DemoResult = {
  load: "loaded",
  settings: DEFAULT_DEMO_SETTINGS,
  ledger: { orders: 5_000, revenue: 612_345.67, valid: 99_914, malformed: 86 },
  shopDb: undefined,
  build: {
    results: [],
    elapsedSeconds: 1,
    trinoSeconds: 1,
    cancelled: false,
    exitCode: 0,
    runResultsPath: "",
  },
  report: {
    martSchema: "analytics_marts",
    rowsPerMart: [
      { model: "fct_orders", rows: 5_000 },
      { model: "dim_customers", rows: 1_667 },
    ],
    revenue: 612_345.67,
    paidOrders: 4_000,
    orders: 5_000,
    avgOrderValue: 153.09,
    conversionRate: 0.2575,
    sessions: 15_000,
    topCategories: [{ category: "electronics", revenue: 100_000 }],
  },
  tests: { pass: 112 },
  seconds: { build: 120 },
};
const timing = { stackSeconds: 1.5, totalSeconds: 160, trinoPort: 8080 };

describe("renderDemoReport", () => {
  it("shows rows per mart, the test summary, headline figures beside the ledger, and where to connect", () => {
    const text = renderDemoReport(base, timing);
    expect(text).toMatch(/fct_orders +5,000\n/);
    expect(text).toContain("Tests: pass 112, warn 0, fail 0, error 0, skipped 0");
    expect(text).toContain("revenue (paid orders)      612,345.67 USD   (generator ledger: 612,345.67)");
    expect(text).toContain("conversion rate            25.75% of 15,000 sessions");
    expect(text).toContain("catalog iceberg, schema analytics_marts");
    expect(text).toContain("loaded from scratch");
    // What to do after the one-shot report: run the same pipeline live.
    expect(text).toContain("Run it live: `npx floe serve`");
  });

  it("shows the shop database's part: what was written, hashed e-mails, the stock reconciled", () => {
    const text = renderDemoReport(
      {
        ...base,
        shopDb: { inserts: 21_000, updates: 30_500, deletes: 900, erasures: 2, restocks: 140 },
        report: {
          ...(base.report as NonNullable<DemoResult["report"]>),
          cdc: {
            customers: 1_667,
            hashedEmails: 1_600,
            inventoryProducts: 200,
            stockAsEvents: 60,
            stockDiffers: 140,
            lowStock: 12,
          },
        },
      },
      timing,
    );
    expect(text).toContain("Shop database → Debezium → raw db_* tables (CDC):");
    expect(text).toContain("21,000 inserts, 30,500 updates, 900 deletes (2 GDPR erasures, 140 restocks)");
    expect(text).toContain("customers, e-mail hashed   1,600 of 1,667");
    expect(text).toContain("200 products with the database's stock: 60 as the events imply, 140 differ");
    expect(text).toContain("12 low on stock");
  });

  it("says when the demo ran without the shop database", () => {
    const text = renderDemoReport({ ...base, settings: { ...base.settings, shopDb: false } }, timing);
    expect(text).toContain("Shop database (CDC): off (`--no-shop-db`).");
  });

  it("says the build failed instead of printing figures it does not have", () => {
    const text = renderDemoReport(
      { ...base, build: { ...base.build, exitCode: 1 }, report: undefined, tests: { skipped: 3 } },
      timing,
    );
    expect(text).toContain("the build failed");
    expect(text).toContain("skipped 3");
    expect(text).not.toContain("Headline");
  });

  it("tells a report that could not be read apart from a failed build", () => {
    const text = renderDemoReport({ ...base, report: undefined }, timing);
    expect(text).toContain("the marts could not be read");
    expect(text).not.toContain("the build failed");
  });
});
