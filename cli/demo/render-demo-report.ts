import type { DemoResult } from "./run-demo.js";

const money = (n: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const count = (n: number) => n.toLocaleString("en-US");

/** The shop database's part: what the generator wrote, and what came back through Debezium into the marts. */
function cdcLines(result: DemoResult): string[] {
  if (!result.settings.shopDb) return ["", "Shop database (CDC): off (`--no-shop-db`)."];
  const cdc = result.report?.cdc;
  if (!cdc) return ["", "Shop database (CDC): no figures (fct_inventory_db is not in the project)."];
  const db = result.shopDb;
  return [
    "",
    "Shop database → Debezium → raw db_* tables (CDC):",
    ...(db
      ? [
          `  written                    ${count(db.inserts ?? 0)} inserts, ${count(db.updates ?? 0)} updates, ${count(db.deletes ?? 0)} deletes (${count(db.erasures ?? 0)} GDPR erasures, ${count(db.restocks ?? 0)} restocks)`,
        ]
      : []),
    `  customers, e-mail hashed   ${count(cdc.hashedEmails)} of ${count(cdc.customers)} (no plain e-mail in the marts)`,
    `  fct_inventory_db           ${count(cdc.inventoryProducts)} products with the database's stock: ${count(cdc.stockAsEvents)} as the events imply, ${count(cdc.stockDiffers)} differ (restocks only the database knows); ${count(cdc.lowStock)} low on stock`,
  ];
}

/** The short report `floe demo` ends with: rows per mart, the test summary and the headline figures. */
export function renderDemoReport(
  result: DemoResult,
  timing: { stackSeconds: number; totalSeconds: number; trinoPort: number },
): string {
  const { report, settings, tests } = result;
  const testLine = `Tests: ${["pass", "warn", "fail", "error", "skipped"].map((s) => `${s} ${tests[s] ?? 0}`).join(", ")}`;
  if (!report) {
    const why =
      result.build.exitCode === 0
        ? "the marts could not be read (see the message above)"
        : "the build failed (see the errors above)";
    return `\nShop lakehouse demo: ${why}; no report.\n${testLine}\n`;
  }
  const width = Math.max(...report.rowsPerMart.map((r) => r.model.length));
  const lines = [
    "",
    `Shop lakehouse demo — ${settings.events.toLocaleString("en-US")} events, seed ${settings.seed} (${result.load === "reused" ? "reused the existing load" : "loaded from scratch"})`,
    "",
    "Rows per mart:",
    ...report.rowsPerMart.map(
      (r) => `  ${r.model.padEnd(width)}  ${r.rows.toLocaleString("en-US").padStart(9)}`,
    ),
    "",
    `Tests: ${["pass", "warn", "fail", "error", "skipped"].map((s) => `${s} ${tests[s] ?? 0}`).join(", ")}`,
    "",
    "Headline figures:",
    `  revenue (paid orders)      ${money(report.revenue)} USD   (generator ledger: ${money(result.ledger.revenue)})`,
    `  orders / paid orders       ${report.orders.toLocaleString("en-US")} / ${report.paidOrders.toLocaleString("en-US")}   (ledger orders: ${result.ledger.orders.toLocaleString("en-US")})`,
    `  average order value        ${money(report.avgOrderValue)} USD`,
    `  conversion rate            ${(report.conversionRate * 100).toFixed(2)}% of ${report.sessions.toLocaleString("en-US")} sessions`,
    `  top categories by revenue  ${report.topCategories.map((c) => `${c.category} ${money(c.revenue)}`).join(", ")}`,
    ...cdcLines(result),
    "",
    `Timings: stack ${timing.stackSeconds.toFixed(1)}s, ${Object.entries(result.seconds)
      .map(([phase, s]) => `${phase} ${s.toFixed(1)}s`)
      .join(", ")}; total ${timing.totalSeconds.toFixed(1)}s`,
    "",
    `Query the marts from any BI tool: Trino at http://127.0.0.1:${timing.trinoPort}, catalog iceberg, schema ${report.martSchema}.`,
    "Run it live: `npx floe serve` (dashboard at http://127.0.0.1:8585/), and in a second terminal",
    "`npx floe ingest generate --realtime --rate 300 --duration 15m` for events stamped now.",
    "Stop the stack with `npx floe stack down`.",
    "",
  ];
  return lines.join("\n");
}
