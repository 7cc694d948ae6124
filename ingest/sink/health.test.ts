import { describe, expect, it } from "vitest";
import { S3_PROBE_STALE_MS, sinkReadiness } from "./health.js";

const ok = { ok: true, at: 1_000 };

describe("sinkReadiness", () => {
  it("is ready when joined and the last S3 probe passed recently", () => {
    expect(sinkReadiness({ joined: true, s3: ok, stopping: false }, 2_000)).toEqual({
      ready: true,
      reasons: [],
    });
  });

  it("says every reason it is not", () => {
    const r = sinkReadiness(
      { joined: false, s3: { ok: false, at: 1_000, error: "connect ECONNREFUSED" }, stopping: true },
      2_000,
    );
    expect(r.ready).toBe(false);
    expect(r.reasons).toEqual([
      "the sink is stopping",
      "the consumer has not joined its group (starting or rebalancing)",
      "S3 unreachable: connect ECONNREFUSED",
    ]);
  });

  it("is not ready before the first probe, nor on a stale one", () => {
    expect(sinkReadiness({ joined: true, stopping: false }, 0).reasons).toEqual(["S3 not probed yet"]);
    expect(
      sinkReadiness({ joined: true, s3: ok, stopping: false }, 1_000 + S3_PROBE_STALE_MS + 1).ready,
    ).toBe(false);
  });
});
