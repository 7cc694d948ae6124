import { describe, expect, it } from "vitest";
import { cell, markdownTable, verdict, weightedPercentile } from "./stats.js";

describe("weightedPercentile", () => {
  it("counts each bucket by its rows, whatever order the buckets come in", () => {
    const buckets = [
      { ageSeconds: 30, rows: 1 },
      { ageSeconds: 10, rows: 98 },
      { ageSeconds: 20, rows: 1 },
    ];
    expect(weightedPercentile(buckets, 50)).toBe(10);
    expect(weightedPercentile(buckets, 98)).toBe(20);
    expect(weightedPercentile(buckets, 99)).toBe(30);
    expect(weightedPercentile(buckets, 100)).toBe(30);
  });

  it("matches the unweighted rank rule when every bucket holds one row", () => {
    const ages = [5, 1, 4, 2, 3];
    const sorted = [...ages].sort((a, b) => a - b);
    const buckets = ages.map((ageSeconds) => ({ ageSeconds, rows: 1 }));
    for (const p of [0, 20, 50, 99])
      expect(weightedPercentile(buckets, p)).toBe(sorted[Math.floor((p / 100) * 5)]);
  });

  it("is NaN without rows", () => {
    expect(weightedPercentile([{ ageSeconds: 3, rows: 0 }], 50)).toBeNaN();
  });
});

describe("table cells and verdicts", () => {
  it("prints a dash for what was not measured", () => {
    expect(cell(undefined)).toBe("–");
    expect(cell(Number.NaN)).toBe("–");
    expect(cell(12345.678, 1)).toBe("12,345.7");
  });

  it("aligns a Markdown table with right-aligned figures", () => {
    expect(markdownTable(["sink", "events/s"], [["floe", "40,000"]])).toBe(
      ["| sink | events/s |", "|------|---------:|", "| floe |   40,000 |"].join("\n"),
    );
  });

  it("says met or missed against the target", () => {
    expect(verdict(2.5, 2, true)).toBe("2.50× (target ≥ 2×): met");
    expect(verdict(0.6, 0.5, false)).toBe("0.60× (target ≤ 0.5×): missed");
    expect(verdict(Number.NaN, 2, true)).toBe("not measured");
  });
});
