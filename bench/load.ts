/**
 * `npm run bench:load`: `floe ingest load` against the running stack.
 *
 * BENCH_ROWS (default 100,000) user events are written as one NDJSON, one CSV and one Parquet file (the
 * same rows), then each is loaded into fresh topics (a unique prefix) by `loadFiles`, the API behind the
 * command: hash, read, route by the contracts, publish with acks=all, record on S3. Reports rows/s per
 * format, the read + route pass alone (no Kafka) to show where the time goes, and csv-parse against
 * DuckDB's read_csv for the CSV reader.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { uniqueRun } from "../ingest/int-helpers.js";
import type { LoadFormat } from "../ingest/load/format.js";
import { loadFiles } from "../ingest/load/load.js";
import { loadEntry } from "../ingest/load/load-messages.js";
import { readRows } from "../ingest/load/readers.js";
import { routeRecord } from "../ingest/load/row-event.js";
import { ndjsonText, parquetFromNdjson } from "../ingest/load/test-files.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

const COLUMNS = [
  "event_id",
  "event_type",
  "event_time",
  "user_id",
  "session_id",
  "product_id",
  "quantity",
  "price",
  "currency",
  "device",
] as const;

function rows(): Record<(typeof COLUMNS)[number], string | number>[] {
  const day = new Date().toISOString().slice(0, 10);
  const types = ["product_view", "product_view", "add_to_cart", "checkout", "purchase"];
  return Array.from({ length: ROWS }, (_, i) => ({
    event_id: randomUUID(),
    event_type: types[i % types.length] ?? "product_view",
    event_time: `${day}T${String(i % 24).padStart(2, "0")}:00:00.000Z`,
    user_id: `u-${i % 5_000}`,
    session_id: `s-${i % 20_000}`,
    product_id: `p-${i % 500}`,
    quantity: 1 + (i % 3),
    price: 10 + (i % 90),
    currency: "USD",
    device: "web",
  }));
}

/**
 * The CSV reader's choice: csv-parse (what `readers.ts` uses) against DuckDB's read_csv (all columns as
 * text, as csv-parse gives them), each reading the file and routing every row; alternated, 3 rounds.
 */
async function csvReaders(path: string): Promise<void> {
  const target = { topicOf: (k: string) => `bench-${k}`, dlq: "bench-dlq" };
  const viaCsvParse = async () => {
    let n = 0;
    for await (const row of readRows(path, "csv"))
      if (loadEntry({ name: path, sha256: "0" }, row, target).kind) n++;
    return n;
  };
  const viaDuckDb = async () => {
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const connection = await db.connect();
    let n = 0;
    try {
      const result = await connection.stream(
        `SELECT * FROM read_csv('${path}', header = true, all_varchar = true)`,
      );
      for await (const rows of result.yieldRowObjectJs()) {
        for (const record of rows) if (routeRecord(record).ok) n++;
      }
    } finally {
      connection.closeSync();
      db.closeSync();
    }
    return n;
  };
  const times: Record<string, number[]> = { "csv-parse": [], "duckdb read_csv": [] };
  for (let round = 0; round < 3; round++) {
    for (const [name, read] of [
      ["csv-parse", viaCsvParse],
      ["duckdb read_csv", viaDuckDb],
    ] as const) {
      const t0 = Date.now();
      const n = await read();
      if (n !== ROWS) throw new Error(`${name}: ${n} of ${ROWS} rows accepted`);
      times[name]?.push(Date.now() - t0);
    }
  }
  for (const [name, ms] of Object.entries(times)) {
    console.log(
      `csv read + route via ${name}: ${ms.map((m) => fmt((ROWS * 1000) / m)).join(" / ")} rows/s; load average ${load()}`,
    );
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "floe-bench-load-"));
  try {
    const data = rows();
    const files: Record<LoadFormat, string> = {
      ndjson: join(dir, "events.ndjson"),
      csv: join(dir, "events.csv"),
      parquet: join(dir, "events.parquet"),
    };
    writeFileSync(files.ndjson, ndjsonText(data));
    writeFileSync(
      files.csv,
      `${COLUMNS.join(",")}\n${data.map((r) => COLUMNS.map((c) => r[c]).join(",")).join("\n")}\n`,
    );
    await parquetFromNdjson(files.ndjson, files.parquet);
    console.log(`${fmt(ROWS)} user events per file; load average ${load()}`);
    await csvReaders(files.csv);

    for (const format of ["ndjson", "csv", "parquet"] as const) {
      const path = files[format];
      let t0 = Date.now();
      let n = 0;
      const target = { topicOf: (k: string) => `bench-${k}`, dlq: "bench-dlq" };
      for await (const row of readRows(path, format)) {
        if (loadEntry({ name: path, sha256: "0".repeat(64) }, row, target).kind !== undefined) n++;
      }
      const readMs = Date.now() - t0;
      const run = uniqueRun("bl");
      t0 = Date.now();
      const summary = await loadFiles({ source: path, topicPrefix: run.topicPrefix });
      const ms = Date.now() - t0;
      const file = summary.files[0];
      if (file?.state !== "loaded" || file.rows !== ROWS || n !== ROWS || file.deadLettered !== 0) {
        throw new Error(
          `${format}: expected ${ROWS} accepted rows, got ${JSON.stringify(file)} (read pass ${n})`,
        );
      }
      console.log(
        `${format.padEnd(7)} load ${fmt((ROWS * 1000) / ms)} rows/s (${(ms / 1000).toFixed(1)} s, into ${run.topicPrefix}*); ` +
          `read + route alone ${fmt((ROWS * 1000) / readMs)} rows/s; load average ${load()}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
