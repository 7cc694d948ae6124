import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { earliest, WakeTimer } from "./wake-timer.js";

describe("WakeTimer", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("wakes once at the earliest deadline armed, ignoring later ones", () => {
    let fired = 0;
    const timer = new WakeTimer(() => fired++);
    timer.arm(1_005_000);
    timer.arm(1_008_000); // later: the pending wake stays
    expect(timer.pendingAt).toBe(1_005_000);
    timer.arm(1_002_000); // earlier: replaces it
    expect(timer.pendingAt).toBe(1_002_000);
    vi.advanceTimersByTime(1_999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    // The replaced wake at 1_005_000 is gone, not pending beside the new one.
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1);
    expect(timer.pendingAt).toBeUndefined();
  });

  it("wakes at once for a deadline already past, and never after close", () => {
    let fired = 0;
    const timer = new WakeTimer(() => fired++);
    timer.arm(999_000);
    vi.advanceTimersByTime(0);
    expect(fired).toBe(1);
    timer.arm(undefined);
    expect(timer.pendingAt).toBeUndefined();
    timer.arm(1_001_000);
    timer.close();
    timer.arm(1_002_000);
    vi.advanceTimersByTime(5_000);
    expect(fired).toBe(1);
  });

  it("earliest skips unset deadlines", () => {
    expect(earliest([undefined, 7, 3, undefined])).toBe(3);
    expect(earliest([undefined])).toBeUndefined();
    expect(earliest([])).toBeUndefined();
  });
});
