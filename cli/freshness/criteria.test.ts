import { describe, expect, it } from "vitest";
import { FloeError } from "../../core/errors.js";
import type { SourceNode } from "../manifest/manifest.js";
import { criteriaJson, formatAge, freshnessPlan, freshnessStatus } from "./criteria.js";

function source(extra: Partial<SourceNode>): SourceNode {
  return {
    unique_id: "source.shop.raw.orders",
    resource_type: "source",
    name: "raw.orders",
    source_name: "raw",
    table_name: "orders",
    package_name: "shop",
    original_file_path: "models/staging/sources.yml",
    path: "models/staging/sources.yml",
    fqn: ["shop", "raw", "orders"],
    description: "",
    relation: { catalog: "hive", schema: "raw", identifier: "orders" },
    columns: {},
    tags: [],
    config: { enabled: true, tags: [], meta: {} },
    fingerprint: { body: "", config: "", macros: "", yml: "" },
    ...extra,
  };
}

describe("freshnessStatus", () => {
  const criteria = {
    warn_after: { count: 6, period: "hour" as const },
    error_after: { count: 2, period: "day" as const },
  };

  it("passes, warns and errors by age, strictly past each threshold", () => {
    expect(freshnessStatus(criteria, 60)).toBe("pass");
    expect(freshnessStatus(criteria, 6 * 3600)).toBe("pass");
    expect(freshnessStatus(criteria, 6 * 3600 + 1)).toBe("warn");
    expect(freshnessStatus(criteria, 2 * 86_400)).toBe("warn");
    expect(freshnessStatus(criteria, 2 * 86_400 + 1)).toBe("error");
  });

  it("treats an empty table as infinitely old", () => {
    expect(freshnessStatus(criteria, undefined)).toBe("error");
    expect(freshnessStatus({ warn_after: { count: 1, period: "minute" } }, undefined)).toBe("warn");
  });

  it("uses only the thresholds that are set", () => {
    expect(freshnessStatus({ error_after: { count: 30, period: "minute" } }, 1801)).toBe("error");
    expect(freshnessStatus({ warn_after: { count: 30, period: "minute" } }, 10 * 86_400)).toBe("warn");
  });
});

describe("freshnessPlan", () => {
  it("checks a source with loaded_at_field and thresholds, in dbt or short form", () => {
    const plan = freshnessPlan(
      source({
        loaded_at_field: "_ingested_at",
        freshness: { warn_after: { count: 6, period: "hour" }, error_after: "2d", filter: "x > 1" },
      }),
    );
    expect(plan).toEqual({
      check: true,
      loadedAtField: "_ingested_at",
      criteria: {
        warn_after: { count: 6, period: "hour" },
        error_after: { count: 2, period: "day" },
        filter: "x > 1",
      },
    });
  });

  it("skips sources without freshness, thresholds or loaded_at_field, saying why", () => {
    expect(freshnessPlan(source({ loaded_at_field: "t" }))).toEqual({
      check: false,
      reason: "no freshness config",
    });
    expect(
      freshnessPlan(
        source({ loaded_at_field: "t", freshness: { warn_after: { count: null, period: null } } }),
      ),
    ).toMatchObject({ check: false, reason: "freshness has no warn_after or error_after" });
    expect(freshnessPlan(source({ freshness: { warn_after: "1h" } }))).toEqual({
      check: false,
      reason: "no loaded_at_field",
    });
  });

  it("rejects a malformed duration with the yml file and path", () => {
    let thrown: unknown;
    try {
      freshnessPlan(source({ loaded_at_field: "t", freshness: { warn_after: "soon" } }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FloeError);
    expect((thrown as FloeError).location).toEqual({
      file: "models/staging/sources.yml",
      path: "sources: raw.orders.freshness.warn_after",
    });
    expect((thrown as FloeError).exitCode).toBe(2);
  });
});

describe("criteriaJson and formatAge", () => {
  it("writes both thresholds, null when unset, as dbt does", () => {
    expect(criteriaJson({ warn_after: { count: 1, period: "hour" } })).toEqual({
      warn_after: { count: 1, period: "hour" },
      error_after: { count: null, period: null },
      filter: null,
    });
  });

  it("prints ages in a readable unit", () => {
    expect(formatAge(42)).toBe("42s");
    expect(formatAge(17 * 60)).toBe("17m");
    expect(formatAge(5.2 * 3600)).toBe("5.2h");
    expect(formatAge(3 * 86_400)).toBe("3.0d");
    expect(formatAge(undefined)).toBe("no rows");
  });
});
