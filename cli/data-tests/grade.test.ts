import { describe, expect, it } from "vitest";
import { testStatus } from "./grade.js";

describe("testStatus", () => {
  it("applies error_if before warn_if, and severity warn never fails", () => {
    const config = { severity: "error" as const, warn_if: "!=0", error_if: ">10" };
    expect(testStatus(config, 0)).toBe("pass");
    expect(testStatus(config, 3)).toBe("warn");
    expect(testStatus(config, 11)).toBe("fail");
    expect(testStatus({ ...config, severity: "warn" }, 11)).toBe("warn");
  });
});
