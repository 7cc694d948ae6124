import { describe, expect, it } from "vitest";
import { paint, useColour } from "./colour.js";
import { textLogger } from "./text-logger.js";

describe("useColour", () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{}, undefined, false],
    [{ NO_COLOR: "1" }, true, false],
    [{ NO_COLOR: "" }, true, true],
    [{ TERM: "dumb" }, true, false],
    [{ FORCE_COLOR: "1" }, false, true],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, false, true],
    [{ FORCE_COLOR: "0" }, true, false],
  ])("env %j, stdout a TTY: %s → %s", (env, tty, expected) => {
    expect(useColour({ env, ...(tty === undefined ? {} : { stdoutIsTTY: tty }) })).toBe(expected);
  });

  it("paints only when on", () => {
    expect(paint(true).red("x")).toBe("\u001b[31mx\u001b[0m");
    expect(paint(false).red("x")).toBe("x");
  });
});

describe("textLogger alignment and colour", () => {
  const finished = (index: number, status: "success" | "error") => ({
    code: "NODE_FINISHED" as const,
    index,
    total: 12,
    result: {
      uniqueId: `model.shop.m${index}`,
      resourceType: "model" as const,
      displayName: `s.m${index}`,
      description: "view model",
      status,
      message: "",
      startedAt: undefined,
      completedAt: undefined,
      executionTime: 0.5,
      trinoMillis: 1,
      queryIds: [],
    },
  });

  it("pads the index to the total's width so badges end in one column", () => {
    const lines: string[] = [];
    const log = textLogger((t) => lines.push(t));
    log.event(finished(3, "success"));
    log.event(finished(11, "success"));
    const [a, b] = lines.map((l) => l.slice(10, -1));
    expect(a).toMatch(/^ 3 of 12 OK created view model s\.m3 \.+ \[OK in 0\.50s\]$/);
    expect(a?.length).toBe(b?.length);
  });

  it("colours the badge only, and only when asked", () => {
    const coloured: string[] = [];
    textLogger((t) => coloured.push(t), { colour: true }).event(finished(1, "error"));
    expect(coloured[0]).toContain("\u001b[31m[ERROR in 0.50s]\u001b[0m");
    const plain: string[] = [];
    textLogger((t) => plain.push(t)).event(finished(1, "error"));
    expect(plain[0]).not.toContain("\u001b[");
    const summary: string[] = [];
    textLogger((t) => summary.push(t), { colour: true }).event({
      code: "RUN_FINISHED",
      command: "run",
      elapsedSeconds: 1,
      results: [finished(1, "error").result],
      cancelled: false,
      runResultsPath: "target/run_results.json",
    });
    expect(summary.join("")).toContain("  \u001b[31mError in\u001b[0m view model s.m1");
  });
});
