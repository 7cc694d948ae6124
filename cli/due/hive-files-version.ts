import { createHash } from "node:crypto";

/**
 * A Hive table's version from a listing of its location (the pure half; `upstream-versions.ts` does the
 * I/O): the files Trino would read — directly inside a registered partition's folder (or the location
 * itself, unpartitioned), not hidden (`_` or `.` first, as Hive and Trino skip them: the CDC sink's
 * `_columns/` markers, a writer's temporary files) — as their count, total size, newest modification time
 * and a digest of every (key, size, ETag), so any added, removed or rewritten file is a new version
 * (compaction, retention, an overwrite of an older file), and nothing else is.
 */

/** Where a Hive table's files are and how its partitions are laid out, from `SHOW CREATE TABLE`. */
export interface HiveLayout {
  readonly bucket: string;
  /** The location's key prefix, with a trailing slash (empty for a bucket's root). */
  readonly prefix: string;
  readonly partitionColumns: readonly string[];
}

/** One object of a listing (ListObjectsV2's Contents). */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly etag?: string;
}

/**
 * The layout of an external table on S3 (`external_location = 's3://…'`); undefined for a managed table
 * (Trino does not show its location) or another file system: those are versioned through Trino.
 */
export function hiveLayoutOf(createTable: string): HiveLayout | undefined {
  const location = /external_location\s*=\s*'((?:[^']|'')*)'/.exec(createTable)?.[1]?.replaceAll("''", "'");
  const match = location === undefined ? undefined : /^s3[an]?:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!match) return undefined;
  const [, bucket, path] = match as unknown as [string, string, string];
  const columns = /partitioned_by\s*=\s*ARRAY\[([^\]]*)\]/.exec(createTable)?.[1] ?? "";
  return {
    bucket,
    prefix: path === "" || path.endsWith("/") ? path : `${path}/`,
    partitionColumns: [...columns.matchAll(/'((?:[^']|'')*)'/g)].map((m) =>
      (m[1] ?? "").replaceAll("''", "'"),
    ),
  };
}

/** Hive writes a null partition value as this folder value. */
const HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

/** Hive escapes characters of partition values in folder names as %XX. */
const unescapePathName = (value: string) =>
  value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

const isHidden = (name: string) => name === "" || name.startsWith("_") || name.startsWith(".");

/**
 * Whether Trino reads this object as a file of the table: inside the location, in a registered partition's
 * folder (`registered`: each partition's values in `partitionColumns` order, null for Hive's null).
 */
export function isTableFile(layout: HiveLayout, registered: ReadonlySet<string>, key: string): boolean {
  if (!key.startsWith(layout.prefix)) return false;
  const segments = key.slice(layout.prefix.length).split("/");
  const name = segments.pop() ?? "";
  if (isHidden(name) || segments.length !== layout.partitionColumns.length) return false;
  if (segments.length === 0) return true;
  const values: string[] = [];
  for (const [i, segment] of segments.entries()) {
    const column = layout.partitionColumns[i] ?? "";
    if (!segment.startsWith(`${column}=`)) return false;
    values.push(unescapePathName(segment.slice(column.length + 1)));
  }
  return registered.has(partitionId(values));
}

/** A partition's identity in `registered`: its values, null as Hive's null folder value. */
export const partitionId = (values: readonly (string | null)[]) =>
  values.map((v) => v ?? HIVE_NULL).join("\u0000");

/** The version label: `0 files`, or `N files, B bytes, newest <ISO>, digest <12 hex>`. */
export function hiveFilesVersion(
  layout: HiveLayout,
  registered: ReadonlySet<string>,
  objects: Iterable<ListedObject>,
): string {
  const files = [...objects].filter((o) => isTableFile(layout, registered, o.key));
  if (files.length === 0) return "0 files";
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hash = createHash("sha256");
  let bytes = 0;
  let newest = 0;
  for (const file of files) {
    hash.update(`${file.key}\t${file.size}\t${file.etag ?? file.lastModified.toISOString()}\n`);
    bytes += file.size;
    newest = Math.max(newest, file.lastModified.getTime());
  }
  return (
    `${files.length} file${files.length === 1 ? "" : "s"}, ${bytes} bytes, ` +
    `newest ${new Date(newest).toISOString()}, digest ${hash.digest("hex").slice(0, 12)}`
  );
}
