/**
 * `npm run bench:due-versions`: what `floe build --due` pays to read a raw (Hive) table's version, the old
 * way (through Trino: count(DISTINCT "$path") and max("$file_modified_time"), which passes every row) and
 * the new (the table's location listed on S3: SHOW CREATE TABLE, "t$partitions", ListObjectsV2).
 *
 * It makes an external Hive table laid out as the sink's raw layer (partitioned by event_date and
 * event_type, Parquet, under its own S3 prefix) of BENCH_ROWS rows (default 1,000,000, from Trino's tpch
 * generator) written by BENCH_INSERTS inserts (default 20), so each partition holds many files as the
 * sink's flushes leave them; then reads its version both ways, alternating, BENCH_RUNS times (default 5),
 * each with a fresh reader (no cache), and prints each read's wall time, the files and rows, and the
 * machine's load. Drops the table and deletes its objects at the end.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadProject } from "../cli/compile/compile.js";
import { envS3Client, s3ObjectLister } from "../cli/due/s3-object-lister.js";
import { TrinoVersionReader } from "../cli/due/upstream-versions.js";
import { endpointsFromEnv, s3Client } from "../ingest/endpoints.js";
import { s3RawObjectStore } from "../ingest/raw-retention.js";
import { localTrino } from "../testing/local-stack.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const INSERTS = Number(process.env.BENCH_INSERTS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BUCKET = "warehouse";
const id = `duever${Date.now().toString(36)}`;
const schema = `${id}_raw`;
const prefix = `${id}/events/`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const trino = localTrino();
  const dir = mkdtempSync(join(tmpdir(), `floe-${id}-`));
  const objects = s3RawObjectStore(s3Client(endpointsFromEnv()), BUCKET);
  try {
    log(`bench:due-versions ${id}: ${ROWS} rows in ${INSERTS} inserts; load ${load()}`);
    await trino.query(`CREATE SCHEMA hive.${schema}`);
    await trino.query(
      `CREATE TABLE hive.${schema}.events (event_id varchar, amount double, note varchar, ` +
        `event_date varchar, event_type varchar) WITH (external_location = 's3://${BUCKET}/${prefix.slice(0, -1)}', ` +
        `format = 'PARQUET', partitioned_by = ARRAY['event_date', 'event_type'])`,
    );
    // tpch sf1 orders: 1.5 M rows; each insert takes its slice of orderkey modulo INSERTS.
    const per = Math.ceil(ROWS / INSERTS);
    for (let i = 0; i < INSERTS; i++) {
      await trino.query(
        `INSERT INTO hive.${schema}.events SELECT CAST(orderkey AS varchar), totalprice, comment, ` +
          `CAST(year(orderdate) AS varchar) || '-01-01', replace(lower(substr(orderpriority, 3)), ' ', '_') ` +
          `FROM tpch.sf1.orders WHERE orderkey % ${INSERTS} = ${i} LIMIT ${per}`,
      );
    }
    const [stats] = (
      await trino.query<{ n: number; files: number }>(
        `SELECT count(*) AS n, count(DISTINCT "$path") AS files FROM hive.${schema}.events`,
      )
    ).rows;
    log(`table hive.${schema}.events: ${stats?.n} rows, ${stats?.files} files; load ${load()}`);

    mkdirSync(join(dir, "models"), { recursive: true });
    writeFileSync(join(dir, "floe_project.yml"), "name: bench\nprofile: floe\n");
    writeFileSync(
      join(dir, "profiles.yml"),
      "floe:\n  target: dev\n  outputs:\n    dev: {type: trino, host: 127.0.0.1, port: 8080, user: floe, catalog: iceberg, schema: bench}\n",
    );
    writeFileSync(
      join(dir, "models/sources.yml"),
      `version: 2\nsources:\n  - {name: raw, catalog: hive, schema: ${schema}, tables: [{name: events}]}\n`,
    );
    const project = loadProject({ projectDir: dir });
    const source = "source.bench.raw.events";
    const query = trino.query.bind(trino) as ConstructorParameters<typeof TrinoVersionReader>[1];
    const lister = s3ObjectLister(envS3Client(process.env));
    const read = async (how: "trino" | "s3") => {
      const reader = new TrinoVersionReader(
        project.manifest,
        query,
        undefined,
        how === "s3" ? lister : undefined,
      );
      const began = performance.now();
      const version = await reader.versionOf(source);
      return { ms: performance.now() - began, version };
    };
    // One read each first: Trino's and the SDK's first-use costs are not what a scheduled build pays.
    log(`warm-up: trino ${(await read("trino")).version}; s3 ${(await read("s3")).version}`);
    for (let run = 1; run <= RUNS; run++) {
      const trinoRead = await read("trino");
      const s3Read = await read("s3");
      log(
        `run ${run}: through Trino ${(trinoRead.ms / 1000).toFixed(2)} s, S3 listing ${(s3Read.ms / 1000).toFixed(2)} s; load ${load()}`,
      );
    }
  } finally {
    await trino.query(`DROP TABLE IF EXISTS hive.${schema}.events`).catch(() => undefined);
    await trino.query(`DROP SCHEMA IF EXISTS hive.${schema}`).catch(() => undefined);
    const keys: string[] = [];
    for await (const key of objects.list(prefix)) keys.push(key);
    await objects.delete(keys);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
