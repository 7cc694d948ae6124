import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { loadEntry } from "./load-messages.js";
import { readRows, type SourceRow } from "./readers.js";

const dir = mkdtempSync(join(tmpdir(), "floe-readers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, format: "ndjson" | "csv" | "parquet"): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const row of readRows(path, format)) rows.push(row);
  return rows;
}

describe("readRows", () => {
  it("NDJSON: one row a non-blank line, with its line number", async () => {
    const path = join(dir, "a.ndjson");
    writeFileSync(path, '{"a":1}\n\n{"a":2}\r\n{bad\n');
    const rows = await collect(path, "ndjson");
    expect(rows).toEqual([
      { row: 0, line: 1, item: { kind: "line", text: '{"a":1}' } },
      { row: 1, line: 3, item: { kind: "line", text: '{"a":2}' } },
      { row: 2, line: 4, item: { kind: "line", text: "{bad" } },
    ]);
  });

  it("NDJSON: a line with invalid UTF-8 is a malformed row (for the DLQ), not rewritten to U+FFFD", async () => {
    const path = join(dir, "utf8.ndjson");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xff]), Buffer.from('"}\n{"a":3}')]),
    );
    const rows = await collect(path, "ndjson");
    expect(rows.map((r) => [r.row, r.line, r.item.kind])).toEqual([
      [0, 1, "line"],
      [1, 2, "malformed"],
      [2, 3, "line"],
    ]);
    expect(rows[1]?.item).toMatchObject({ kind: "malformed", reason: "invalid UTF-8 at byte 6" });
  });

  it("NDJSON: lines longer than a read chunk and multi-byte characters across chunks stay whole", async () => {
    const path = join(dir, "long.ndjson");
    const long = `{"a":"${"é".repeat(100_000)}"}`;
    writeFileSync(path, `${long}\n${long}\n`);
    const rows = await collect(path, "ndjson");
    expect(rows.map((r) => (r.item.kind === "line" ? r.item.text : r.item.kind))).toEqual([long, long]);
  });

  it("CSV: records and bad rows interleaved in file order, with line numbers", async () => {
    const path = join(dir, "a.csv");
    writeFileSync(path, "\uFEFFevent_type,quantity\nadd_to_cart,1\npurchase,2,extra\ncheckout,\n");
    const rows = await collect(path, "csv");
    expect(rows.map((r) => [r.row, r.line, r.item.kind])).toEqual([
      [0, 2, "record"],
      [1, 3, "malformed"],
      [2, 4, "record"],
    ]);
    expect(rows[0]?.item).toEqual({ kind: "record", record: { event_type: "add_to_cart", quantity: "1" } });
    const bad = rows[1]?.item;
    expect(bad?.kind === "malformed" && bad.reason).toMatch(/^bad CSV row: .*(column|field)/i);
    // The letter carries the row as it was in the file.
    expect(bad?.kind === "malformed" && bad.text).toBe("purchase,2,extra");
  });

  it("CSV: the same order however the file is chunked", async () => {
    const path = join(dir, "big.csv");
    const lines = ["event_type,n"];
    for (let i = 0; i < 30_000; i++) lines.push(i % 1000 === 7 ? `bad,${i},x` : `product_view,${i}`);
    writeFileSync(path, `${lines.join("\n")}\n`);
    const rows = await collect(path, "csv");
    expect(rows).toHaveLength(30_000);
    expect(rows.every((r, i) => r.row === i && r.line === i + 2)).toBe(true);
    expect(rows.filter((r) => r.item.kind === "malformed").map((r) => r.row)).toEqual(
      Array.from({ length: 30 }, (_, k) => k * 1000 + 7),
    );
  });

  it("Parquet: typed columns through DuckDB, in file order", async () => {
    const path = join(dir, "a.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    await connection.run(
      `COPY (SELECT 'purchase' AS event_type, i::BIGINT AS user_id, TIMESTAMPTZ '2026-01-05 10:00:00+00' AS event_time,
         [{'sku': 'p-1', 'qty': 1}] AS items
       FROM range(3) t(i)) TO '${path}' (FORMAT parquet)`,
    );
    connection.closeSync();
    db.closeSync();
    const rows = await collect(path, "parquet");
    expect(rows.map((r) => r.row)).toEqual([0, 1, 2]);
    const entry = loadEntry({ name: "a.parquet", sha256: "f".repeat(64) }, rows[2] as SourceRow, {
      topicOf: (k) => `t-${k}`,
      dlq: "t-dlq",
    });
    // Not a valid purchase (no session_id…), so a letter: but its value shows the typed row.
    expect(JSON.parse(entry.message.value)).toEqual({
      event_type: "purchase",
      user_id: "2",
      event_time: "2026-01-05T10:00:00.000Z",
      items: [{ sku: "p-1", qty: 1 }],
    });
    expect(entry.message).toMatchObject({
      topic: "t-dlq",
      headers: {
        source_file: "a.parquet",
        source_row: "2",
        error: expect.stringMatching(/session_id: required/),
      },
    });
    expect(entry.message.headers.source_line).toBeUndefined();
  });
});
