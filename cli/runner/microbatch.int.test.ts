import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { quoteRelation } from "../../trino/dialect.js";
import { floe, jsonLines, testTrinoPort, write, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Microbatch on the real stack: a three-day backfill (`--event-time-start/--event-time-end`) builds one batch
 * per day, reads only each day's input rows, and equals the same SQL built as a table; rerunning it after the
 * input changed replaces the slices (no duplicates); its hooks run once, around the batches; a batch that fails is recorded as failed in
 * run_results.json and `floe retry` reruns that batch alone.
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_mb");
afterAll(async () => {
  await dropSchema(trino, schema);
});

// Five days of events; the backfill covers the middle three. `note` is text the model casts to a number.
const EVENTS = [
  "event_id,event_time,amount,note",
  "1,2026-11-30 23:59:59,100,1",
  "2,2026-12-01 00:00:00,10,2",
  "3,2026-12-01 13:00:00,20,3",
  "4,2026-12-02 08:30:00,30,4",
  "5,2026-12-02 23:59:59,40,5",
  "6,2026-12-03 12:00:00,50,6",
  "7,2026-12-04 00:00:00,1000,7",
].join("\n");

const SELECT = `select date_trunc('day', event_time) as day, count(*) as events, sum(amount) as amount,
  sum(cast(note as integer)) as notes
from {{ref "events"}}`;

const FILES = {
  "seeds/events.csv": `${EVENTS}\n`,
  "seeds/seeds.yml": `version: 2
seeds:
  - name: events
    config:
      event_time: event_time
      column_types: {event_time: timestamp(6), amount: bigint, note: varchar}
`,
  "models/daily.sql": `{{config materialized="incremental" incremental_strategy="microbatch" event_time="day" batch_size="day" begin="2026-11-01" pre_hook="select 'daily pre-hook' as hook" post_hook="select 'daily post-hook' as hook"}}
${SELECT}
group by 1
`,
  "models/daily_full.sql": `{{config materialized="table"}}
${SELECT}
where event_time >= timestamp '2026-12-01' and event_time < timestamp '2026-12-04'
group by 1
`,
};

const BACKFILL = ["--event-time-start", "2026-12-01", "--event-time-end", "2026-12-04"];

async function table(name: string): Promise<Record<string, unknown>[]> {
  return rows(
    trino,
    `SELECT cast(day AS varchar) AS day, events, amount, notes FROM ${quoteRelation({ catalog: "iceberg", schema, identifier: name })} ORDER BY day`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: run_results.json is asserted field by field.
function runResult(dir: string, id: string): any {
  const json = JSON.parse(readFileSync(join(dir, "target", "run_results.json"), "utf8"));
  return json.results.find((r: { unique_id: string }) => r.unique_id === id);
}

function batchesRun(stdout: string): string[] {
  return jsonLines(stdout)
    .filter((e) => e.code === "BATCH_FINISHED")
    .map((e) => `${e.start} ${e.status}`);
}

describe("microbatch", () => {
  const dir = writeRunnerProject(schema, FILES);

  it("a three-day backfill, batch by batch, equals the same SQL built as a table", async () => {
    const built = await floe(dir, "build", ...BACKFILL, "--log-format", "json");
    expect(built.stderr).toBe("");
    expect(built.exitCode).toBe(0);
    expect(batchesRun(built.stdout)).toEqual([
      "2026-12-01T00:00:00 success",
      "2026-12-02T00:00:00 success",
      "2026-12-03T00:00:00 success",
    ]);
    const full = await table("daily_full");
    expect(full.map((r) => r.day)).toEqual([
      "2026-12-01 00:00:00.000000",
      "2026-12-02 00:00:00.000000",
      "2026-12-03 00:00:00.000000",
    ]);
    expect(await table("daily")).toEqual(full);
    expect(runResult(dir, "model.shop.daily").batch_results).toEqual({
      successful: [
        ["2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"],
        ["2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"],
        ["2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z"],
      ],
      failed: [],
    });
    // Hooks run once per model, as in dbt 1.9: the pre-hook before the first batch, the post-hook after the last.
    const script = readFileSync(join(dir, "target/run/shop/models/daily.sql"), "utf8");
    const at = (text: string) => [...script.matchAll(new RegExp(text, "g"))].map((m) => m.index);
    expect(at("daily pre-hook")).toHaveLength(1);
    expect(at("daily post-hook")).toHaveLength(1);
    expect(at("daily pre-hook")[0]).toBeGreaterThan(at("-- batch 1 of 3")[0]!);
    expect(at("daily pre-hook")[0]).toBeLessThan(at("-- batch 2 of 3")[0]!);
    expect(at("daily post-hook")[0]).toBeGreaterThan(at("-- batch 3 of 3")[0]!);

    // Late rows land in Dec 2: the backfill again replaces each day's slice (no duplicates) and still
    // equals the table; a day outside the range keeps what it had.
    const events = quoteRelation({ catalog: "iceberg", schema, identifier: "events" });
    await trino.query(`INSERT INTO ${events} VALUES (8, timestamp '2026-12-02 10:00:00', 7, '8')`);
    const again = await floe(dir, "run", ...BACKFILL, "--log-format", "json");
    expect(again.exitCode).toBe(0);
    const refreshed = await floe(dir, "run", "-s", "daily_full");
    expect(refreshed.exitCode).toBe(0);
    const after = await table("daily");
    expect(after).toEqual(await table("daily_full"));
    expect(after[1]).toMatchObject({ events: 3, amount: 77 });
  });

  it("a failed batch is recorded, the others still run, and floe retry reruns it alone", async () => {
    const events = quoteRelation({ catalog: "iceberg", schema, identifier: "events" });
    await trino.query(`UPDATE ${events} SET note = 'not a number' WHERE event_id = 4`);
    const failed = await floe(dir, "run", "-s", "daily", ...BACKFILL, "--log-format", "json");
    expect(failed.exitCode).toBe(1);
    expect(batchesRun(failed.stdout)).toEqual([
      "2026-12-01T00:00:00 success",
      "2026-12-02T00:00:00 error",
      "2026-12-03T00:00:00 success",
    ]);
    const result = runResult(dir, "model.shop.daily");
    expect(result.status).toBe("error");
    expect(result.message).toContain("1 of 3 batches failed");
    expect(result.batch_results.failed).toEqual([["2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"]]);
    expect(result.batch_results.successful).toHaveLength(2);
    // The failed batch's MERGE never committed: Dec 2 still holds the previous run's rows.
    expect((await table("daily"))[1]).toMatchObject({ events: 3, amount: 77 });

    await trino.query(`UPDATE ${events} SET note = '4' WHERE event_id = 4`);
    const retried = await floe(dir, "retry", "--log-format", "json");
    expect(retried.exitCode).toBe(0);
    expect(batchesRun(retried.stdout)).toEqual(["2026-12-02T00:00:00 success"]);
    expect(runResult(dir, "model.shop.daily").batch_results).toEqual({
      successful: [["2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"]],
      failed: [],
    });
    expect(await table("daily")).toEqual(await table("daily_full"));
  });

  it("an enforced contract is checked before the first batch: a drifting query runs no batch", async () => {
    write(
      dir,
      "models/contracted.sql",
      `{{config materialized="incremental" incremental_strategy="microbatch" event_time="day" batch_size="day" begin="2026-11-01"}}\n${SELECT}\ngroup by 1\n`,
    );
    const contract = (extra: string) => `version: 2
models:
  - name: contracted
    config: {contract: {enforced: true}}
    columns:
      - {name: day, data_type: timestamp(6)}
      - {name: events, data_type: bigint}
${extra}`;
    write(dir, "models/contracted.yml", contract(""));
    const drift = await floe(dir, "run", "-s", "contracted", ...BACKFILL, "--log-format", "json");
    expect(drift.exitCode).toBe(1);
    expect(batchesRun(drift.stdout)).toEqual([]);
    const result = jsonLines(drift.stdout).find((e) => e.code === "NODE_FINISHED")!.result;
    expect(result.error_code).toBe("CONTRACT_VIOLATION");
    expect(result.message).toMatch(/\| amount +\| bigint +\| +\| missing in the contract +\|/);
    const tables = await rows(
      trino,
      `SELECT table_name FROM iceberg.information_schema.tables WHERE table_schema = '${schema}' AND table_name = 'contracted'`,
    );
    expect(tables).toEqual([]);

    write(
      dir,
      "models/contracted.yml",
      contract("      - {name: amount, data_type: bigint}\n      - {name: notes, data_type: bigint}\n"),
    );
    const kept = await floe(dir, "run", "-s", "contracted", ...BACKFILL, "--log-format", "json");
    expect(kept.exitCode, kept.stdout).toBe(0);
    expect(batchesRun(kept.stdout)).toHaveLength(3);
  });
});
