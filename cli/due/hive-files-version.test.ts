import { describe, expect, it } from "vitest";
import { hiveFilesVersion, hiveLayoutOf, type ListedObject, partitionId } from "./hive-files-version.js";

/** What Trino 476 answers to SHOW CREATE TABLE for a raw table the sink registered. */
const SINK_TABLE = `CREATE TABLE hive.raw.orders (
   event_id varchar,
   event_time timestamp(3),
   event_date varchar,
   event_type varchar
)
WITH (
   external_location = 's3://warehouse/raw/orders',
   format = 'PARQUET',
   partitioned_by = ARRAY['event_date','event_type']
)`;

const layout = {
  bucket: "warehouse",
  prefix: "raw/orders/",
  partitionColumns: ["event_date", "event_type"],
};
const registered = new Set([
  partitionId(["2026-12-06", "order_created"]),
  partitionId(["2026-12-06", "order_paid"]),
]);
const at = (iso: string) => new Date(iso);
const file = (key: string, size = 100, time = "2026-12-06T10:00:00Z", etag = `"${key.length}"`) =>
  ({ key: `raw/orders/${key}`, size, lastModified: at(time), etag }) satisfies ListedObject;

const BASE = [
  file("event_date=2026-12-06/event_type=order_created/orders+0+0.parquet", 1_000),
  file("event_date=2026-12-06/event_type=order_created/orders+1+0.parquet", 2_000, "2026-12-06T10:01:00Z"),
  file("event_date=2026-12-06/event_type=order_paid/orders+0+0.parquet", 500),
];

describe("hiveLayoutOf", () => {
  it("reads the location and partition columns of an external table", () => {
    expect(hiveLayoutOf(SINK_TABLE)).toEqual(layout);
    expect(
      hiveLayoutOf("CREATE TABLE t (a int)\nWITH (external_location = 's3a://b/it''s/', format = 'ORC')"),
    ).toEqual({ bucket: "b", prefix: "it's/", partitionColumns: [] });
    expect(hiveLayoutOf("CREATE TABLE t (a int)\nWITH (external_location = 's3://b')")).toEqual({
      bucket: "b",
      prefix: "",
      partitionColumns: [],
    });
  });

  it("has none for a managed table or another file system (versioned through Trino)", () => {
    expect(hiveLayoutOf("CREATE TABLE hive.raw.t (\n   a integer\n)\nWITH (\n   format = 'ORC'\n)")).toBe(
      undefined,
    );
    expect(hiveLayoutOf("CREATE TABLE t (a int) WITH (external_location = 'hdfs://nn/raw/t')")).toBe(
      undefined,
    );
  });
});

describe("hiveFilesVersion", () => {
  it("counts the files of registered partitions: count, bytes, newest, digest", () => {
    expect(hiveFilesVersion(layout, registered, BASE)).toMatch(
      /^3 files, 3500 bytes, newest 2026-12-06T10:01:00\.000Z, digest [0-9a-f]{12}$/,
    );
    expect(hiveFilesVersion(layout, registered, [])).toBe("0 files");
    expect(hiveFilesVersion(layout, registered, BASE.slice(2))).toMatch(/^1 file, 500 bytes, /);
  });

  it("ignores what Trino does not read: markers, hidden and temporary files, other folders", () => {
    const version = hiveFilesVersion(layout, registered, BASE);
    const noise = [
      file("_columns/after", 0, "2026-12-06T11:00:00Z"),
      file("event_date=2026-12-06/event_type=order_paid/_SUCCESS", 0, "2026-12-06T11:00:00Z"),
      file("event_date=2026-12-06/event_type=order_paid/.trino_tmp_1", 9, "2026-12-06T11:00:00Z"),
      file("event_date=2026-12-06/event_type=order_paid/", 0, "2026-12-06T11:00:00Z"),
      file("event_date=2026-12-06/event_type=order_paid/nested/x.parquet", 9, "2026-12-06T11:00:00Z"),
      file("event_type=order_paid/event_date=2026-12-06/x.parquet", 9, "2026-12-06T11:00:00Z"),
      // A folder the sink wrote to but has not registered yet: Trino does not read it, so no change yet.
      file("event_date=2026-12-07/event_type=order_created/orders+0+9.parquet", 9, "2026-12-07T00:00:01Z"),
      { key: "raw/orders_dlq/x.parquet", size: 1, lastModified: at("2026-12-06T11:00:00Z") },
    ];
    // The listing's order does not matter either.
    expect(hiveFilesVersion(layout, registered, [...noise, ...BASE].reverse())).toBe(version);
    const withDay = new Set([...registered, partitionId(["2026-12-07", "order_created"])]);
    expect(hiveFilesVersion(layout, withDay, [...noise, ...BASE])).toMatch(/^4 files, 3509 bytes, /);
  });

  it("changes with any added, removed or rewritten file, also one older than the newest", () => {
    const version = hiveFilesVersion(layout, registered, BASE);
    const [first, second, third] = BASE as [ListedObject, ListedObject, ListedObject];
    // Compaction: two files merged into one of the same total size and an older time than the newest.
    const merged = file("event_date=2026-12-06/event_type=order_created/orders+0+0-9.parquet", 3_000);
    expect(hiveFilesVersion(layout, registered, [merged, third])).not.toBe(version);
    // Retention: a partition's files gone.
    expect(hiveFilesVersion(layout, registered, [first, second])).not.toBe(version);
    // An older file rewritten with the same size: only its ETag differs.
    const rewritten = { ...first, etag: '"other"' };
    expect(hiveFilesVersion(layout, registered, [rewritten, second, third])).not.toBe(version);
  });

  it("reads escaped and null partition values as Hive writes them", () => {
    const odd = { bucket: "b", prefix: "t/", partitionColumns: ["k"] };
    const values = new Set([partitionId(["a/b:c"]), partitionId([null])]);
    const objects = [
      { key: "t/k=a%2Fb%3Ac/f", size: 1, lastModified: at("2026-01-01T00:00:00Z") },
      { key: "t/k=__HIVE_DEFAULT_PARTITION__/f", size: 2, lastModified: at("2026-01-01T00:00:00Z") },
      { key: "t/k=other/f", size: 4, lastModified: at("2026-01-01T00:00:00Z") },
    ];
    expect(hiveFilesVersion(odd, values, objects)).toMatch(/^2 files, 3 bytes, /);
    const flat = { bucket: "b", prefix: "t/", partitionColumns: [] };
    expect(hiveFilesVersion(flat, new Set(), objects)).toBe("0 files");
    expect(hiveFilesVersion(flat, new Set(), [{ ...objects[0], key: "t/f" } as ListedObject])).toMatch(
      /^1 file, 1 bytes, /,
    );
  });
});
