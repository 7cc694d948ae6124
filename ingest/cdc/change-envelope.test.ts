import { describe, expect, it } from "vitest";
import { RowBuffer } from "../row-buffer.js";
import {
  changeLine,
  changeRows,
  commitDate,
  decodeChange,
  flattenImage,
  parseChange,
} from "./change-envelope.js";
import { changeColumns, encodeChangeFile } from "./change-file.js";

const COMMIT_MS = Date.parse("2026-12-06T10:00:00Z");

/** A Debezium change as the shop connector sends it (JsonConverter, schemas disabled). */
function envelope(overrides: Record<string, unknown> = {}) {
  return {
    before: null,
    after: {
      product_id: "p-1",
      name: "Lamp",
      price: "12.50",
      is_active: true,
      stock: 7,
      updated_at: "2026-12-06T10:00:00.000000Z",
    },
    source: {
      version: "3.6.1.Final",
      connector: "postgresql",
      lsn: 24023128,
      txId: 771,
      ts_ms: COMMIT_MS,
      snapshot: "false",
      table: "products",
    },
    op: "c",
    ts_ms: COMMIT_MS + 120,
    ...overrides,
  };
}
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe("decodeChange", () => {
  it("flattens the after image into text columns and keeps the envelope", () => {
    const decoded = decodeChange(bytes(envelope()));
    expect(decoded).toEqual({
      ok: true,
      change: {
        op: "c",
        row: {
          product_id: "p-1",
          name: "Lamp",
          price: "12.50",
          is_active: "true",
          stock: "7",
          updated_at: "2026-12-06T10:00:00.000000Z",
        },
        before: null,
        lsn: 24023128,
        txId: 771,
        commitMs: COMMIT_MS,
        cdcMs: COMMIT_MS + 120,
        snapshot: false,
      },
    });
  });

  it("takes a delete's row from its before image, so the key is set", () => {
    const before = { product_id: "p-1", name: "Lamp", price: "12.50" };
    const decoded = decodeChange(bytes(envelope({ op: "d", before, after: null })));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.change.row).toEqual(before);
    expect(decoded.change.before).toBe(JSON.stringify(before));
  });

  it("marks snapshot reads, whatever Debezium calls the snapshot phase", () => {
    for (const snapshot of ["true", "last", "first", true]) {
      const decoded = decodeChange(bytes(envelope({ op: "r", source: { ...envelope().source, snapshot } })));
      expect(decoded.ok && decoded.change.snapshot).toBe(true);
    }
    const streamed = decodeChange(bytes(envelope({ source: { lsn: 1, ts_ms: 1 } })));
    expect(streamed.ok && streamed.change).toMatchObject({ snapshot: false, txId: null });
  });

  it("turns every message that is not a change into a DLQ reason", () => {
    const reason = (value: Uint8Array | null) => {
      const decoded = decodeChange(value);
      return decoded.ok ? "ok" : decoded.reason;
    };
    expect(reason(null)).toMatch(/empty message/);
    expect(reason(Buffer.from("{nope"))).toMatch(/^invalid JSON/);
    expect(reason(Buffer.from([0x7b, 0xff]))).toBe("invalid UTF-8 at byte 1");
    expect(reason(bytes([1]))).toMatch(/must be a JSON object/);
    expect(reason(bytes({ schema: {}, payload: envelope() }))).toMatch(/schemas\.enable=false/);
    expect(reason(bytes(envelope({ op: "t" })))).toMatch(/^Debezium envelope: op: must be one of c, r, u, d/);
    expect(reason(bytes(envelope({ source: { ts_ms: 1 } })))).toMatch(/source\.lsn: required/);
    expect(reason(bytes(envelope({ op: "u", after: null })))).toBe(
      "Debezium envelope: op u without an after image",
    );
    expect(reason(bytes(envelope({ op: "d", after: null })))).toBe(
      "Debezium envelope: op d without an before image",
    );
    expect(reason(bytes(envelope({ after: { _op: "x" } })))).toMatch(
      /column "_op" has a name the raw table reserves/,
    );
    expect(reason(bytes(envelope({ after: { event_date: "x" } })))).toMatch(/reserves/);
    expect(reason(bytes(envelope({ source: { lsn: 1, ts_ms: 1e17 } })))).toMatch(/source\.ts_ms/);
  });
});

describe("flattenImage", () => {
  it("writes JSON values as JSON text and SQL NULL as null, names in lower case", () => {
    expect(flattenImage({ Tags: ["a", "b"], doc: { k: 1 }, gone: null, price: 1.5, flag: false })).toEqual({
      tags: '["a","b"]',
      doc: '{"k":1}',
      gone: null,
      price: "1.5",
      flag: "false",
    });
    expect(flattenImage({ a: 1, A: 2 })).toMatch(/differ only in case/);
  });
});

describe("changeRows", () => {
  it("reads buffered lines back as rows whose columns are the union of theirs", () => {
    const first = parseChange(envelope());
    const later = parseChange(
      envelope({ op: "u", after: { product_id: "p-1", color: "red" }, before: { product_id: "p-1" } }),
    );
    if (!first.ok || !later.ok) throw new Error("fixtures must decode");
    const lines = [changeLine("5", first.change, 1_000), changeLine("6", later.change, 2_000)];
    const { columns, rows } = changeRows(lines, 2);
    expect(columns).toEqual(["product_id", "name", "price", "is_active", "stock", "updated_at", "color"]);
    expect(rows[1]).toEqual({
      product_id: "p-1",
      color: "red",
      _op: "u",
      _before: '{"product_id":"p-1"}',
      _lsn: 24023128n,
      _tx_id: 771n,
      _commit_ts: new Date(COMMIT_MS),
      _cdc_ts: new Date(COMMIT_MS + 120),
      _snapshot: false,
      _kafka_partition: 2,
      _kafka_offset: 6n,
      _ingested_at: new Date(2_000),
    });
    expect(commitDate(first.change)).toBe("2026-12-06");

    const buffer = new RowBuffer();
    for (const [i, line] of lines.entries()) buffer.append(BigInt(5 + i), 0, line);
    expect(changeColumns(buffer)).toEqual(columns);
    const file = encodeChangeFile({
      kind: "cdc",
      partition: 2,
      rows: buffer,
      metadata: { "floe.topic": "db.products" },
    });
    expect(Buffer.from(file.subarray(0, 4)).toString()).toBe("PAR1");
  });
});
