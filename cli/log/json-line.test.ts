import { describe, expect, it } from "vitest";
import { freshnessLogger } from "../freshness/freshness-log.js";
import { validateLogger } from "../validate/validate-log.js";
import { dbtShape, jsonLine } from "./json-line.js";

describe("jsonLine", () => {
  it("puts ts, level and invocation_id first, snake_cases keys and rounds floats", () => {
    const line = jsonLine(
      "info",
      {
        code: "NODE_FINISHED",
        result: { uniqueId: "model.shop.a", executionTime: 1.23456789, rowsAffected: 3 },
      },
      new Date("2026-01-01T00:00:00Z"),
    );
    expect(line.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(line);
    expect(Object.keys(parsed).slice(0, 3)).toEqual(["ts", "level", "invocation_id"]);
    expect(parsed).toMatchObject({
      ts: "2026-01-01T00:00:00.000Z",
      level: "info",
      result: { unique_id: "model.shop.a", execution_time: 1.235, rows_affected: 3 },
    });
  });

  it("leaves values, arrays of rows and keys that are not camelCase alone", () => {
    expect(dbtShape({ "model.shop.x": 1, already_snake: 0.1 + 0.2, rows: [["MixedCase", 2.34567]] })).toEqual(
      {
        "model.shop.x": 1,
        already_snake: 0.3,
        rows: [["MixedCase", 2.34567]],
      },
    );
  });

  it("freshness and validate JSON lines carry the text line as msg", () => {
    const lines: string[] = [];
    freshnessLogger("json", (l) => lines.push(l))({
      code: "SOURCE_STARTED",
      index: 2,
      total: 12,
      name: "shop.orders",
    });
    validateLogger("json", (l) => lines.push(l))({
      code: "ENGINE_UNAVAILABLE",
      message: "connection refused",
    });
    const [freshness, validate] = lines.map((l) => JSON.parse(l));
    expect(freshness.msg).toMatch(/^ 2 of 12 START freshness of shop\.orders \.+ \[RUN\]$/);
    expect(validate).toMatchObject({
      level: "warn",
      msg: "Warning: Trino is not reachable, so SQL was not checked by the engine: connection refused",
    });
  });
});
