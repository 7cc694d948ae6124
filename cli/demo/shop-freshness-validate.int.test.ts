import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateShop } from "../../ingest/generator.js";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import type { ParsedProject } from "../compile/compile.js";
import {
  freshnessExitCode,
  planFreshness,
  runFreshness,
  type SourceFreshnessResult,
} from "../freshness/run-freshness.js";
import { connectTarget } from "../runner/connect.js";
import {
  planEngineChecks,
  renderProject,
  type ValidateEvent,
  validateProject,
} from "../validate/validate-project.js";
import {
  buildShop,
  dropShopNamespace,
  isolatedNamespace,
  loadMessages,
  loadShopProject,
  WITHOUT_SHOP_DB,
} from "./shop-pipeline.js";

/**
 * `floe source freshness` and `floe validate` on the repository's own project over raw tables the real
 * sink just wrote. Freshness: the repository's config (models/staging/sources.yml) on raw tables the real sink just
 * wrote: `_ingested_at` as the sink stores it (Parquet TIMESTAMPTZ under a Hive `timestamp` column) must
 * read as "seconds ago", so every raw source passes right after a load.
 */
const ns = isolatedNamespace(uniqueName("shopfresh"));
let project: ParsedProject;

beforeAll(async () => {
  const { messages } = generateShop({
    events: 2_000,
    seed: 3,
    start: new Date("2026-01-05T00:00:00Z"),
    days: 1,
  });
  await loadMessages(ns, messages, localTrino());
  project = loadShopProject(process.cwd(), ns, WITHOUT_SHOP_DB);
}, 600_000);

afterAll(async () => {
  if (project) await dropShopNamespace(ns, [project], localTrino());
}, 300_000);

describe("source freshness and validate on the shop project", () => {
  it("passes for every raw table right after the sink wrote it", async () => {
    // The event topics' raw tables; the shop database's CDC tables (source shop_db) declare no freshness
    // (they exist only once the CDC sink registered them) and are planned as skipped.
    const all = planFreshness(project.manifest, new Set(Object.keys(project.manifest.sources)));
    expect(all.skipped.map((s) => [s.name, s.reason])).toEqual(
      ["db_inventory", "db_order_items", "db_orders", "db_products", "db_users"].map((t) => [
        `shop_db.${t}`,
        "no freshness config",
      ]),
    );
    const raw = Object.keys(project.manifest.sources).filter((id) => !id.includes(".shop_db."));
    const { checks, skipped } = planFreshness(project.manifest, new Set(raw));
    expect(skipped).toEqual([]);
    expect(checks.map((c) => c.source.name)).toEqual([
      "raw.orders",
      "raw.product_metadata",
      "raw.user_events",
    ]);
    expect(checks[0]!.criteria).toEqual({
      warn_after: { count: 6, period: "hour" },
      error_after: { count: 2, period: "day" },
    });
    const results: SourceFreshnessResult[] = await runFreshness({
      checks,
      skipped,
      connection: connectTarget(project.target, { timeZone: "UTC" }),
      threads: 3,
      onEvent: () => {},
      sourcesPath: "sources.json",
    });
    for (const r of results) {
      expect(r.status, `${r.name}: ${r.error?.message ?? ""}`).toBe("pass");
      expect(r.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(r.ageSeconds).toBeLessThan(15 * 60);
    }
    expect(freshnessExitCode(results)).toBe(0);
  });

  it("validates all 20 models and every test before anything is built, by inlining upstream SQL", async () => {
    const events: ValidateEvent[] = [];
    const result = await validateProject({
      project,
      selected: new Set(Object.keys(project.manifest.nodes)),
      connection: connectTarget(project.target),
      threads: 2,
      onEvent: (e) => events.push(e),
      readProjectFile: () => "",
    });
    const notOk = result.results.filter((r) => r.status !== "ok").map((r) => `${r.name}: ${r.message}`);
    expect(notOk).toEqual([]);
    expect(result.renderFailures).toEqual([]);
    expect(result.results.filter((r) => r.resourceType === "model")).toHaveLength(20);
    expect(result.results.some((r) => r.inlined.length > 0)).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  it("validates the incremental runs of the staging models once they are built", async () => {
    const build = await buildShop(project, { logger: { event: () => {} } });
    expect(build.exitCode).toBe(0);
    const rendered = renderProject(project);
    const plans = planEngineChecks(
      project.manifest,
      rendered,
      new Set(Object.keys(project.manifest.nodes)),
      () => true,
    );
    const incremental = plans.filter((p) => p.check && p.incremental !== undefined).map((p) => p.id);
    expect(incremental).toEqual(
      expect.arrayContaining(["model.shop.stg_order_events", "model.shop.stg_user_events"]),
    );
    const result = await validateProject({
      project,
      selected: new Set(Object.keys(project.manifest.nodes)),
      connection: connectTarget(project.target),
      threads: 2,
      onEvent: () => {},
      readProjectFile: () => "",
    });
    expect(result.results.filter((r) => r.status !== "ok").map((r) => `${r.name}: ${r.message}`)).toEqual([]);
    expect(result.results.every((r) => r.inlined.length === 0)).toBe(true);
  });
});
