import { afterAll, describe, expect, it } from "vitest";
import { sinkTargets, TEST_SCHEMA, testShop, trinoQuery, uniqueRun } from "../../ingest/int-helpers.js";
import { defaultTopicNames, publishShopRun, topicName } from "../../ingest/producer.js";
import { s3RawObjectStore } from "../../ingest/raw-retention.js";
import { DEFAULT_RAW_TARGET, tableNameOf } from "../../ingest/raw-tables.js";
import { localS3, localTrino, uniqueName } from "../../testing/local-stack.js";
import { loadProject } from "../compile/compile.js";
import { connectTarget } from "../runner/connect.js";
import { testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema } from "../testing/warehouse.js";
import type { ServeStatus } from "./serve-status.js";
import { startServe } from "./start-serve.js";

/**
 * `floe serve` on the real stack, in-process: the sink lands a published shop run in raw tables of its own
 * (unique topics, key prefix, group), the scheduler builds a model over them until it matches the ledger,
 * maintenance runs, the HTTP endpoints answer, and a stop drains everything and exits 0.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_serve");
afterAll(() => dropSchema(trino, schema));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(1_000);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

describe("floe serve", () => {
  it("sinks, builds on a schedule, maintains, reports, and stops cleanly", { timeout: 400_000 }, async () => {
    const run = uniqueRun("serve");
    const names = defaultTopicNames(run.topicPrefix);
    const published = await publishShopRun({ ...testShop(3_000, 13, 1), topics: names });
    const expectedOrders = published.ledger.messages.validByTopic.orders;
    expect(expectedOrders).toBeGreaterThan(0);
    const ordersTopic = topicName(names, "orders");
    const ordersTable = tableNameOf(ordersTopic);

    const dir = writeRunnerProject(schema, {
      "models/sources.yml": `version: 2
sources:
  - name: raw
    catalog: hive
    schema: ${TEST_SCHEMA}
    tables:
      - name: orders
        identifier: ${ordersTable}
`,
      "models/order_events.sql": `{{config materialized="table"}}\nselect count(*) as n from {{source "raw" "orders"}}\n`,
    });
    const project = loadProject({ projectDir: dir, env: process.env });
    const selected = new Set(Object.keys(project.manifest.nodes).filter((id) => id.startsWith("model.")));
    const lines: string[] = [];
    const handle = await startServe({
      host: "127.0.0.1",
      port: 0,
      project,
      selected,
      connection: connectTarget(project.target),
      buildLogger: { event: () => {} },
      sink: { ...sinkTargets(run), flushIntervalMs: 2_000 },
      buildEveryMs: 3_000,
      maintainEveryMs: 20_000,
      // Ten years: the test shop's March events stay (maintain.int.test.ts covers deletion at the boundary).
      rawRetention: {
        target: { ...DEFAULT_RAW_TARGET, prefix: run.prefix, schema: run.schema },
        topics: run.topics,
        retentionSeconds: 3_650 * 86_400,
        store: s3RawObjectStore(localS3(), DEFAULT_RAW_TARGET.bucket),
        trino,
      },
      probeEveryMs: 2_000,
      log: (line) => lines.push(line),
    });
    const get = (path: string) => fetch(`${handle.url}${path}`);
    const status = async () => (await (await get("/api/status")).json()) as ServeStatus;

    try {
      expect((await get("/healthz")).status).toBe(200);

      // Every valid order event in the raw table, then a scheduled build that counted all of them.
      await until("the raw orders table to hold the ledger's orders", 180_000, async () => {
        const [[n]] = (await trinoQuery(`SELECT count(*) FROM hive.${TEST_SCHEMA}.${ordersTable}`)) as [
          [number],
        ];
        return Number(n) === expectedOrders ? true : undefined;
      });
      await until("a build of order_events with every order", 120_000, async () => {
        const [[n]] = (await trinoQuery(`SELECT n FROM iceberg.${schema}.order_events`)) as [[number]];
        return Number(n) === expectedOrders ? true : undefined;
      });
      const built = await until("a successful build in /api/status", 30_000, async () => {
        const s = await status();
        return s.builds.last?.status === "success" && s.models.length === 1 ? s : undefined;
      });
      expect(built.models[0]).toMatchObject({
        name: expect.stringContaining("order_events"),
        status: "success",
      });
      expect(built.models[0]?.freshnessSeconds).toBeGreaterThanOrEqual(0);
      expect(built.builds.total).toBeGreaterThanOrEqual(1);

      // Builds are --due: once the raw files stop changing, the model is skipped as unchanged.
      await until("a scheduled build that skipped the unchanged model", 60_000, async () => {
        const text = await (await get("/metrics")).text();
        return Number(/^floe_due_skipped_total (\d+)/m.exec(text)?.[1] ?? 0) > 0 ? true : undefined;
      });

      const maintained = await until("a maintenance run", 120_000, async () => {
        const s = await status();
        return s.maintenance.length > 0 ? s : undefined;
      });
      expect(maintained.maintenance[0]).toMatchObject({
        status: "success",
        tables: 1,
        failed: 0,
        rawPartitionsDeleted: 0,
      });
      expect(maintained.maintenance[0]?.filesAfter).toBeGreaterThan(0);

      const ready = await until("/readyz 200", 30_000, async () => {
        const r = await get("/readyz");
        return r.status === 200 ? ((await r.json()) as { ready: boolean }) : undefined;
      });
      expect(ready.ready).toBe(true);
      const s = await status();
      expect(s.children.map((c) => [c.name, c.state, c.restarts])).toEqual([
        ["sink", "running", 0],
        ["scheduler", "running", 0],
        ["maintenance", "running", 0],
      ]);
      expect(s.trino?.ok).toBe(true);
      expect(s.throughput.series.length).toBeGreaterThan(0);

      const metrics = await (await get("/metrics")).text();
      expect(metrics).toMatch(/floe_maintenance_runs_total\{status="success"\} [1-9]/);
      for (const series of [
        'floe_serve_child_up{child="sink"} 1',
        'floe_serve_child_restarts_total{child="scheduler"} 0',
        "floe_build_duration_seconds_count",
        'floe_builds_total{status="success"}',
        "floe_model_freshness_seconds{model=",
        "floe_model_last_build_timestamp_seconds{model=",
        // Maintenance runs every 20 s here: on a slow machine a second pass may have finished too.
        'floe_maintenance_runs_total{status="success"} ',
        `floe_sink_records_total{topic="${ordersTopic}"} ${expectedOrders}`,
        "floe_sink_consumer_lag",
        "floe_sink_active_records",
      ]) {
        expect(metrics).toContain(series);
      }
      const page = await get("/");
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(await page.text()).toContain("/api/status");
      expect((await get("/vendor/uPlot.iife.min.js")).status).toBe(200);
    } finally {
      handle.signal();
    }
    expect(await handle.done).toBe(0);
    const stopped = handle.status();
    expect(stopped.phase).toBe("stopped");
    expect(stopped.children.every((c) => c.state === "stopped")).toBe(true);
    expect(lines).toContain("serve: stopping");
    // Stopped last: the sink, after the scheduler and maintenance.
    const order = lines.filter((l) => l.endsWith(" stopped")).map((l) => l.split(" ")[1]);
    expect(order).toEqual(["maintenance", "scheduler", "sink"]);
    await expect(get("/healthz")).rejects.toThrow();
  });
});
