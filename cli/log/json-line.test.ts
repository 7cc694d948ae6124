import { describe, expect, it } from "vitest";
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
});
