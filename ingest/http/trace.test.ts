import { describe, expect, it } from "vitest";
import { traceparentOf } from "./kafka-link.js";
import { traceIdFromHeader, traceIdOf } from "./trace.js";

describe("trace ids", () => {
  const id = "4bf92f3577b34da6a3ce929d0e0e4736";

  it("takes the caller's traceparent, and makes a new id when it is missing, malformed or all zeros", () => {
    expect(traceIdOf(`00-${id}-00f067aa0ba902b7-01`)).toBe(id);
    expect(traceIdOf(` 00-${id.toUpperCase()}-00f067aa0ba902b7-01 `)).toBe(id);
    for (const bad of [undefined, "", `00-${id}-short-01`, `00-${"0".repeat(32)}-00f067aa0ba902b7-01`]) {
      const made = traceIdOf(bad);
      expect(made).toMatch(/^[0-9a-f]{32}$/);
      expect(made).not.toBe(id);
    }
    expect(traceIdOf(undefined)).not.toBe(traceIdOf(undefined));
  });

  it("a record's Kafka traceparent carries the trace id and its sequence number as the span", () => {
    const header = traceparentOf({ traceId: id, seq: 255n });
    expect(header).toBe(`00-${id}-00000000000000ff-01`);
    expect(traceIdFromHeader(Buffer.from(header))).toBe(id);
    expect(traceIdFromHeader("garbage")).toBeNull();
    expect(traceIdFromHeader(undefined)).toBeNull();
  });
});
