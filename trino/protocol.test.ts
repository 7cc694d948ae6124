import { describe, expect, it } from "vitest";
import { PageSchema, sessionHeader } from "./protocol.js";

describe("Trino protocol", () => {
  it("encodes session properties", () => {
    expect(sessionHeader({ query_max_run_time: "1h", odd: "a,b=c" })).toBe(
      "query_max_run_time=1h,odd=a%2Cb%3Dc",
    );
  });
  it("parses a failed page with its location", () => {
    const page = PageSchema.parse({
      id: "q1",
      stats: { state: "FAILED" },
      error: {
        message: "line 2:3: Column 'x' cannot be resolved",
        errorCode: 47,
        errorName: "COLUMN_NOT_FOUND",
        errorType: "USER_ERROR",
        errorLocation: { lineNumber: 2, columnNumber: 3 },
        failureInfo: { type: "x" },
      },
    });
    expect(page.error?.errorLocation).toEqual({ lineNumber: 2, columnNumber: 3 });
    expect(page.stats?.processedRows).toBe(0);
  });
});
