import { afterAll, describe, expect, it } from "vitest";
import { alertSchema } from "../../core/alert.js";
import { kafkaAlertPublisher } from "../../ingest/alert-publisher.js";
import { endpointsFromEnv, kafkaClient } from "../../ingest/endpoints.js";
import { readTopic } from "../../ingest/int-helpers.js";
import { uniqueName } from "../../testing/local-stack.js";
import { createTrinoConnection } from "../../trino/connection.js";
import { loadProject } from "../compile/compile.js";
import { connectTarget } from "../runner/connect.js";
import { testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema } from "../testing/warehouse.js";
import { evaluateBurn, SRE_BURN_RULES } from "./slo-burn.js";
import type { MeasuredMart } from "./slo-marts.js";
import { trinoEventTimes } from "./slo-monitor.js";
import { startServe } from "./start-serve.js";

/**
 * The SLO's two edges on the real stack: the per-bucket event count query on an Iceberg table through a UTC
 * session (what serve runs after each build), and a burn alert published to a Kafka topic and read back.
 */
const trino = createTrinoConnection({
  host: "127.0.0.1",
  port: testTrinoPort(),
  user: "floe-test",
  timeZone: "UTC",
});
const schema = uniqueName("floe_slo");
afterAll(() => dropSchema(trino, schema));

describe("the SLO on the real stack", () => {
  it("counts a mart's events per event-time bucket in Trino, weighted by a count column", {
    timeout: 120_000,
  }, async () => {
    await trino.query(`CREATE SCHEMA iceberg.${schema}`);
    await trino.query(
      `CREATE TABLE iceberg.${schema}.metrics AS SELECT * FROM (VALUES
        (TIMESTAMP '2026-12-06 12:00:00.000', 3),
        (TIMESTAMP '2026-12-06 12:00:00.000', 4),
        (TIMESTAMP '2026-12-06 12:01:00.000', 10),
        (TIMESTAMP '2026-12-06 11:00:00.000', 99)) AS t (bucket_start, events)`,
    );
    const mart: MeasuredMart = {
      uniqueId: "model.shop.metrics",
      name: "metrics",
      relation: `"iceberg"."${schema}"."metrics"`,
      eventTime: "bucket_start",
      count: "events",
      grainSeconds: 60,
    };
    const noon = Date.UTC(2026, 11, 6, 12) / 1000;
    const rows = await trinoEventTimes(trino).counts(mart, noon - 30);
    expect(rows.sort((a, b) => a.bucketStart - b.bucketStart)).toEqual([
      { bucketStart: noon, events: 7 },
      { bucketStart: noon + 60, events: 10 },
    ]);
    const perRow = await trinoEventTimes(trino).counts(
      { ...mart, count: undefined, grainSeconds: 5 },
      noon - 3_600,
    );
    expect(perRow.reduce((n, r) => n + r.events, 0)).toBe(4);
  });

  it("publishes a burn alert as one JSON message on the alerts topic", { timeout: 120_000 }, async () => {
    const topic = uniqueName("alerts");
    const publisher = kafkaAlertPublisher(kafkaClient(endpointsFromEnv(), "floe-slo-int"), topic);
    const rule = SRE_BURN_RULES[0];
    if (!rule) throw new Error("no rule");
    const { alerts } = evaluateBurn(
      new Set(),
      [{ mart: "fct_orders", rule, burnLong: 20, burnShort: 30 }],
      Date.UTC(2026, 11, 6, 12),
    );
    try {
      for (const alert of alerts) await publisher.publish(alert);
    } finally {
      await publisher.close();
    }
    const read = await readTopic(topic, (m) => ({
      key: m.key?.toString(),
      value: m.value?.toString() ?? "",
    }));
    expect(read).toHaveLength(1);
    expect(read[0]?.key).toBe("slo_burn:fct_orders");
    expect(alertSchema.parse(JSON.parse(read[0]?.value ?? ""))).toMatchObject({
      kind: "slo_burn",
      state: "firing",
      severity: "critical",
      long_window: "1h",
      short_window: "5m",
    });
  });

  it("times the rows each scheduled build makes visible, in /metrics and /api/status", {
    timeout: 240_000,
  }, async () => {
    const martSchema = uniqueName("floe_slo_serve");
    const source = `iceberg.${schema}.order_events`;
    const stamp = (msAgo: number) =>
      `TIMESTAMP '${new Date(Date.now() - msAgo).toISOString().replace("T", " ").replace("Z", "")}'`;
    await trino.query(`CREATE SCHEMA IF NOT EXISTS iceberg.${schema}`);
    await trino.query(`CREATE TABLE ${source} (order_id varchar, created_at timestamp(3))`);
    await trino.query(
      `INSERT INTO ${source} VALUES ('a', ${stamp(20_000)}), ('b', ${stamp(10_000)}), ('c', ${stamp(5_000)})`,
    );
    const dir = writeRunnerProject(martSchema, {
      "models/orders.sql": `{{config materialized="table"}}\nselect * from ${source}\n`,
      "models/orders.yml":
        "version: 2\nmodels:\n  - name: orders\n    config:\n      meta: {slo: {event_time: created_at}}\n",
    });
    const project = loadProject({ projectDir: dir, env: process.env });
    const lines: string[] = [];
    const handle = await startServe({
      host: "127.0.0.1",
      port: 0,
      project,
      selected: new Set(Object.keys(project.manifest.nodes)),
      connection: connectTarget(project.target),
      maintenanceConnection: connectTarget(project.target, { timeZone: "UTC" }),
      buildLogger: { event: () => {} },
      buildEveryMs: 2_000,
      // The model reads a table, not a declared source: --due could not see it change.
      due: false,
      log: (line) => lines.push(line),
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const timed = async (events: number) => {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const mart = handle.status().slo?.marts[0];
        if (mart && mart.events >= events) return mart;
        await sleep(1_000);
      }
      throw new Error(`serve timed fewer than ${events} events: ${JSON.stringify(handle.status().slo)}`);
    };
    try {
      // The mart did not exist before the first build: all three rows are that build's.
      const first = await timed(3);
      expect(first).toMatchObject({ mart: "orders", events: 3, compliance: 1 });
      expect(first.maxSeconds).toBeGreaterThanOrEqual(20);
      await trino.query(`INSERT INTO ${source} VALUES ('d', ${stamp(0)}), ('e', ${stamp(0)})`);
      const second = await timed(5);
      expect(second.events).toBe(5);
      const metrics = await (await fetch(`${handle.url}/metrics`)).text();
      expect(metrics).toContain('floe_event_to_mart_seconds_count{mart="orders"} 5');
      expect(metrics).toContain('floe_slo_compliance_ratio{mart="orders"} 1');
      expect(lines).toContain("serve: measuring event→mart latency on orders (SLO 99 % within 300 s)");
    } finally {
      handle.signal();
      await handle.done;
      await dropSchema(trino, martSchema);
    }
  });
});
