import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeMessage, type TopicKind } from "./contracts.js";
import { generateShop } from "./generator.js";
import { DuckParquetEncoder, type LineFileInput, rowLine, rowsFromLines } from "./parquet-duckdb.js";
import { encodeParquet } from "./parquet-file.js";
import { RAW_COLUMNS } from "./raw-schema.js";
import { RowBuffer } from "./row-buffer.js";

let encoder: DuckParquetEncoder;
let reader: Awaited<ReturnType<DuckDBInstance["connect"]>>;
let dir: string;
let n = 0;

beforeAll(async () => {
  encoder = await DuckParquetEncoder.create(1);
  const instance = await DuckDBInstance.create(":memory:");
  reader = await instance.connect();
  await reader.run("SET TimeZone = 'UTC'");
  dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "floe-duck-test-"));
});
afterAll(async () => {
  await encoder.close();
  reader.closeSync();
});

/** Every row of a Parquet file, as DuckDB reads it (a reader independent of both writers). */
async function readBack(body: Uint8Array): Promise<unknown[]> {
  const path = join(dir, `${n++}.parquet`);
  writeFileSync(path, body);
  const result = await reader.runAndReadAll(`SELECT * FROM read_parquet('${path}') ORDER BY _kafka_offset`);
  return result.getRowObjectsJson();
}

function input(
  kind: TopicKind,
  eventType: string,
  values: readonly string[],
  traceIds: readonly (string | null)[] = [],
): LineFileInput {
  const now = Date.UTC(2026, 0, 5, 12, 0, 0, 123);
  const rows = new RowBuffer();
  values.forEach((text, i) => {
    const decoded = decodeMessage(kind, Buffer.from(text));
    if (!decoded.ok) throw new Error(decoded.reason);
    const time = String(decoded.event.fields.event_time);
    const trace = traceIds[i] ?? null;
    const line = rowLine(String(100 + i), decoded.event, decoded.text, Date.parse(time), now + i, trace);
    rows.append(BigInt(100 + i), now, line);
  });
  return {
    kind,
    eventType,
    partition: 2,
    rows,
    metadata: { "floe.topic": "t", "floe.start_offset": "100" },
  };
}

/** The same lines through the JS path (toRawRow + hyparquet-writer): the reference the DuckDB file must match. */
async function reference(file: LineFileInput): Promise<unknown[]> {
  return readBack(encodeParquet({ columns: RAW_COLUMNS[file.kind], rows: rowsFromLines(file) }));
}

const view = {
  event_id: "6f1c5b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f",
  event_type: "product_view",
  event_time: "2026-01-05T10:00:00.123456Z",
  user_id: "u1",
  session_id: "s1",
  product_id: "p1",
};

describe("DuckParquetEncoder", () => {
  it("writes the same rows as the JS path for every topic and event type of a generated shop", async () => {
    const byFile = new Map<string, { kind: TopicKind; type: string; values: string[] }>();
    for (const m of generateShop({ events: 3_000, seed: 5, v3Share: 0.3 }).messages) {
      if (!m.event) continue;
      const type = String(m.event.event_type);
      const key = `${m.kind}/${type}`;
      let f = byFile.get(key);
      if (!f) {
        f = { kind: m.kind, type, values: [] };
        byFile.set(key, f);
      }
      f.values.push(m.value);
    }
    expect(byFile.size).toBeGreaterThanOrEqual(8);
    for (const f of byFile.values()) {
      const file = input(f.kind, f.type, f.values);
      const rows = await readBack(await encoder.encode(file));
      expect(rows.length).toBe(f.values.length);
      if (f.type === "order_created")
        expect((rows[0] as { items: unknown[] }).items.length).toBeGreaterThan(0);
      expect((rows[0] as { event_time: string }).event_time).toMatch(/^20\d\d-\d\d-\d\d \d\d:\d\d:\d\d/);
      expect(rows).toEqual(await reference(file));
    }
    expect(encoder.fallbacks).toBe(0);
  });

  it("keeps a v1 event's v2-only field in attributes only, like the contract's output", async () => {
    const file = input("user-events", "product_view", [
      JSON.stringify({ ...view, referrer: "ads", color: "red", n: 5 }),
      JSON.stringify({ ...view, schema_version: 2, referrer: "ads" }),
      JSON.stringify(view, null, 2),
    ]);
    const rows = (await readBack(await encoder.encode(file))) as Record<string, unknown>[];
    expect(rows.map((r) => r.referrer)).toEqual([null, "ads", null]);
    expect(rows[0]?.attributes).toEqual([
      { key: "referrer", value: "ads" },
      { key: "color", value: "red" },
      { key: "n", value: "5" },
    ]);
    expect(rows).toEqual(await reference(file));
    expect(encoder.fallbacks).toBe(0);
  });

  it("writes v3's page_url to its column for v3 events only, the same on both paths", async () => {
    const file = input("user-events", "product_view", [
      JSON.stringify({ ...view, schema_version: 3, page_url: "/products/p1", referrer: "ads" }),
      JSON.stringify({ ...view, schema_version: 2, page_url: "/products/p1", referrer: "ads" }),
      JSON.stringify({ ...view, schema_version: 3 }),
      JSON.stringify(view),
    ]);
    const rows = (await readBack(await encoder.encode(file))) as Record<string, unknown>[];
    expect(rows.map((r) => r.page_url)).toEqual(["/products/p1", null, null, null]);
    expect(rows.map((r) => r.referrer)).toEqual(["ads", "ads", null, null]);
    expect(rows.map((r) => r.schema_version)).toEqual([3, 2, 3, 1]);
    expect(rows[1]?.attributes).toEqual([{ key: "page_url", value: "/products/p1" }]);
    expect(rows).toEqual(await reference(file));
    expect(encoder.fallbacks).toBe(0);
  });

  it("stores the trace id the message carried, or null, in _trace_id on both paths", async () => {
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const file = input(
      "user-events",
      "product_view",
      [JSON.stringify(view), JSON.stringify(view)],
      [trace, null],
    );
    const rows = (await readBack(await encoder.encode(file))) as Record<string, unknown>[];
    expect(rows.map((r) => r._trace_id)).toEqual([trace, null]);
    expect(rows).toEqual(await reference(file));
  });

  it("falls back to the JS writer, with the same rows, where DuckDB refuses the JSON", async () => {
    const loneSurrogate = JSON.stringify({ ...view, device: "web", user_id: "u\ud800" });
    const duplicateKey = `{"user_id":"first",${JSON.stringify(view).slice(1)}`;
    const before = encoder.fallbacks;
    for (const value of [loneSurrogate, duplicateKey]) {
      const file = input("user-events", "product_view", [JSON.stringify(view), value]);
      const rows = await readBack(await encoder.encode(file));
      expect(rows).toEqual(await reference(file));
    }
    expect(encoder.fallbacks).toBe(before + 2);
  });
});
