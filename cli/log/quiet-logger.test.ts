import { describe, expect, it } from "vitest";
import type { NodeResult, RunEvent } from "./events.js";
import { quietLogger } from "./quiet-logger.js";

const result = (status: NodeResult["status"]): NodeResult => ({
  uniqueId: `model.shop.${status}`,
  resourceType: "model",
  displayName: status,
  description: "table model",
  status,
  message: "",
  startedAt: undefined,
  completedAt: undefined,
  executionTime: 0,
  trinoMillis: 0,
  queryIds: [],
});

describe("quietLogger (-q)", () => {
  it("passes on errors, failures and the summary only", () => {
    const seen: string[] = [];
    const logger = quietLogger({
      event: (e) => seen.push(e.code === "NODE_FINISHED" ? e.result.status : e.code),
    });
    const events: RunEvent[] = [
      { code: "RUN_STARTED", command: "build", total: 5, threads: 1, counts: {}, target: "dev" },
      { code: "NODE_STARTED", index: 1, total: 5, node: result("success") },
      ...(["success", "pass", "warn", "error", "fail", "skipped"] as const).map(
        (s, i): RunEvent => ({ code: "NODE_FINISHED", index: i + 1, total: 5, result: result(s) }),
      ),
      {
        code: "RUN_FINISHED",
        command: "build",
        elapsedSeconds: 1,
        results: [],
        cancelled: false,
        runResultsPath: "x",
      },
    ];
    for (const e of events) logger.event(e);
    expect(seen).toEqual(["error", "fail", "RUN_FINISHED"]);
  });
});
