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
    expect(JSON.parse(lines[1]!).node.uniqueId).toBe("model.shop.a");
  });
});
