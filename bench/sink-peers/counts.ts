import { trinoQuery } from "../../ingest/int-helpers.js";
import type { AgeBucket } from "./stats.js";

/**
 * What the two sinks left in Trino, counted the same way for both: data files and their mean size, rows
 * per event time second per file (for event→queryable ages), and duplicate/missing events.
 */

/** A table as Trino names it: `hive."raw_x"."user_events"` or `iceberg."ns"."user_events"`. */
export interface TableRef {
  readonly catalog: "hive" | "iceberg";
  readonly schema: string;
  readonly table: string;
}

const relation = (t: TableRef, suffix = "") => `${t.catalog}."${t.schema}"."${t.table}${suffix}"`;

export async function dataFiles(tables: readonly TableRef[]): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const t of tables) {
    const sql =
      t.catalog === "iceberg"
        ? `SELECT count(*), coalesce(sum(file_size_in_bytes), 0) FROM ${relation(t, "$files")}`
        : `SELECT count(*), coalesce(sum(size), 0) FROM (SELECT DISTINCT "$path", "$file_size" AS size FROM ${relation(t)})`;
    const [row] = await trinoQuery(sql);
    files += Number(row?.[0] ?? 0);
    bytes += Number(row?.[1] ?? 0);
  }
  return { files, bytes };
}

/** event_time as epoch seconds: a timestamp column in Floe's raw tables, the JSON string in the Iceberg sink's. */
const eventSecond = (t: TableRef) =>
  t.catalog === "iceberg"
    ? "floor(to_unixtime(from_iso8601_timestamp(event_time)))"
    : "floor(to_unixtime(event_time))";

/**
 * Ages in seconds (queryable − event time, at the middle of the event's second) of every row, grouped
 * per file and event second; `queryableAt` maps a file's path (s3://bucket/key) to when it became queryable.
 */
export async function rowAges(
  tables: readonly TableRef[],
  queryableAt: (path: string) => number | undefined,
): Promise<{ buckets: AgeBucket[]; unknownFiles: number }> {
  const buckets: AgeBucket[] = [];
  let unknownFiles = 0;
  for (const t of tables) {
    const rows = await trinoQuery(
      `SELECT "$path", ${eventSecond(t)}, count(*) FROM ${relation(t)} GROUP BY 1, 2`,
    );
    const unknown = new Set<string>();
    for (const [path, second, n] of rows) {
      const at = queryableAt(String(path));
      if (at === undefined) {
        unknown.add(String(path));
        continue;
      }
      buckets.push({ ageSeconds: at / 1000 - (Number(second) + 0.5), rows: Number(n) });
    }
    unknownFiles += unknown.size;
  }
  return { buckets, unknownFiles };
}

/** Path → its earliest event time (ms) in Floe's Hive tables: about when the sink opened that file. */
export async function hiveFileFirstEvents(tables: readonly TableRef[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) {
    const rows = await trinoQuery(
      `SELECT "$path", to_unixtime(min(event_time)) * 1000 FROM ${relation(t)} GROUP BY 1`,
    );
    for (const [path, ms] of rows) out.set(String(path), Number(ms));
  }
  return out;
}

/** Path → commit time of the snapshot that added the file (Iceberg's `$entries` and `$snapshots`). */
export async function icebergFileCommits(tables: readonly TableRef[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) {
    const rows = await trinoQuery(
      `SELECT e.data_file.file_path, to_unixtime(s.committed_at) * 1000
       FROM ${relation(t, "$entries")} e JOIN ${relation(t, "$snapshots")} s ON e.snapshot_id = s.snapshot_id
       WHERE e.status = 1`,
    );
    for (const [path, ms] of rows) out.set(String(path), Number(ms));
  }
  return out;
}

/**
 * Rows of valid events, distinct event ids among them, and rows of malformed messages a sink accepted. The
 * generator's malformed messages are all user events with session_id `s-bad` or none (valid ones always
 * carry one), so they are told apart from valid rows the same way in both sinks' tables.
 */
export async function eventCounts(
  tables: readonly TableRef[],
): Promise<{ rows: number; distinct: number; malformedRows: number }> {
  const parts = tables.map((t) =>
    t.table.endsWith("user_events")
      ? `SELECT event_id, coalesce(session_id, 's-bad') = 's-bad' AS bad FROM ${relation(t)}`
      : `SELECT event_id, false AS bad FROM ${relation(t)}`,
  );
  const [row] = await trinoQuery(
    `SELECT count_if(NOT bad), count(DISTINCT CASE WHEN NOT bad THEN event_id END), count_if(bad)
     FROM (${parts.join(" UNION ALL ")})`,
  );
  return {
    rows: Number(row?.[0] ?? 0),
    distinct: Number(row?.[1] ?? 0),
    malformedRows: Number(row?.[2] ?? 0),
  };
}
