import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import type { Manifest } from "../manifest/manifest.js";
import { eventTimeCountsSql, measuredMarts } from "./slo-marts.js";

function manifest(models: Record<string, Record<string, unknown>>): Manifest {
  const nodes = Object.fromEntries(
    Object.entries(models).map(([name, config]) => [
      `model.shop.${name}`,
      {
        resource_type: "model",
        unique_id: `model.shop.${name}`,
        name,
        original_file_path: `models/${name}.sql`,
        patch_path: "models/marts.yml",
        relation: { catalog: "iceberg", schema: "marts", identifier: name },
        config: { meta: {}, ...config },
      },
    ]),
  );
  return { nodes } as unknown as Manifest;
}

const all = (m: Manifest) => new Set(Object.keys(m.nodes));

describe("measured marts", () => {
  it("measures the models with meta.slo, with their event-time column, count column and grain", () => {
    const m = manifest({
      fct_orders: { meta: { slo: { event_time: "created_at" } } },
      metrics_by_minute: { meta: { slo: { event_time: "bucket_start", count: "events", grain: "1m" } } },
      metrics_by_day: { event_time: "bucket_start" },
      dim_x: { event_time: "seen_at", meta: { slo: true } },
    });
    expect(measuredMarts(m, all(m))).toEqual([
      expect.objectContaining({ name: "dim_x", eventTime: "seen_at", count: undefined, grainSeconds: 5 }),
      expect.objectContaining({ name: "fct_orders", eventTime: "created_at", grainSeconds: 5 }),
      expect.objectContaining({
        name: "metrics_by_minute",
        relation: '"iceberg"."marts"."metrics_by_minute"',
        count: "events",
        grainSeconds: 60,
      }),
    ]);
  });

  it("measures only what the selection builds", () => {
    const m = manifest({ fct_orders: { meta: { slo: { event_time: "created_at" } } } });
    expect(measuredMarts(m, new Set())).toEqual([]);
  });

  it("names the model, file and key of a declaration it cannot use", () => {
    const noColumn = manifest({ fct_orders: { meta: { slo: true } } });
    expect(() => measuredMarts(noColumn, all(noColumn))).toThrow(ConfigError);
    expect(() => measuredMarts(noColumn, all(noColumn))).toThrow(
      "model 'fct_orders' (models/marts.yml), meta.slo: no event-time column",
    );
    const typo = manifest({ fct_orders: { meta: { slo: { event_tme: "created_at" } } } });
    expect(() => measuredMarts(typo, all(typo))).toThrow(/meta\.slo: .*event_tme/);
    const grain = manifest({ fct_orders: { meta: { slo: { event_time: "t", grain: "soon" } } } });
    expect(() => measuredMarts(grain, all(grain))).toThrow("a duration like 5s or 1m");
  });

  it("asks Trino for events per bucket since the lookback's start, aligned to the grain", () => {
    const m = manifest({
      metrics_by_minute: { meta: { slo: { event_time: "bucket_start", count: "events", grain: "1m" } } },
    });
    const [mart] = measuredMarts(m, all(m));
    expect(mart && eventTimeCountsSql(mart, 1_000_030)).toBe(
      [
        'select cast(floor(to_unixtime("bucket_start") / 60) * 60 as bigint) as bucket_start, sum(cast("events" as bigint)) as events',
        'from "iceberg"."marts"."metrics_by_minute"',
        'where "bucket_start" >= from_unixtime(1000020)',
        "group by 1",
      ].join("\n"),
    );
  });
});
