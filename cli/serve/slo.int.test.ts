import { afterAll, describe, expect, it } from "vitest";
import { alertSchema } from "../../core/alert.js";
import { kafkaAlertPublisher } from "../../ingest/alert-publisher.js";
import { endpointsFromEnv, kafkaClient } from "../../ingest/endpoints.js";
import { readTopic } from "../../ingest/int-helpers.js";
import { uniqueName } from "../../testing/local-stack.js";
import { createTrinoConnection } from "../../trino/connection.js";
import { testTrinoPort } from "../testing/run-fixture.js";
import { dropSchema } from "../testing/warehouse.js";
import { evaluateBurn, SRE_BURN_RULES } from "./slo-burn.js";
import type { MeasuredMart } from "./slo-marts.js";
import { trinoEventTimes } from "./slo-monitor.js";

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
});
