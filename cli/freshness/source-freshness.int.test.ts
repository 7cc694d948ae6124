import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, jsonLines, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema } from "../testing/warehouse.js";

/**
 * `floe source freshness` against real tables: one loaded minutes ago (pass), hours ago (warn), days ago
 * (error), one with a zoned timestamp, one missing (runtime error), one without config (skipped).
 */
const trino = localTrino({ port: testTrinoPort() });
const schema = uniqueName("floe_freshness");

beforeAll(async () => {
  await trino.query(`CREATE SCHEMA iceberg.${schema}`);
  const table = async (name: string, age: string, type = "timestamp(6)") =>
    trino.query(
      `CREATE TABLE iceberg.${schema}.${name} AS SELECT id, CAST(current_timestamp - INTERVAL ${age} AS ${type}) AS loaded_at FROM (VALUES 1, 2) AS t(id)`,
    );
  await table("fresh", "'10' MINUTE");
  await table("hours_old", "'3' HOUR");
  await table("days_old", "'3' DAY");
  await table("zoned", "'20' MINUTE", "timestamp(6) with time zone");
  await trino.query(`CREATE TABLE iceberg.${schema}.empty_table (id int, loaded_at timestamp(6))`);
});
afterAll(async () => {
  await dropSchema(trino, schema);
});

const sourcesYml = `version: 2
sources:
  - name: src
    catalog: iceberg
    schema: ${schema}
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: fresh
      - name: hours_old
      - name: days_old
      - name: zoned
        freshness: {warn_after: 15m, error_after: 2h}
      - name: empty_table
        freshness: {warn_after: {count: 1, period: hour}}
      - name: missing
      - name: no_config
        identifier: fresh
        freshness: null
`;

describe("floe source freshness", () => {
  it("reports pass, warn, error and runtime error, writes sources.json and exits 1", async () => {
    const dir = writeRunnerProject(schema, { "models/sources.yml": sourcesYml }, { threads: 2 });
    const out = await floe(dir, "source", "freshness");
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toContain("Skipping freshness of src.no_config: no freshness config");
    expect(out.stdout).toMatch(/START freshness of src\.fresh .*\[RUN\]/);
    expect(out.stdout).toMatch(/PASS freshness of src\.fresh \(\d+m old\) .*\[PASS in/);
    expect(out.stdout).toMatch(
      /WARN freshness of src\.hours_old \(3\.0h old, warn_after 1 hour\) .*\[WARN in/,
    );
    expect(out.stdout).toMatch(/ERROR STALE freshness of src\.days_old .*\[ERROR STALE in/);
    expect(out.stdout).toMatch(/WARN freshness of src\.zoned \(20m old, warn_after 15 minutes\)/);
    expect(out.stdout).toMatch(/WARN freshness of src\.empty_table \(no rows/);
    expect(out.stdout).toMatch(/ERROR freshness of src\.missing .*\[ERROR in/);
    expect(out.stdout).toContain("models/sources.yml: ");
    expect(out.stdout).toContain("Done. PASS=1 WARN=3 ERROR=2 TOTAL=6");

    const json = JSON.parse(readFileSync(join(dir, "target/sources.json"), "utf8"));
    const byId = new Map<string, Record<string, unknown>>(
      json.results.map((r: Record<string, unknown>) => [r.unique_id, r]),
    );
    expect(byId.size).toBe(6);
    const fresh = byId.get("source.shop.src.fresh")!;
    expect(fresh).toMatchObject({
      status: "pass",
      criteria: {
        warn_after: { count: 1, period: "hour" },
        error_after: { count: 1, period: "day" },
        filter: null,
      },
    });
    const age = fresh.max_loaded_at_time_ago_in_s as number;
    expect(age).toBeGreaterThan(9 * 60);
    expect(age).toBeLessThan(30 * 60);
    const loaded = Date.parse(String(fresh.max_loaded_at));
    const snapshotted = Date.parse(String(fresh.snapshotted_at));
    expect(Math.abs((snapshotted - loaded) / 1000 - age)).toBeLessThan(1);
    expect(byId.get("source.shop.src.days_old")).toMatchObject({ status: "error" });
    expect(byId.get("source.shop.src.zoned")).toMatchObject({
      status: "warn",
      criteria: { warn_after: { count: 15, period: "minute" }, error_after: { count: 2, period: "hour" } },
    });
    expect(byId.get("source.shop.src.empty_table")).toMatchObject({
      status: "warn",
      max_loaded_at: null,
      max_loaded_at_time_ago_in_s: null,
    });
    expect(byId.get("source.shop.src.missing")).toMatchObject({ status: "runtime error" });
    expect(String(byId.get("source.shop.src.missing")!.error)).toMatch(/does not exist/);
  });

  it("applies selection: warnings alone exit 0; JSON log has one event per line", async () => {
    const dir = writeRunnerProject(schema, { "models/sources.yml": sourcesYml });
    const out = await floe(
      dir,
      "source",
      "freshness",
      "-s",
      "source:src.fresh",
      "source:src.hours_old",
      "--log-format",
      "json",
    );
    expect(out.exitCode).toBe(0);
    const events = jsonLines(out.stdout);
    expect(events[0]).toMatchObject({ code: "FRESHNESS_STARTED", total: 2 });
    expect(events.filter((e) => e.code === "SOURCE_FINISHED").map((e) => e.result.status)).toEqual(
      expect.arrayContaining(["pass", "warn"]),
    );
    expect(events.find((e) => e.result?.status === "warn")).toMatchObject({ level: "warn" });
    expect(events.at(-1)).toMatchObject({ code: "FRESHNESS_FINISHED" });
    const json = JSON.parse(readFileSync(join(dir, "target/sources.json"), "utf8"));
    expect(json.results.map((r: { unique_id: string }) => r.unique_id).sort()).toEqual([
      "source.shop.src.fresh",
      "source.shop.src.hours_old",
    ]);
  });

  it("a malformed threshold is a config error naming the yml file (exit 2)", async () => {
    const dir = writeRunnerProject(schema, {
      "models/sources.yml": sourcesYml.replace("warn_after: 15m", "warn_after: soon"),
    });
    const out = await floe(dir, "source", "freshness");
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(
      /Error \[CONFIG\] models\/sources\.yml .*freshness\.warn_after.*not a duration/,
    );
  });

  it("pins the session time zone, so naive timestamps are read as UTC on any server", async () => {
    const { createTrinoConnection } = await import("../../trino/connection.js");
    const tokyo = createTrinoConnection({
      host: "127.0.0.1",
      port: testTrinoPort(),
      user: "floe-test",
      timeZone: "Asia/Tokyo",
    });
    const utc = createTrinoConnection({
      host: "127.0.0.1",
      port: testTrinoPort(),
      user: "floe-test",
      timeZone: "UTC",
    });
    const zone = async (c: typeof tokyo) =>
      (
        await c.query<{ z: string; h: string }>(
          "SELECT current_timezone() AS z, to_iso8601(CAST(TIMESTAMP '2026-01-01 00:00:00' AS timestamp(6) with time zone) AT TIME ZONE 'UTC') AS h",
        )
      ).rows[0];
    expect(await zone(tokyo)).toEqual({ z: "Asia/Tokyo", h: "2025-12-31T15:00:00.000000Z" });
    expect(await zone(utc)).toEqual({ z: "UTC", h: "2026-01-01T00:00:00.000000Z" });
  });
});
