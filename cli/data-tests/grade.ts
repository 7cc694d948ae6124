import type { TestConfig } from "../manifest/config.js";

/**
 * A test's outcome from its number of failing rows, with dbt's rules: `error_if` is checked first (only
 * for severity error), then `warn_if`; both default to `!=0`.
 */
export function testStatus(
  config: Pick<TestConfig, "severity" | "warn_if" | "error_if">,
  failures: number,
): "pass" | "warn" | "fail" {
  if (config.severity === "error" && compareThreshold(failures, config.error_if)) return "fail";
  if (compareThreshold(failures, config.warn_if)) return "warn";
  return "pass";
}

export function compareThreshold(value: number, condition: string): boolean {
  const match = /^\s*(==|!=|>=|<=|>|<|=)\s*(\d+)\s*$/.exec(condition);
  if (!match) return value !== 0;
  const limit = Number(match[2]);
  switch (match[1]) {
    case "==":
    case "=":
      return value === limit;
    case "!=":
      return value !== limit;
    case ">=":
      return value >= limit;
    case "<=":
      return value <= limit;
    case ">":
      return value > limit;
    default:
      return value < limit;
  }
}
