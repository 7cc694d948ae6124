import { afterAll, describe, expect, it } from "vitest";
import { localTrino } from "../../testing/local-stack.js";
import {
  dropShopServe,
  ledgerFigures,
  martsWhenEqual,
  publishRealtime,
  type ShopServe,
  startShopServe,
} from "../testing/serve-shop.js";

/**
 * `floe serve` running on its own: the real-time generator publishes the shop (duplicates, late and
 * malformed messages on) for about two minutes while serve's sink lands it in raw tables and its scheduler
 * rebuilds the shop's order marts every few seconds. Nobody runs a build: once the generator stops, serve's
 * next scheduled builds must bring `fct_orders` and `fct_daily_revenue` to the generator's ledger exactly
 * (orders, paid orders, revenue in cents per UTC day).
 */
const trino = localTrino();
let serve: ShopServe | undefined;
afterAll(async () => {
  if (serve) await dropShopServe(serve);
}, 300_000);

describe("floe serve with the real-time generator", () => {
  it("converges the marts to the generator's ledger with no manual build", { timeout: 600_000 }, async () => {
    serve = await startShopServe({ label: "serveledger", buildEveryMs: 10_000, flushIntervalMs: 5_000 });
    const { handle, project } = serve;
    try {
      const began = Date.now();
      const outcome = await publishRealtime(serve.run, { rate: 80, durationMs: 120_000, seed: 1313 });
      expect(outcome.state).toBe("complete");
      expect(Date.now() - began).toBeGreaterThanOrEqual(110_000);
      const expected = ledgerFigures(outcome.ledger);
      expect(expected.orders).toBeGreaterThan(0);
      expect(expected.paidOrders).toBeGreaterThan(0);
      expect(outcome.ledger.messages.duplicates).toBeGreaterThan(0);
      expect(outcome.ledger.messages.malformed).toBeGreaterThan(0);

      expect(await martsWhenEqual(project, trino, expected)).toEqual(expected);

      const s = await serve.status();
      expect(
        s.children.map((c) => [c.name, c.state, c.restarts]),
        JSON.stringify(s.children),
      ).toEqual([
        ["sink", "running", 0],
        ["scheduler", "running", 0],
      ]);
      const names = s.models.map((m) => m.name.split(".").at(-1));
      expect(names).toEqual(
        expect.arrayContaining(["stg_order_events", "int_order_items", "fct_orders", "fct_daily_revenue"]),
      );
      expect(s.models.every((m) => m.status === "success")).toBe(true);
      // Only serve's scheduler built: every build it recorded, the converging ones among them.
      expect(s.builds.last?.status).toBe("success");
      expect(s.builds.total).toBeGreaterThanOrEqual(1);
      expect(s.throughput.lag).toBe(0);
    } finally {
      handle.signal();
    }
    expect(await handle.done).toBe(0);
  });
});
