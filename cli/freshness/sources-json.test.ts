import { describe, expect, it } from "vitest";
import { parseFreshnessRow } from "./freshness-query.js";
import { sourcesJson } from "./sources-json.js";

describe("sources.json", () => {
  const timing = { startedAt: "2026-01-01T00:00:00.000Z", completedAt: "2026-01-01T00:00:01.000Z" };

  it("has dbt's per-source fields, and the error for a runtime error", () => {
    const json = sourcesJson(
      [
        {
          uniqueId: "source.shop.raw.orders",
          name: "raw.orders",
          status: "warn",
          criteria: { warn_after: { count: 1, period: "hour" } },
          maxLoadedAt: "2025-12-31T20:00:00.000000Z",
          snapshottedAt: "2026-01-01T00:00:00.000000Z",
          ageSeconds: 14_400.00049,
          executionTime: 1.23456,
          queryId: "q1",
          ...timing,
        },
        {
          uniqueId: "source.shop.raw.gone",
          name: "raw.gone",
          status: "runtime error",
          criteria: { error_after: { count: 1, period: "day" } },
          executionTime: 0.1,
          error: {
            message: "Table 'hive.raw.gone' does not exist",
            code: "TRINO_TABLE_NOT_FOUND",
            file: "x.yml",
          },
          ...timing,
        },
      ],
      2,
      "2026-01-01T00:00:02.000Z",
    ) as { results: Record<string, unknown>[] };
    expect(json.results[0]).toEqual({
      unique_id: "source.shop.raw.orders",
      max_loaded_at: "2025-12-31T20:00:00.000000Z",
      snapshotted_at: "2026-01-01T00:00:00.000000Z",
      max_loaded_at_time_ago_in_s: 14_400,
      status: "warn",
      criteria: {
        warn_after: { count: 1, period: "hour" },
        error_after: { count: null, period: null },
        filter: null,
      },
      timing: [{ name: "execute", started_at: timing.startedAt, completed_at: timing.completedAt }],
      execution_time: 1.235,
      adapter_response: { query_id: "q1" },
    });
    expect(json.results[1]).toMatchObject({
      unique_id: "source.shop.raw.gone",
      status: "runtime error",
      error: "Table 'hive.raw.gone' does not exist",
    });
    expect(json.results[1]).not.toHaveProperty("max_loaded_at");
  });

  it("reads the query row; an empty table has no max and no age", () => {
    expect(
      parseFreshnessRow({ max_loaded_at: null, snapshotted_at: "2026-01-01T00:00:00Z", age_s: null }),
    ).toEqual({
      maxLoadedAt: undefined,
      snapshottedAt: "2026-01-01T00:00:00Z",
      ageSeconds: undefined,
    });
    expect(parseFreshnessRow({ max_loaded_at: "a", snapshotted_at: "b", age_s: 3.5 }).ageSeconds).toBe(3.5);
  });
});
