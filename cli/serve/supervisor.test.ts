import { describe, expect, it } from "vitest";
import { type ChildSpec, type Clock, SupervisorRuntime } from "./run-supervisor.js";
import {
  type BackoffPolicy,
  initialSupervisor,
  reduce,
  type SupervisorEvent,
  type SupervisorState,
  type Transition,
} from "./supervisor.js";

const POLICY: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, healthyAfterMs: 30_000 };

/** Folds events over the reducer, collecting every effect on the way. */
function run(
  events: readonly SupervisorEvent[],
  start: Transition = initialSupervisor(["sink", "scheduler"], POLICY),
) {
  let state: SupervisorState = start.state;
  const effects = [...start.effects];
  for (const event of events) {
    const next = reduce(state, event, POLICY);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const child = (state: SupervisorState, name: string) => state.children.find((c) => c.name === name);
const up = (at: number): SupervisorEvent[] => [
  { type: "child-running", child: "sink", at },
  { type: "child-running", child: "scheduler", at },
];

describe("supervisor reducer", () => {
  it("starts every child in order", () => {
    const { state, effects } = run(up(0));
    expect(effects).toEqual([
      { kind: "start-child", child: "sink" },
      { kind: "start-child", child: "scheduler" },
    ]);
    expect(state.children.map((c) => c.state)).toEqual(["running", "running"]);
  });

  it("restarts a crashed child after a backoff that doubles up to the cap", () => {
    const crash = (at: number): SupervisorEvent => ({
      type: "child-crashed",
      child: "sink",
      error: "boom",
      at,
    });
    let { state, effects } = run([...up(0), crash(10)]);
    expect(child(state, "sink")).toMatchObject({
      state: "restarting",
      restarts: 1,
      lastError: "boom",
      restartAt: 1_010,
    });
    const before = effects.length;
    ({ state, effects } = run([{ type: "tick", at: 1_009 }], { state, effects: [] }));
    expect(effects).toEqual([]);
    ({ state, effects } = run([{ type: "tick", at: 1_010 }], { state, effects: [] }));
    expect(effects).toEqual([{ kind: "start-child", child: "sink" }]);
    expect(child(state, "sink")?.state).toBe("starting");
    expect(before).toBeGreaterThan(0);

    // Crashing again at once: 2 s, then 4 s, … never more than 60 s.
    const waits: number[] = [];
    let at = 1_010;
    for (let i = 0; i < 8; i++) {
      ({ state } = run([{ type: "child-running", child: "sink", at }, crash(at + 1)], {
        state,
        effects: [],
      }));
      const restartAt = child(state, "sink")?.restartAt ?? 0;
      waits.push(restartAt - (at + 1));
      at = restartAt;
      ({ state } = run([{ type: "tick", at }], { state, effects: [] }));
    }
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(child(state, "sink")?.restarts).toBe(9);
    expect(child(state, "scheduler")?.state).toBe("running");
  });

  it("resets the backoff once a restarted child has run healthy for a while", () => {
    const events: SupervisorEvent[] = [...up(0)];
    for (const at of [100, 1_200, 3_400]) {
      events.push(
        { type: "child-crashed", child: "sink", error: "x", at },
        { type: "tick", at: at + 100_000 },
      );
      events.push({ type: "child-running", child: "sink", at: at + 100_000 });
    }
    let { state } = run(events);
    expect(child(state, "sink")?.backoffMs).toBe(8_000);
    ({ state } = run([{ type: "tick", at: 103_400 + 29_999 }], { state, effects: [] }));
    expect(child(state, "sink")?.backoffMs).toBe(8_000);
    ({ state } = run([{ type: "tick", at: 103_400 + 30_000 }], { state, effects: [] }));
    expect(child(state, "sink")?.backoffMs).toBe(1_000);
    expect(child(state, "sink")?.restarts).toBe(3); // the count stays: it is history, not backoff
  });

  it("a child returning on its own is a crash; degraded and recovered keep it alive", () => {
    const { state } = run([
      ...up(0),
      { type: "child-degraded", child: "scheduler", reason: "Trino unreachable" },
      { type: "child-exited", child: "sink", at: 5 },
    ]);
    expect(child(state, "scheduler")).toMatchObject({
      state: "degraded",
      degradedReason: "Trino unreachable",
    });
    expect(child(state, "sink")).toMatchObject({ state: "restarting", restarts: 1 });
    const back = run([{ type: "child-recovered", child: "scheduler" }], { state, effects: [] });
    expect(child(back.state, "scheduler")).toMatchObject({ state: "running", degradedReason: undefined });
  });

  it("stops children one at a time, last started first, then exits 0", () => {
    let { state, effects } = run([...up(0), { type: "signal", at: 50 }]);
    expect(state.phase).toBe("stopping");
    expect(effects.at(-1)).toEqual({ kind: "stop-child", child: "scheduler" });
    expect(child(state, "sink")?.state).toBe("running"); // the sink keeps draining until its turn
    ({ state, effects } = run([{ type: "child-exited", child: "scheduler", at: 60 }], {
      state,
      effects: [],
    }));
    expect(effects).toEqual([{ kind: "stop-child", child: "sink" }]);
    ({ state, effects } = run([{ type: "child-exited", child: "sink", at: 70 }], { state, effects: [] }));
    expect(effects).toEqual([{ kind: "exit", code: 0 }]);
    expect(state).toMatchObject({ phase: "stopped", exitCode: 0 });
    expect(state.children.every((c) => c.state === "stopped")).toBe(true);
  });

  it("skips a child waiting to restart when stopping, and never restarts during a stop", () => {
    const { state, effects } = run([
      ...up(0),
      { type: "child-crashed", child: "scheduler", error: "x", at: 1 },
      { type: "signal", at: 2 },
      { type: "tick", at: 100_000 },
    ]);
    expect(child(state, "scheduler")?.state).toBe("stopped");
    expect(effects.filter((e) => e.kind === "start-child")).toHaveLength(2);
    expect(effects.at(-1)).toEqual({ kind: "stop-child", child: "sink" });
  });

  it("a second signal exits at once with 130", () => {
    const { state, effects } = run([...up(0), { type: "signal", at: 1 }, { type: "signal", at: 2 }]);
    expect(effects.at(-1)).toEqual({ kind: "exit", code: 130 });
    expect(state).toMatchObject({ phase: "stopped", exitCode: 130 });
    expect(reduce(state, { type: "signal", at: 3 }, POLICY).effects).toEqual([]);
  });
});

describe("supervisor runtime with fake children and a fake clock", () => {
  function fakeClock() {
    let now = 0;
    let tick: () => void = () => {};
    const clock: Clock = {
      now: () => now,
      every: (_ms, fn) => {
        tick = fn;
        return () => {
          tick = () => {};
        };
      },
    };
    return {
      clock,
      advance: (ms: number) => {
        now += ms;
        tick();
      },
    };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it("restarts a crashing child and stops the rest in order on a signal", async () => {
    const { clock, advance } = fakeClock();
    const order: string[] = [];
    let sinkStarts = 0;
    const sink: ChildSpec = {
      name: "sink",
      run: async ({ signal, running }) => {
        sinkStarts++;
        running();
        if (sinkStarts === 1) throw new Error("kafka gone");
        await new Promise((r) => signal.addEventListener("abort", r));
        order.push("sink");
      },
    };
    const scheduler: ChildSpec = {
      name: "scheduler",
      run: async ({ signal, running }) => {
        running();
        await new Promise((r) => signal.addEventListener("abort", r));
        order.push("scheduler");
      },
    };
    const runtime = new SupervisorRuntime([sink, scheduler], { clock, policy: POLICY });
    await settle();
    expect(runtime.state.children[0]).toMatchObject({ state: "restarting", lastError: "kafka gone" });
    advance(1_000);
    await settle();
    expect(sinkStarts).toBe(2);
    expect(runtime.state.children.map((c) => c.state)).toEqual(["running", "running"]);
    runtime.signal();
    expect(await runtime.done).toBe(0);
    expect(order).toEqual(["scheduler", "sink"]);
  });
});

describe("supervisor reducer identity", () => {
  it("returns the same state for an event that changes nothing (no log line for it)", () => {
    const { state } = run(up(0));
    expect(reduce(state, { type: "child-recovered", child: "scheduler" }, POLICY).state).toBe(state);
    expect(reduce(state, { type: "child-running", child: "sink", at: 5 }, POLICY).state).toBe(state);
  });
});
