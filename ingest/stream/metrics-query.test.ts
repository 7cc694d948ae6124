import { describe, expect, it } from "vitest";
import { martSql, parseMetricsQuery, splitBySource } from "./metrics-query.js";

const NOW = Date.parse("2026-12-06T10:05:30Z");
const parse = (query: string) => parseMetricsQuery(new URLSearchParams(query), NOW);

describe("GET /v1/metrics parameters", () => {
  it("defaults window to 1m, to to now and from to 12 windows before", () => {
    expect(parse("name=events")).toEqual({
      ok: true,
      query: {
        name: "events",
        window: "1m",
        fromS: NOW / 1000 - 30 - 720 + 30,
        toS: NOW / 1000,
        groupBy: undefined,
      },
    });
  });

  it("takes ISO times or epoch seconds, and a group", () => {
    const result = parse(
      "name=purchase_revenue&window=5m&from=2026-12-06T09:00:00Z&to=1796551200&group_by=country",
    );
    expect(result).toMatchObject({
      ok: true,
      query: {
        window: "5m",
        fromS: Date.parse("2026-12-06T09:00:00Z") / 1000,
        toS: 1796551200,
        groupBy: "country",
      },
    });
  });

  it("names every bad parameter and the fix", () => {
    const result = parse("name=nope&window=2m&from=yesterday&group_by=city&limit=3");
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.join("\n")).toContain("unknown parameter limit");
    const bad = parse("name=nope&window=2m&from=yesterday&group_by=city");
    expect(bad.ok ? [] : bad.errors).toEqual([
      expect.stringMatching(/^name: must be one of events, .*orders$/),
      "window: must be one of 1m, 5m, 1h",
      "from: must be an ISO-8601 time or epoch seconds",
      "group_by: must be one of country, device",
    ]);
    expect(parse("name=events&from=2026-12-06T10:00:00Z&to=2026-12-06T09:00:00Z")).toEqual({
      ok: false,
      errors: ["from: must be before to"],
    });
    expect(parse("name=events&from=2026-01-01T00:00:00Z").ok).toBe(false);
  });
});

describe("where windows come from", () => {
  it("splits at each window's expiry: Redis holds the live ones, the mart the rest", () => {
    const result = parse("name=events&from=2026-12-06T10:01:00Z&to=2026-12-06T10:06:00Z");
    if (!result.ok) throw new Error("parse");
    const { redis, mart } = splitBySource(result.query, NOW);
    const iso = (s: number) => new Date(s * 1000).toISOString().slice(11, 16);
    // 1m windows live 2 min after their start: at 10:05:30 the 10:04 and 10:05 ones.
    expect(mart.map(iso)).toEqual(["10:01", "10:02", "10:03"]);
    expect(redis.map(iso)).toEqual(["10:04", "10:05"]);
  });

  it("rolls the minute mart up to the window, by group", () => {
    const result = parse(
      "name=purchase_revenue&window=5m&group_by=device&from=2026-12-06T08:00:00Z&to=2026-12-06T09:00:00Z",
    );
    if (!result.ok) throw new Error("parse");
    const starts = splitBySource(result.query, NOW).mart;
    expect(martSql(result.query, starts, "iceberg.m.metrics_by_minute")).toBe(
      [
        "select cast(floor(to_unixtime(bucket_start) / 300) * 300 as bigint) as window_start,",
        "  coalesce(device, 'unknown') as grp, sum(purchases) as cnt, cast(sum(purchase_revenue) as double) as total",
        "from iceberg.m.metrics_by_minute",
        "where bucket_start >= timestamp '2026-12-06 08:00:00' and bucket_start < timestamp '2026-12-06 09:00:00'",
        "group by 1, 2",
        "order by 1, 2",
      ].join("\n"),
    );
    const orders = parse("name=orders");
    if (!orders.ok) throw new Error("parse");
    expect(martSql(orders.query, starts, "x")).toBeUndefined();
  });
});
