import { describe, expect, it } from "vitest";
import type { NodeResult } from "./events.js";
import { textLogger } from "./text-logger.js";

const base = { startedAt: "t0", completedAt: "t1", trinoMillis: 0, queryIds: [] };
const model: NodeResult = {
  ...base,
  uniqueId: "model.shop.fct_orders",
  resourceType: "model",
  displayName: "marts.fct_orders",
  description: "table model",
  status: "success",
  message: "CREATE TABLE",
  executionTime: 1.234,
  rowsAffected: 1234,
};
const failed: NodeResult = {
  ...base,
  uniqueId: "test.shop.unique_x",
  resourceType: "test",
  displayName: "unique_fct_orders_order_id",
  description: "test",
  status: "fail",
  message: "2 failing rows.",
  executionTime: 0.4,
  failures: 2,
  location: "models/schema.yml",
  sample: {
    columns: ["order_id", "n"],
    rows: [
      [7, 2],
      [9, 3],
    ],
  },
};
const skipped: NodeResult = {
  ...base,
  uniqueId: "model.shop.rpt",
  resourceType: "model",
  displayName: "marts.rpt",
  description: "view model",
  status: "skipped",
  message: "skipped",
  executionTime: 0,
  skippedBecause: "test.shop.unique_x",
};

describe("textLogger", () => {
  it("prints dbt-like progress lines, failing rows and a summary naming what was skipped", () => {
    let text = "";
    const log = textLogger((t) => {
      text += t;
    });
    log.event({ code: "NODE_STARTED", index: 3, total: 12, node: model });
    log.event({ code: "NODE_FINISHED", index: 3, total: 12, result: model });
    log.event({ code: "NODE_FINISHED", index: 4, total: 12, result: failed });
    log.event({
      code: "RUN_FINISHED",
      command: "build",
      elapsedSeconds: 3.5,
      results: [model, failed, skipped],
      cancelled: false,
      runResultsPath: "target/run_results.json",
    });
    const lines = text.replace(/^\d\d:\d\d:\d\d {2}/gm, "");
    expect(lines).toContain("3 of 12 START table model marts.fct_orders ");
    expect(lines).toMatch(/3 of 12 OK created table model marts\.fct_orders \.+ \[OK in 1\.2s, 1,234 rows\]/);
    expect(lines).toMatch(/4 of 12 FAIL 2 unique_fct_orders_order_id \.+ \[FAIL 2 in 0\.40s\]/);
    expect(lines).toContain("| order_id | n |");
    expect(lines).toContain("Failure in test unique_fct_orders_order_id (models/schema.yml)");
    expect(lines).toContain("Skipped because of unique_fct_orders_order_id: marts.rpt");
    expect(lines).toContain("Done. PASS=1 WARN=0 ERROR=1 SKIP=1 TOTAL=3");
  });
});

describe("--due skips", () => {
  it("print the reason under the line, and no 'skipped because' of a failure", () => {
    let text = "";
    const log = textLogger((t) => {
      text += t;
    });
    const reused: NodeResult = {
      ...skipped,
      startedAt: undefined,
      completedAt: undefined,
      description: "table model",
      message: "upstream unchanged: stg_orders snapshot 123 = last seen",
      reused: true,
    };
    delete (reused as { skippedBecause?: string }).skippedBecause;
    log.event({ code: "NODE_FINISHED", index: 2, total: 2, result: reused });
    log.event({
      code: "RUN_FINISHED",
      command: "build",
      elapsedSeconds: 1,
      results: [model, reused],
      cancelled: false,
      runResultsPath: "target/run_results.json",
    });
    const lines = text.replace(/^\d\d:\d\d:\d\d {2}/gm, "");
    expect(lines).toMatch(
      /2 of 2 SKIP \(--due\) table model marts\.rpt \.+ \[SKIP\]\n {10}upstream unchanged: stg_orders snapshot 123 = last seen\n/,
    );
    expect(lines).toContain("Not rebuilt by --due (reasons above): marts.rpt");
    expect(lines).not.toContain("Skipped because of");
    expect(lines).toContain("Done. PASS=1 WARN=0 ERROR=0 SKIP=1 TOTAL=2");
  });
});

describe("microbatch progress", () => {
  it("prints one line per batch, with the error's message under a failed one", () => {
    const lines: string[] = [];
    const log = textLogger((text) => lines.push(text));
    const progress = { node: model, batchTotal: 3, seconds: 1.5 } as const;
    log.event({
      code: "BATCH_FINISHED",
      ...progress,
      batchIndex: 1,
      start: "2026-12-01T00:00:00",
      end: "2026-12-02T00:00:00",
      status: "success",
      rowsAffected: 24,
    });
    log.event({
      code: "BATCH_FINISHED",
      ...progress,
      batchIndex: 2,
      start: "2026-12-02T00:00:00",
      end: "2026-12-03T00:00:00",
      status: "error",
      message: "Cannot cast 'x' to INT",
    });
    const text = lines.join("");
    expect(text).toMatch(
      /OK batch 1 of 3 of marts\.fct_orders \[2026-12-01T00:00:00, 2026-12-02T00:00:00\) \.+ \[OK in 1\.50s, 24 rows\]/,
    );
    expect(text).toMatch(
      /ERROR batch 2 of 3 of marts\.fct_orders .* \[ERROR in 1\.50s\]\n {4}Cannot cast 'x' to INT/,
    );
  });
});
