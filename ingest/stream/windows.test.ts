import { describe, expect, it } from "vitest";
import {
  groupValue,
  isoSeconds,
  uniqueUsersKey,
  windowExpiresAt,
  windowKey,
  windowStart,
  windowStartsBetween,
} from "./windows.js";

const at = (iso: string) => Date.parse(iso);

describe("tumbling windows", () => {
  it("puts an instant in the window that starts at or before it", () => {
    expect(isoSeconds(windowStart("1m", at("2024-01-15T10:30:59.999Z")))).toBe("2024-01-15T10:30:00Z");
    expect(isoSeconds(windowStart("1m", at("2024-01-15T10:31:00.000Z")))).toBe("2024-01-15T10:31:00Z");
    expect(isoSeconds(windowStart("5m", at("2024-01-15T10:34:59Z")))).toBe("2024-01-15T10:30:00Z");
    expect(isoSeconds(windowStart("1h", at("2024-01-15T10:59:59Z")))).toBe("2024-01-15T10:00:00Z");
  });

  it("expires a window the seed's TTL after it starts", () => {
    const start = windowStart("1m", at("2024-01-15T10:30:10Z"));
    expect(windowExpiresAt("1m", start) - start).toBe(120);
    expect(windowExpiresAt("5m", start) - start).toBe(600);
    expect(windowExpiresAt("1h", start) - start).toBe(7200);
  });

  it("names keys as seed 003 does, groups as a suffix, unique users as :hll", () => {
    const startS = at("2024-01-15T10:30:00Z") / 1000;
    expect(windowKey("", { metric: "revenue", window: "5m", startS })).toBe(
      "metric:revenue:5m:2024-01-15T10:30:00Z",
    );
    const grouped = {
      metric: "events",
      window: "1m" as const,
      startS,
      group: { dimension: "country" as const, value: "US" },
    };
    expect(windowKey("t1:", grouped)).toBe("t1:metric:events:1m:2024-01-15T10:30:00Z:country:US");
    expect(uniqueUsersKey("", grouped)).toBe("metric:events:1m:2024-01-15T10:30:00Z:country:US:hll");
  });

  it("keeps group values key-safe", () => {
    expect(groupValue(undefined)).toBe("unknown");
    expect(groupValue("")).toBe("unknown");
    expect(groupValue("ios")).toBe("ios");
    expect(groupValue("a:b c")).toBe("a_b_c");
  });

  it("lists window starts in a range, bounded", () => {
    const from = at("2024-01-15T10:30:30Z") / 1000;
    expect(windowStartsBetween("1m", from, from + 120, 100).map(isoSeconds)).toEqual([
      "2024-01-15T10:30:00Z",
      "2024-01-15T10:31:00Z",
      "2024-01-15T10:32:00Z",
    ]);
    expect(windowStartsBetween("1m", from, from + 86_400, 5)).toHaveLength(5);
  });
});
