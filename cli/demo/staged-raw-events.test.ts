import { describe, expect, it } from "vitest";
import { loadProject, renderNode } from "../compile/compile.js";

/**
 * The shop's staging models as macros/staged_raw_events.sql renders them (issue 13: an incremental build
 * must hold the new rows, not the lookback window nor the table). What Trino makes of it (split pruning,
 * build sides, peak memory) is measured by `npm run bench:staging-scale`; correctness by the shop's
 * integration tests. These pin the shape those rely on.
 */
const project = loadProject({
  projectDir: process.cwd(),
  env: { FLOE_TRINO_SCHEMA: "analytics" },
  vars: { raw_file_slack_minutes: 7, lookback_days: 2 },
});
const render = (isIncremental: boolean) =>
  renderNode(project, "model.shop.stg_user_events", { isIncremental }).replace(/\s+/g, " ");

describe("stg_user_events (staged_raw_events)", () => {
  it("records each row's raw file time in both forms", () => {
    for (const sql of [render(false), render(true)]) {
      expect(sql).toContain(
        `cast(raw."$file_modified_time" at time zone 'UTC' as timestamp(6)) as _raw_file_modified_at`,
      );
    }
  });

  it("reads everything on a full build: no watermark, no anti-join", () => {
    const sql = render(false);
    expect(sql).not.toContain("$files");
    expect(sql).not.toContain("loaded");
  });

  it("reads the watermarks from its own table's file metadata, not its rows", () => {
    const sql = render(true);
    expect(sql).toContain(`from "iceberg"."analytics_staging"."stg_user_events$files" where content = 0`);
    expect(sql).toContain(`'$["_raw_file_modified_at"]["upper_bound"]'`);
  });

  it("reads raw files newer than the watermark less the slack, rows within lookback_days of it", () => {
    const sql = render(true);
    expect(sql).toMatch(
      /raw\."\$file_modified_time" > \( select cast\(with_timezone\(coalesce\( file_watermark - interval '7' minute,/,
    );
    expect(sql).toMatch(
      /raw\._ingested_at > cast\(\( select coalesce\( file_watermark - interval '7' minute, ingest_watermark, timestamp '1970-01-01 00:00:00' \) - interval '2' day/,
    );
  });

  it("anti-joins narrow keys with the table by event_id and event_date, never NOT EXISTS over the table", () => {
    const sql = render(true);
    expect(sql).not.toMatch(/not exists/i);
    expect(sql).toContain(
      'from "iceberg"."analytics_staging"."stg_user_events" as loaded right join read_keys on loaded.event_id = read_keys.event_id and loaded.event_date = read_keys.event_date where loaded.event_id is null',
    );
    // Only the rows of new keys are deduplicated.
    expect(sql).toMatch(/from \( select \* from new_events \) as _candidates/);
  });

  it("bounds the MERGE to the new rows' days", () => {
    for (const model of ["stg_user_events", "stg_order_events", "stg_product_events"]) {
      const node = project.manifest.nodes[`model.shop.${model}`];
      expect(node?.resource_type === "model" && node.config.incremental_predicates, model).toEqual([
        "DBT_INTERNAL_DEST.event_date = DBT_INTERNAL_SOURCE.event_date",
      ]);
    }
  });
});
