import { describe, expect, it } from "vitest";
import { ACTIVE, type Lifecycle, type LifecycleEvent, nextLifecycle } from "./partition-lifecycle.js";

const paused = (until: number): Lifecycle => ({ kind: "paused", until });
const REVOKED: Lifecycle = { kind: "revoked" };
const failed = (until: number): LifecycleEvent => ({ type: "failed", until });
const recovered: LifecycleEvent = { type: "recovered" };
const revoked: LifecycleEvent = { type: "revoked" };

describe("nextLifecycle", () => {
  it.each([
    ["active", ACTIVE, failed(5), paused(5), "pause"],
    ["active", ACTIVE, recovered, ACTIVE, undefined],
    ["active", ACTIVE, revoked, REVOKED, undefined],
    ["paused", paused(5), failed(9), paused(9), undefined],
    ["paused", paused(5), recovered, ACTIVE, "resume"],
    ["paused", paused(5), revoked, REVOKED, "resume"],
    ["revoked", REVOKED, failed(5), REVOKED, undefined],
    ["revoked", REVOKED, recovered, REVOKED, undefined],
    ["revoked", REVOKED, revoked, REVOKED, undefined],
  ] as const)("%s on %o → %o, fetching: %s", (_name, state, event, next, effect) => {
    expect(nextLifecycle(state, event)).toEqual({ state: next, effect });
  });

  it("pauses and resumes fetching exactly once over any run of failures", () => {
    let state: Lifecycle = ACTIVE;
    const effects: string[] = [];
    for (const event of [
      failed(1),
      failed(2),
      failed(3),
      recovered,
      recovered,
      failed(4),
      revoked,
      recovered,
    ]) {
      const t = nextLifecycle(state, event);
      state = t.state;
      if (t.effect) effects.push(t.effect);
    }
    expect(effects).toEqual(["pause", "resume", "pause", "resume"]);
    expect(state).toEqual(REVOKED);
  });
});
