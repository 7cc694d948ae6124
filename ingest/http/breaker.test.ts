import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./breaker.js";

describe("CircuitBreaker", () => {
  it("opens after consecutive failures, lets one probe through when half-open, and closes on its success", () => {
    const breaker = new CircuitBreaker({ failures: 3, openMs: 1_000, maxOpenMs: 4_000 });
    breaker.failure(0);
    breaker.failure(10);
    expect(breaker.state(10)).toBe("closed");
    breaker.failure(20);
    expect(breaker.state(20)).toBe("open");
    expect(breaker.waitMs(520)).toBe(500);
    expect(breaker.state(1_020)).toBe("half-open");
    breaker.success();
    expect(breaker.state(1_020)).toBe("closed");
    expect(breaker.waitMs(1_020)).toBe(0);
  });

  it("a failed probe opens it again for twice as long, up to the maximum", () => {
    const breaker = new CircuitBreaker({ failures: 1, openMs: 1_000, maxOpenMs: 3_000 });
    breaker.failure(0);
    expect(breaker.state(1_000)).toBe("half-open");
    breaker.failure(1_000);
    expect(breaker.state(2_999)).toBe("open");
    expect(breaker.state(3_000)).toBe("half-open");
    breaker.failure(3_000);
    expect(breaker.waitMs(3_000)).toBe(3_000);
  });

  it("a success between failures resets the count", () => {
    const breaker = new CircuitBreaker({ failures: 2, openMs: 1_000, maxOpenMs: 1_000 });
    breaker.failure(0);
    breaker.success();
    breaker.failure(1);
    expect(breaker.state(1)).toBe("closed");
  });
});
