import { describe, expect, it } from "vitest";
import { type JobOutcome, periodicChild } from "./periodic-child.js";
import type { ProbeResult } from "./serve-status.js";

/** Runs the child until `stopAfter` sleeps, recording every wait and status call instead of waiting. */
async function drive(options: {
  outcomes: JobOutcome[];
  probes?: ProbeResult[];
  stopAfter: number;
  firstAfterMs?: number;
}) {
  const controller = new AbortController();
  const waits: number[] = [];
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const child = periodicChild({
    name: "scheduler",
    everyMs: 60_000,
    retryBaseMs: 5_000,
    ...(options.firstAfterMs ? { firstAfterMs: options.firstAfterMs } : {}),
    ...(options.probes ? { probe: async () => options.probes?.shift() ?? { ok: true, at: 0 } } : {}),
    job: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push("job");
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return options.outcomes.shift() ?? { ok: true };
    },
    sleep: async (ms) => {
      waits.push(ms);
      if (waits.length >= options.stopAfter) controller.abort();
    },
  });
  await child.run({
    signal: controller.signal,
    running: () => calls.push("running"),
    degraded: (reason) => calls.push(`degraded: ${reason}`),
    recovered: () => calls.push("recovered"),
  });
  return { waits, calls, maxRunning };
}

describe("periodicChild", () => {
  it("runs every period, one run at a time", async () => {
    const { waits, calls, maxRunning } = await drive({ outcomes: [], stopAfter: 3 });
    expect(waits).toEqual([60_000, 60_000, 60_000]);
    expect(calls.filter((c) => c === "job")).toHaveLength(3);
    expect(maxRunning).toBe(1);
  });

  it("retries a failed run with backoff capped at the period, and resets after a success", async () => {
    const failed = { ok: false, error: "x" };
    const { waits } = await drive({
      outcomes: [failed, failed, failed, failed, failed, { ok: true }, failed],
      stopAfter: 7,
    });
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 5_000]);
  });

  it("is degraded while Trino is unreachable, skips the run, and recovers", async () => {
    const down = { ok: false, at: 0, error: "connection refused" };
    const { waits, calls } = await drive({
      outcomes: [],
      probes: [down, down, { ok: true, at: 0 }],
      stopAfter: 3,
    });
    expect(waits).toEqual([5_000, 10_000, 60_000]);
    expect(calls).toEqual([
      "running",
      "degraded: Trino unreachable: connection refused",
      "degraded: Trino unreachable: connection refused",
      "recovered",
      "job",
    ]);
  });

  it("waits a period before the first run when asked (maintenance)", async () => {
    const { waits, calls } = await drive({ outcomes: [], firstAfterMs: 3_600_000, stopAfter: 1 });
    expect(waits).toEqual([3_600_000]);
    expect(calls).toEqual(["running"]);
  });
});
