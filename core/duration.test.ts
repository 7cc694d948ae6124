import { describe, expect, it } from "vitest";
import { durationSeconds, firstDayKept } from "./duration.js";

describe("durations", () => {
  it("reads each unit, a year as 365 days", () => {
    expect(durationSeconds("30s")).toBe(30);
    expect(durationSeconds("15m")).toBe(900);
    expect(durationSeconds("24h")).toBe(86_400);
    expect(durationSeconds(" 7d ")).toBe(7 * 86_400);
    expect(durationSeconds("2w")).toBe(14 * 86_400);
    expect(durationSeconds("2y")).toBe(730 * 86_400);
  });

  it("is undefined for anything else", () => {
    for (const bad of ["", "7", "d", "7 days", "1.5d", "-1d", "7D"])
      expect(durationSeconds(bad)).toBeUndefined();
  });

  it("keeps the day holding the window's start and drops the days before it", () => {
    const now = new Date("2026-12-06T10:00:00Z");
    expect(firstDayKept(now, 180 * 86_400)).toBe("2026-06-09");
    // Just after midnight the window's start is still on the previous day's date.
    expect(firstDayKept(new Date("2026-12-06T00:00:01Z"), 86_400)).toBe("2026-12-05");
    expect(firstDayKept(new Date("2026-12-06T00:00:00Z"), 86_400)).toBe("2026-12-05");
  });
});
