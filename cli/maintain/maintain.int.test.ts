import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { registerRawTables } from "../../ingest/raw-tables.js";
import { WAREHOUSE_BUCKET } from "../../stack/services.js";
import { localS3, localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * `floe maintain` on the real stack: a table written by twelve small appends is compacted to at most two files
 * per partition with its rows unchanged and time travel inside the snapshot window intact; `--dry-run` changes
 * nothing; row retention deletes whole days outside the window only; raw retention deletes a raw partition
 * one day outside the window (registration and objects) and keeps the one a day inside.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_maint");
const rawSchema = uniqueName("floe_maint_raw");
const rawPrefix = `${uniqueName("raw_maint")}/`;
afterAll(async () => {
  await dropSchema(trino, schema);
  await trino.query(`DROP TABLE IF EXISTS hive.${rawSchema}.orders`).catch(() => {});
  await trino.query(`DROP SCHEMA IF EXISTS hive.${rawSchema}`).catch(() => {});
});

const DAY = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const table = (name: string) => `iceberg.${schema}.${name}`;

async function stats(name: string) {
  const [files] = await rows(
    trino,
    `SELECT count(*) AS partitions, sum(file_count) AS files, max(file_count) AS max_files FROM iceberg.${schema}."${name}$partitions"`,
  );
  const [data] = await rows(trino, `SELECT count(*) AS n, sum(amount) AS total FROM ${table(name)}`);
  return {
    partitions: Number(files?.partitions),
    files: Number(files?.files),
    maxFiles: Number(files?.max_files),
    rows: Number(data?.n),
    total: Number(data?.total),
  };
}

describe("floe maintain", () => {
  it("compacts twelve small appends, keeps rows and time travel, applies retention by whole days; --dry-run changes nothing", async () => {
    const dir = writeRunnerProject(schema, {
      "models/events.sql":
        '{{config materialized="incremental" partitioned_by="day(event_day)"}}\n' +
        `select 1 as batch, date '${day(-1)}' as event_day, 10 as amount union all select 1, date '${day(0)}', 20\n`,
      "models/schema.yml": `version: 2
models:
  - name: aged
    config:
      materialized: table
      retention: {period: 30d, column: event_day}
      maintenance: {remove_orphan_files: false}
`,
      "models/aged.sql": `select date '${day(-31)}' as event_day, 1 as amount union all select date '${day(-30)}', 2 union all select date '${day(-29)}', 4\n`,
    });
    const build = await floe(dir, "build");
    expect(build.stderr).toBe("");
    expect(build.exitCode).toBe(0);
    // Eleven more appends, each a new file in both day partitions.
    for (let batch = 2; batch <= 12; batch++) {
      await trino.query(
        `INSERT INTO ${table("events")} VALUES (${batch}, date '${day(-1)}', 10), (${batch}, date '${day(0)}', 20)`,
      );
    }
    const before = await stats("events");
    expect(before).toMatchObject({ partitions: 2, files: 24, maxFiles: 12, rows: 24, total: 360 });
    const [latest] = await rows(
      trino,
      `SELECT CAST(snapshot_id AS varchar) AS snapshot_id FROM iceberg.${schema}."events$snapshots" ORDER BY committed_at DESC LIMIT 1`,
    );
    const snapshotsBefore = (await rows(trino, `SELECT 1 FROM iceberg.${schema}."events$snapshots"`)).length;

    const dry = await floe(dir, "maintain", "--dry-run", "--no-raw");
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(
      "would merge files under 128MB (now 24 files in 2 partitions, at most 12 in one)",
    );
    expect(dry.stdout).toContain(`would delete 1 rows with event_day before ${day(-30)}`);
    expect(dry.stdout).toContain("Dry run finished, nothing changed");
    expect(await stats("events")).toEqual(before);
    expect((await rows(trino, `SELECT 1 FROM iceberg.${schema}."events$snapshots"`)).length).toBe(
      snapshotsBefore,
    );
    expect((await rows(trino, `SELECT event_day FROM ${table("aged")}`)).length).toBe(3);

    const run = await floe(dir, "maintain", "--no-raw");
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /events: 24 → \d+ files \(at most 12 → [12] per partition\), 12 → \d+ snapshots/,
    );
    const after = await stats("events");
    expect(after.maxFiles).toBeLessThanOrEqual(2);
    expect(after).toMatchObject({ partitions: 2, rows: 24, total: 360 });
    // Time travel to the snapshot before compaction: inside the default one-day snapshot window.
    const [travelled] = await rows(
      trino,
      `SELECT count(*) AS n, sum(amount) AS total FROM ${table("events")} FOR VERSION AS OF ${latest?.snapshot_id}`,
    );
    expect({ n: Number(travelled?.n), total: Number(travelled?.total) }).toEqual({ n: 24, total: 360 });
    // Retention: the day 31 days back goes, the days 30 and 29 back stay (the window's first day is partly in).
    const aged = await rows(trino, `SELECT CAST(event_day AS varchar) AS d FROM ${table("aged")} ORDER BY 1`);
    expect(aged.map((r) => r.d)).toEqual([day(-30), day(-29)]);
    expect(run.stdout).toContain(`retention: deleted 1 rows with event_day before ${day(-30)}`);
    expect(run.stdout).toContain("note: remove_orphan_files: false");
  });

  it("deletes a raw partition one day outside the raw retention and keeps one a day inside", async () => {
    const s3 = localS3();
    const outside = day(-181);
    const inside = day(-179);
    for (const date of [outside, inside]) {
      await s3.send(
        new PutObjectCommand({
          Bucket: WAREHOUSE_BUCKET,
          Key: `${rawPrefix}orders/event_date=${date}/event_type=order_created/orders+0+${date}.parquet`,
          Body: "not read by this test",
        }),
      );
    }
    const target = { catalog: "hive", schema: rawSchema, bucket: WAREHOUSE_BUCKET, prefix: rawPrefix };
    await registerRawTables(trino, target, ["orders"]);
    const partitions = async () =>
      (
        await rows(
          trino,
          `SELECT CAST(event_date AS varchar) AS d FROM hive.${rawSchema}."orders$partitions" ORDER BY 1`,
        )
      ).map((r) => r.d);
    expect(await partitions()).toEqual([outside, inside]);

    const dir = writeRunnerProject(schema, {
      "models/one.sql": '{{config materialized="view"}}\nselect 1 as x\n',
    });
    const raw = ["--topics", "orders", "--raw-prefix", rawPrefix, "--raw-schema", rawSchema];
    const dry = await floe(dir, "maintain", "--dry-run", ...raw);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(
      `raw orders event_date=${outside}/event_type=order_created: would delete (1 object)`,
    );
    expect(await partitions()).toEqual([outside, inside]);

    const run = await floe(dir, "maintain", ...raw);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /Raw retention 180d \(days before \d{4}-\d{2}-\d{2}\): deleted 1 partition \(1 object\), kept 1 partition/,
    );
    expect(await partitions()).toEqual([inside]);
    const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const left = await s3.send(new ListObjectsV2Command({ Bucket: WAREHOUSE_BUCKET, Prefix: rawPrefix }));
    expect((left.Contents ?? []).map((o) => o.Key?.split("/")[2])).toEqual([`event_date=${inside}`]);
    // Idempotent: a second run finds nothing more to delete.
    const again = await floe(dir, "maintain", ...raw);
    expect(again.stdout).toContain("deleted 0 partitions (0 objects), kept 1 partition");
  });
});
