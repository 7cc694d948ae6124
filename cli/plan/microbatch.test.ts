import { describe, expect, it } from "vitest";
import { NodeRenderer } from "../render/render-node.js";
import { errorOf, loadFixture } from "../testing/project-fixture.js";
import { filteredRelation, parseUtc, planBatches, resolveMicrobatch } from "./microbatch.js";
import { planModel } from "./plan-model.js";
import { ABSENT } from "./relation-state.js";
import { renderPlanSql } from "./render-step.js";

const utc = (text: string) => parseUtc(text)!;
const daily = resolveMicrobatch(
  { event_time: "event_time", batch_size: "day", begin: "2026-11-28", lookback: 1 },
  "m",
);

describe("planBatches", () => {
  it("a first run builds every batch from begin to the end of the current one", () => {
    const batches = planBatches(daily, { now: utc("2026-12-01T13:20:00"), incremental: false });
    expect(batches.map((b) => b.start)).toEqual([
      "2026-11-28T00:00:00",
      "2026-11-29T00:00:00",
      "2026-11-30T00:00:00",
      "2026-12-01T00:00:00",
    ]);
    expect(batches.at(-1)?.end).toBe("2026-12-02T00:00:00");
  });

  it("an incremental run rebuilds the current batch and `lookback` batches before it", () => {
    const batches = planBatches(daily, { now: utc("2026-12-01T13:20:00"), incremental: true });
    expect(batches).toEqual([
      { start: "2026-11-30T00:00:00", end: "2026-12-01T00:00:00" },
      { start: "2026-12-01T00:00:00", end: "2026-12-02T00:00:00" },
    ]);
    const none = resolveMicrobatch(
      { event_time: "t", batch_size: "hour", begin: "2026-01-01", lookback: 0 },
      "m",
    );
    expect(planBatches(none, { now: utc("2026-12-01T13:20:00"), incremental: true })).toEqual([
      { start: "2026-12-01T13:00:00", end: "2026-12-01T14:00:00" },
    ]);
  });

  it("--event-time-start/--event-time-end backfill that range: start truncated, end exclusive and kept", () => {
    const batches = planBatches(daily, {
      now: utc("2026-12-20"),
      incremental: true,
      eventTimeStart: utc("2026-12-01T05:00:00"),
      eventTimeEnd: utc("2026-12-03T12:00:00"),
    });
    expect(batches).toEqual([
      { start: "2026-12-01T00:00:00", end: "2026-12-02T00:00:00" },
      { start: "2026-12-02T00:00:00", end: "2026-12-03T00:00:00" },
      { start: "2026-12-03T00:00:00", end: "2026-12-03T12:00:00" },
    ]);
  });

  it("months and years step by the calendar, across year ends", () => {
    const monthly = resolveMicrobatch({ event_time: "t", batch_size: "month", begin: "2025-11-15" }, "m");
    expect(planBatches(monthly, { now: utc("2026-01-10"), incremental: false })).toEqual([
      { start: "2025-11-01T00:00:00", end: "2025-12-01T00:00:00" },
      { start: "2025-12-01T00:00:00", end: "2026-01-01T00:00:00" },
      { start: "2026-01-01T00:00:00", end: "2026-02-01T00:00:00" },
    ]);
    const yearly = resolveMicrobatch({ event_time: "t", batch_size: "year", begin: "2025-06-01" }, "m");
    expect(planBatches(yearly, { now: utc("2026-03-01"), incremental: false }).map((b) => b.end)).toEqual([
      "2026-01-01T00:00:00",
      "2027-01-01T00:00:00",
    ]);
  });

  it("an empty range plans no batch", () => {
    expect(
      planBatches(daily, {
        now: utc("2026-12-20"),
        incremental: false,
        eventTimeStart: utc("2026-12-02"),
        eventTimeEnd: utc("2026-12-02"),
      }),
    ).toEqual([]);
  });
});

describe("resolveMicrobatch", () => {
  it("names the missing keys and how to set them", () => {
    const error = errorOf(() => resolveMicrobatch({ batch_size: "day" }, "fct"));
    expect(error.message).toContain("has no event_time, begin");
    expect(error.hint).toContain("begin: '2026-01-01'");
  });
  it("rejects a begin that is not a date", () => {
    expect(
      errorOf(() => resolveMicrobatch({ event_time: "t", batch_size: "day", begin: "2026-02-31" }, "f"))
        .message,
    ).toContain("is not a date");
    expect(
      resolveMicrobatch(
        { event_time: "t", batch_size: "day", begin: "2026-02-03 04:05" },
        "f",
      ).begin.toISOString(),
    ).toBe("2026-02-03T04:05:00.000Z");
  });
});

const relation = { catalog: "iceberg", schema: "marts", identifier: "daily" };
const config = {
  materialized: "incremental" as const,
  incremental_strategy: "microbatch" as const,
  event_time: "day_start",
};
const batch = { start: "2026-12-01T00:00:00", end: "2026-12-02T00:00:00" };

describe("microbatch plans (golden SQL)", () => {
  it("creates the table from the first batch, keeping only its slice", () => {
    const sql = renderPlanSql(
      planModel({
        relation,
        config,
        sql: "select day_start, n from src",
        state: ABSENT,
        fullRefresh: false,
        locationRoot: undefined,
        batch,
      }),
    );
    expect(sql).toMatchInlineSnapshot(`
      "CREATE OR REPLACE TABLE "iceberg"."marts"."daily" AS
      SELECT * FROM (
      select day_start, n from src
      ) AS DBT_INTERNAL_SOURCE
      WHERE "day_start" >= TIMESTAMP '2026-12-01 00:00:00' AND "day_start" < TIMESTAMP '2026-12-02 00:00:00';
      "
    `);
  });

  it("replaces one batch's slice of an existing table in a single MERGE", () => {
    const columns = [
      { name: "day_start", type: "timestamp(6)" },
      { name: "n", type: "bigint" },
    ];
    const sql = renderPlanSql(
      planModel({
        relation,
        config,
        sql: "select day_start, n, extra from src",
        state: { kind: "table", columns },
        modelColumns: [...columns, { name: "extra", type: "varchar" }],
        fullRefresh: false,
        locationRoot: undefined,
        batch,
      }),
    );
    expect(sql).toMatchInlineSnapshot(`
      "MERGE INTO "iceberg"."marts"."daily" AS DBT_INTERNAL_DEST
      USING (
        SELECT 'insert' AS floe_op, "day_start", "n" FROM (
      select day_start, n, extra from src
      ) AS DBT_INTERNAL_SOURCE
        WHERE DBT_INTERNAL_SOURCE."day_start" >= TIMESTAMP '2026-12-01 00:00:00' AND DBT_INTERNAL_SOURCE."day_start" < TIMESTAMP '2026-12-02 00:00:00'
        UNION ALL
        SELECT 'delete' AS floe_op, NULL AS "day_start", NULL AS "n"
      ) AS DBT_INTERNAL_SOURCE
      ON DBT_INTERNAL_SOURCE.floe_op = 'delete'
        AND DBT_INTERNAL_DEST."day_start" >= TIMESTAMP '2026-12-01 00:00:00' AND DBT_INTERNAL_DEST."day_start" < TIMESTAMP '2026-12-02 00:00:00'
      WHEN MATCHED THEN DELETE
      WHEN NOT MATCHED AND DBT_INTERNAL_SOURCE.floe_op = 'insert' THEN INSERT ("day_start", "n")
        VALUES (DBT_INTERNAL_SOURCE."day_start", DBT_INTERNAL_SOURCE."n");
      "
    `);
  });

  it("refuses a table that lost its event_time column", () => {
    const error = errorOf(() =>
      planModel({
        relation,
        config,
        sql: "select n from src",
        state: { kind: "table", columns: [{ name: "n", type: "bigint" }] },
        modelColumns: [{ name: "n", type: "bigint" }],
        fullRefresh: false,
        locationRoot: undefined,
        batch,
      }),
    );
    expect(error.message).toContain("event_time column 'day_start'");
  });
});

describe("inputs read per batch", () => {
  const files = {
    "models/sources.yml": `version: 2
sources:
  - name: raw
    tables:
      - name: events
        config: {event_time: occurred_at}
      - name: countries
`,
    "models/stg.sql": `{{config materialized="table" event_time="event_time"}}select * from {{source "raw" "events"}}`,
    "models/dim.sql": `select * from {{source "raw" "countries"}}`,
    "models/daily.sql": `{{config materialized="incremental" incremental_strategy="microbatch" event_time="day" batch_size="day" begin="2026-12-01"}}
select s.event_time as day from {{ref "stg"}} s join {{ref "dim"}} d on true`,
    "models/from_source.sql": `{{config materialized="incremental" incremental_strategy="microbatch" event_time="t" batch_size="hour" begin="2026-12-01"}}
select occurred_at as t from {{source "raw" "events"}} e`,
  };

  it("filters refs and sources that declare event_time, reads the others whole", () => {
    const project = loadFixture(files);
    const renderer = new NodeRenderer(project);
    const daily = project.manifest.nodes["model.shop.daily"]!;
    expect(renderer.render(daily, { batch })).toContain(
      `from (select * from "iceberg"."analytics"."stg" where "event_time" >= TIMESTAMP '2026-12-01 00:00:00' AND "event_time" < TIMESTAMP '2026-12-02 00:00:00') s join "iceberg"."analytics"."dim" d`,
    );
    const fromSource = project.manifest.nodes["model.shop.from_source"]!;
    expect(renderer.render(fromSource, { batch })).toContain(
      filteredRelation('"iceberg"."raw"."events"', "occurred_at", batch),
    );
    // Outside a batch (compile, a table build) nothing is filtered.
    expect(renderer.render(daily)).toContain(`from "iceberg"."analytics"."stg" s`);
  });

  it("a microbatch model without begin fails at load, naming its file", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/bad.sql": `{{config materialized="incremental" incremental_strategy="microbatch" event_time="t" batch_size="day"}}select 1 as t`,
      }),
    );
    expect(error.message).toContain("has no begin");
    expect(error.location?.file).toBe("models/bad.sql");
  });

  it("batch_size takes hour, day, month or year", () => {
    const error = errorOf(() =>
      loadFixture({
        "models/bad.sql": `{{config materialized="incremental" incremental_strategy="microbatch" event_time="t" batch_size="week" begin="2026-01-01"}}select 1 as t`,
      }),
    );
    expect(error.message).toContain("batch_size must be one of hour, day, month, year");
  });
});

describe("failed batches for floe retry", () => {
  it("reads each microbatch model's failed batches from run_results.json, skipping the rest", async () => {
    const { failedBatches } = await import("../artifacts/run-results.js");
    const batches = failedBatches([
      {
        unique_id: "model.shop.a",
        batch_results: { successful: [], failed: [["2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"]] },
      },
      {
        unique_id: "model.shop.b",
        batch_results: { successful: [["2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"]], failed: [] },
      },
      { unique_id: "model.shop.c", status: "error" },
    ]);
    expect([...batches]).toEqual([
      ["model.shop.a", [{ start: "2026-12-02T00:00:00", end: "2026-12-03T00:00:00" }]],
    ]);
  });
});
