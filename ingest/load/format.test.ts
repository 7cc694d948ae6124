import { describe, expect, it } from "vitest";
import { extensionOf, formatOf, isLoadable } from "./format.js";

describe("formatOf", () => {
  it("reads the extension of a path, case-insensitively", () => {
    expect(formatOf("data/events.ndjson")).toBe("ndjson");
    expect(formatOf("events.JSONL")).toBe("ndjson");
    expect(formatOf("/tmp/x/orders.csv")).toBe("csv");
    expect(formatOf("part-0.parquet")).toBe("parquet");
    expect(formatOf("part-0.pq")).toBe("parquet");
  });

  it("reads a URL's path, not its query string or host", () => {
    expect(formatOf("https://example.com/exports/day.csv?sig=a.parquet")).toBe("csv");
    expect(extensionOf("http://files.example.com/")).toBe("");
  });

  it("lets --format win over the extension", () => {
    expect(formatOf("events.txt", "ndjson")).toBe("ndjson");
    expect(formatOf("data.csv", "PARQUET")).toBe("parquet");
  });

  it("refuses an unknown extension or format with the fix", () => {
    expect(() => formatOf("events.txt")).toThrow(/cannot tell the format of events.txt \(extension \.txt\)/);
    expect(() => formatOf("README")).toThrow(/no extension/);
    try {
      formatOf("x.csv", "xml");
      expect.unreachable();
    } catch (error) {
      expect((error as { hint?: string }).hint).toMatch(/ndjson, csv, parquet/);
    }
  });

  it("knows which folder entries it would load", () => {
    expect(isLoadable("a.csv")).toBe(true);
    expect(isLoadable(".hidden")).toBe(false);
    expect(isLoadable("notes.md")).toBe(false);
  });
});
