import { describe, expect, it } from "vitest";
import { trackEnv } from "./result-cache.js";

describe("trackEnv", () => {
  it("records each variable read, set or not, with its value", () => {
    const tracked = trackEnv({ A: "1", B: "2" });
    expect(tracked.env.A).toBe("1");
    expect(tracked.env.MISSING).toBeUndefined();
    expect("B" in tracked.env).toBe(true);
    expect(tracked.reads()).toEqual({ A: "1", MISSING: null, B: "2" });
    expect(tracked.readAll()).toBe(false);
  });

  it("marks an enumeration (a spread) as reading everything", () => {
    const tracked = trackEnv({ A: "1" });
    expect({ ...tracked.env }).toEqual({ A: "1" });
    expect(tracked.readAll()).toBe(true);
  });
});
