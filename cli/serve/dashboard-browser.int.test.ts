import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { type HeadlessChromium, launchChromium } from "../../testing/headless-chromium.js";
import {
  dropShopServe,
  publishRealtime,
  type ShopServe,
  startShopServe,
  until,
} from "../testing/serve-shop.js";

/**
 * `floe serve`'s dashboard in headless Chromium (Debian's chromium driven by playwright-core): while the
 * real-time generator publishes, the page at `/` polls `/api/status` and redraws in place, so two
 * screenshots a few seconds apart show live figures that changed. The PNGs stay in the test's temp dir
 * (its path is printed) for a look by eye.
 */
let serve: ShopServe | undefined;
let browser: HeadlessChromium | undefined;
afterAll(async () => {
  await browser?.close();
  if (serve) await dropShopServe(serve);
}, 300_000);

/** What the page shows, read from its DOM. */
async function figures(page: Page) {
  const text = async (id: string) => ((await page.locator(`#${id}`).textContent()) ?? "").trim();
  return {
    updated: await text("updated"),
    ready: await text("ready"),
    in: await text("in"),
    out: await text("out"),
    lag: await text("lag"),
    builds: await text("builds"),
    children: await page.locator("#children tr td:first-child").allTextContents(),
    models: await page.locator("#models tr td:first-child").allTextContents(),
    charts: await page.locator(".chart canvas").count(),
    uplot: await page.evaluate("typeof window.uPlot === 'function'"),
  };
}

/** The dashboard's "1.2k" as a number. */
const number = (shown: string) =>
  shown.endsWith("k") ? Number(shown.slice(0, -1)) * 1000 : Number(shown.replace(/[^0-9.]/g, ""));

describe("the floe serve dashboard in headless Chromium", () => {
  it("shows live figures that change between two screenshots", { timeout: 600_000 }, async () => {
    const shots = mkdtempSync(join(tmpdir(), "floe-dashboard-"));
    serve = await startShopServe({ label: "servedash", buildEveryMs: 10_000, flushIntervalMs: 2_000 });
    const stopGenerator = new AbortController();
    const publishing = publishRealtime(serve.run, {
      rate: 100,
      durationMs: 600_000,
      seed: 2026,
      signal: stopGenerator.signal,
    });
    try {
      const live = serve;
      // A scheduled build has succeeded (its models are on the page) and events are arriving.
      await until("a successful build while events arrive", 300_000, async () => {
        const s = await live.status();
        const built = s.builds.last?.status === "success";
        return built && s.throughput.series.length >= 2 && s.throughput.inPerSecond > 0 ? s : undefined;
      });
      browser = await launchChromium();
      const page = await browser.context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      await page.goto(`${serve.handle.url}/`);
      await page.locator("#in").filter({ hasNotText: "–" }).waitFor();

      const first = await figures(page);
      await page.screenshot({ path: join(shots, "dashboard-1.png"), fullPage: true });
      // A few seconds later, after at least two more polls (every 2 s).
      await page.waitForTimeout(5_000);
      await page.locator("#updated").filter({ hasNotText: first.updated }).waitFor();
      const second = await figures(page);
      await page.screenshot({ path: join(shots, "dashboard-2.png"), fullPage: true });
      process.stderr.write(`dashboard screenshots: ${shots}\n`);

      expect(pageErrors).toEqual([]);
      expect(statSync(join(shots, "dashboard-1.png")).size).toBeGreaterThan(10_000);
      expect(statSync(join(shots, "dashboard-2.png")).size).toBeGreaterThan(10_000);
      // The page drew with uPlot (served from node_modules), one canvas per throughput chart.
      expect(second.uplot).toBe(true);
      expect(second.charts).toBe(3);
      expect(second.children).toEqual(["sink", "scheduler"]);
      expect(second.models).toEqual(
        expect.arrayContaining([
          expect.stringContaining("fct_orders"),
          expect.stringContaining("fct_daily_revenue"),
        ]),
      );
      // Live: the page redrew with new figures, and events were arriving.
      expect(second.updated).not.toBe(first.updated);
      expect(number(first.in)).toBeGreaterThan(0);
      expect(number(second.in)).toBeGreaterThan(0);
      const shown = (f: typeof first) => [f.in, f.out, f.lag, f.builds];
      expect(shown(second)).not.toEqual(shown(first));
    } finally {
      stopGenerator.abort();
      await publishing.catch(() => {});
      serve.handle.signal();
    }
    expect(await serve.handle.done).toBe(0);
  });
});
