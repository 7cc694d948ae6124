import { describe, expect, it } from "vitest";
import type { FinalStatus } from "./node-state.js";
import { transition } from "./node-state.js";
import { runScheduler } from "./scheduler.js";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("runScheduler", () => {
  it("respects DAG order, skips downstream of failures, keeps independent branches going", async () => {
    const started: string[] = [];
    const skipped: [string, string | undefined][] = [];
    const outcome: Record<string, Exclude<FinalStatus, "skipped">> = { b: "error", t: "fail" };
    const result = await runScheduler({
      nodes: [
        { id: "a", dependsOn: [] },
        { id: "b", dependsOn: ["a"] },
        { id: "c", dependsOn: ["b"] },
        { id: "d", dependsOn: ["c"] },
        { id: "x", dependsOn: [] },
        { id: "t", dependsOn: ["x"] },
        { id: "y", dependsOn: ["x", "t"] },
        { id: "z", dependsOn: ["a", "outside"] },
      ],
      threads: 2,
      execute: async (id) => {
        started.push(id);
        await tick();
        return outcome[id] ?? "success";
      },
      onSkip: (id, cause) => skipped.push([id, cause]),
    });
    expect(Object.fromEntries(result)).toEqual({
      a: "success",
      b: "error",
      c: "skipped",
      d: "skipped",
      x: "success",
      t: "fail",
      y: "skipped",
      z: "success",
    });
    expect(skipped).toEqual([
      ["c", "b"],
      ["d", "b"],
      ["y", "t"],
    ]);
    expect(started.indexOf("a")).toBeLessThan(started.indexOf("b"));
  });

  it("never runs more than `threads` nodes at once", async () => {
    let running = 0;
    let peak = 0;
    await runScheduler({
      nodes: Array.from({ length: 10 }, (_, i) => ({ id: `n${i}`, dependsOn: [] })),
      threads: 3,
      execute: async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        return "success";
      },
      onSkip: () => {},
    });
    expect(peak).toBe(3);
  });

  it("starts nodes that hold no thread at once, beside the `threads` others, and waits for them", async () => {
    let running = 0;
    let peak = 0;
    const started = new Set<string>();
    let finished = 0;
    const result = await runScheduler({
      nodes: [
        { id: "m", dependsOn: [] },
        ...Array.from({ length: 4 }, (_, i) => ({ id: `t${i}`, dependsOn: ["m"] })),
        { id: "other", dependsOn: [] },
      ],
      threads: 2,
      // t1..t3 follow t0 once it has started (as a batch's tests follow its first).
      holdsNoThread: (id) => id !== "t0" && id.startsWith("t") && started.has("t0"),
      execute: async (id) => {
        started.add(id);
        const holds = !(id !== "t0" && id.startsWith("t") && started.has("t0"));
        if (holds) running++;
        peak = Math.max(peak, running);
        await tick();
        await tick();
        if (holds) running--;
        finished++;
        return "success";
      },
      onSkip: () => {},
    });
    expect(peak).toBe(2);
    expect(finished).toBe(6);
    expect([...result.values()].every((s) => s === "success")).toBe(true);
  });

  it("skips what has not started when cancelled", async () => {
    const controller = new AbortController();
    const result = await runScheduler({
      nodes: [
        { id: "a", dependsOn: [] },
        { id: "b", dependsOn: ["a"] },
      ],
      threads: 1,
      signal: controller.signal,
      execute: async () => {
        controller.abort();
        await tick();
        return "error";
      },
      onSkip: () => {},
    });
    expect(result.get("b")).toBe("skipped");
  });
});

describe("node state machine", () => {
  it("allows pending → running → final and pending → skipped only", () => {
    expect(transition("pending", { type: "start" })).toBe("running");
    expect(transition("running", { type: "finish", status: "warn" })).toBe("warn");
    expect(transition("pending", { type: "skip" })).toBe("skipped");
    expect(() => transition("success", { type: "start" })).toThrow(/not allowed/);
    expect(() => transition("running", { type: "skip" })).toThrow(/not allowed/);
  });
});
