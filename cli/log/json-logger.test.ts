import { describe, expect, it } from "vitest";
import { jsonLogger } from "./json-logger.js";

describe("jsonLogger", () => {
  it("prints one JSON object per event and line, with code, level and timestamp", () => {
    const lines: string[] = [];
    const log = jsonLogger((l) => lines.push(l));
    log.event({
      code: "RUN_STARTED",
      command: "run",
      total: 2,
      threads: 4,
      counts: { model: 2 },
      target: "dev",
    });
    log.event({
      code: "NODE_STARTED",
      index: 1,
      total: 2,
      node: {
        uniqueId: "model.shop.a",
        resourceType: "model",
        displayName: "s.a",
        description: "view model",
      },
    });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n"))).toBe(true);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ level: "info", code: "RUN_STARTED", total: 2, threads: 4 });
    expect(typeof first.ts).toBe("string");
    const second = JSON.parse(lines[1]!);
    // dbt's field names: snake_case keys, the text line as msg, one invocation_id per process.
    expect(second.node).toEqual({
      unique_id: "model.shop.a",
      resource_type: "model",
      display_name: "s.a",
      description: "view model",
    });
    expect(second.msg).toMatch(/^1 of 2 START view model s\.a \.+ \[RUN\]$/);
    expect(second.invocation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.invocation_id).toBe(first.invocation_id);
  });
});
