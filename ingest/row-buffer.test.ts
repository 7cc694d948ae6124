import { describe, expect, it } from "vitest";
import { RowBuffer } from "./row-buffer.js";

const line = (i: number) => `{"o":${i},"e":{"name":"ü€😀 ${"x".repeat(i % 50)}"}}`;

function filled(n: number, first = 0): RowBuffer {
  const rows = new RowBuffer();
  for (let i = first; i < first + n; i++) rows.append(BigInt(i), 1_000 + i, line(i));
  return rows;
}

describe("RowBuffer", () => {
  it("keeps rows, offsets and timestamps across many chunks", () => {
    const rows = filled(40_000);
    expect(rows.length).toBe(40_000);
    expect(rows.data().length).toBeGreaterThan(2);
    const lines = rows.lines();
    expect(lines).toHaveLength(40_000);
    expect(lines[12_345]).toBe(line(12_345));
    expect(rows.offset(39_999)).toBe(39_999n);
    expect(rows.timestamps(5, 8)).toEqual([1_005, 1_006, 1_007]);
    const bytes = Buffer.concat(rows.data());
    expect(bytes.length).toBe(rows.byteLength);
    expect(bytes.toString("utf8")).toBe(`${lines.join("\n")}\n`);
  });

  it("splits off the rows from an index, sharing nothing the new buffer writes to", () => {
    const rows = filled(30_000);
    for (const start of [0, 1, 17_000, 29_999, 30_000]) {
      const rest = rows.from(start);
      expect(rest.length).toBe(30_000 - start);
      expect(rest.lines()).toEqual(rows.lines().slice(start));
      if (rest.length > 0) expect(rest.offset(0)).toBe(BigInt(start));
      rest.append(99_999n, 0, line(7));
      expect(rest.lines().at(-1)).toBe(line(7));
      expect(rows.lines()).toHaveLength(30_000);
    }
  });

  it("takes a row larger than a chunk", () => {
    const rows = filled(3);
    const big = `{"e":"${"y".repeat(3 * 1024 * 1024)}"}`;
    rows.append(3n, 0, big);
    rows.append(4n, 0, line(4));
    expect(rows.lines()).toEqual([line(0), line(1), line(2), big, line(4)]);
  });
});
