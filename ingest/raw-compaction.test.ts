import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { parseEvent } from "./contracts.js";
import { encodeParquet } from "./parquet-file.js";
import { type CompactionStore, compactRawPartitions } from "./raw-compaction.js";
import { RAW_COLUMNS, toRawRow } from "./raw-schema.js";
import { DEFAULT_RAW_TARGET } from "./raw-tables.js";

const TOPIC = "user-events";
const FOLDER = `raw/${TOPIC}/event_date=2026-03-01/event_type=product_view/`;

function rawRow(offset: number, extra: Record<string, unknown>) {
  const parsed = parseEvent(TOPIC, {
    event_id: `0b5f6c1e-8a4e-4b2a-9a51-3c2d1e0f9a7${offset}`,
    event_type: "product_view",
    event_time: "2026-03-01T10:00:00.000Z",
    user_id: "u-1",
    session_id: "s-1",
    product_id: "p-1",
    ...extra,
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return toRawRow(parsed.event, { partition: 0, offset: BigInt(offset), ingestedAt: new Date(0) });
}

/** S3 as a map: what compaction lists, reads, stores and deletes. */
function memoryStore(objects: Map<string, { body: Uint8Array; end: bigint }>): CompactionStore {
  return {
    async *list(prefix) {
      for (const key of [...objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
    },
    async delete(keys) {
      for (const key of keys) objects.delete(key);
    },
    async endOffset(key) {
      return objects.get(key)?.end;
    },
    async get(key) {
      const object = objects.get(key);
      if (!object) throw new Error(`no object ${key}`);
      return object.body;
    },
    async putIfAbsent(key, body, metadata) {
      if (objects.has(key)) return "existing";
      objects.set(key, { body, end: BigInt(metadata["end-offset"] ?? -1) });
      return "written";
    },
  };
}

describe("raw compaction across a schema change", () => {
  it("keeps a column only the newer files have (v3's page_url), older rows NULL, instead of dropping it", async () => {
    // A file the sink wrote before v3 (no page_url column), then one after (v3 rows with it).
    const before = RAW_COLUMNS[TOPIC].filter((c) => c.name !== "page_url");
    const objects = new Map([
      [
        `${FOLDER}${TOPIC}+0+0.parquet`,
        { body: encodeParquet({ columns: before, rows: [rawRow(0, {}), rawRow(1, {})] }), end: 1n },
      ],
      [
        `${FOLDER}${TOPIC}+0+2.parquet`,
        {
          body: encodeParquet({
            columns: RAW_COLUMNS[TOPIC],
            rows: [rawRow(2, { schema_version: 3, page_url: "/products/p-1" }), rawRow(3, {})],
          }),
          end: 3n,
        },
      ],
    ]);
    const result = await compactRawPartitions({
      target: DEFAULT_RAW_TARGET,
      topics: [TOPIC],
      now: new Date("2026-03-10T00:00:00Z"),
      dryRun: false,
      store: memoryStore(objects),
      committed: async () => new Map([[0, 4n]]),
      minFiles: 2,
    });
    expect(result).toMatchObject({ filesBefore: 2, filesAfter: 1 });
    const [merged, ...others] = [...objects.entries()];
    expect(others).toEqual([]);
    expect(merged?.[0]).toBe(`${FOLDER}${TOPIC}+0+0-3.parquet`);

    const dir = mkdtempSync(join(tmpdir(), "floe-compaction-test-"));
    const instance = await DuckDBInstance.create(":memory:");
    const duck = await instance.connect();
    try {
      writeFileSync(join(dir, "merged.parquet"), merged?.[1].body ?? new Uint8Array());
      const read = await duck.runAndReadAll(
        `SELECT _kafka_offset, page_url FROM read_parquet('${join(dir, "merged.parquet")}') ORDER BY 1`,
      );
      expect(read.getRowsJson()).toEqual([
        ["0", null],
        ["1", null],
        ["2", "/products/p-1"],
        ["3", null],
      ]);
    } finally {
      duck.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
