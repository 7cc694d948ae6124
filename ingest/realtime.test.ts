import { describe, expect, it } from "vitest";
import { messagesWithin, pace, Restamper, restamp } from "./realtime.js";
import type { GeneratedMessage } from "./stream-mixer.js";

describe("pace", () => {
  it("spaces messages evenly at a steady rate", () => {
    const p = pace(3_000);
    expect(p.dueMs(0)).toBe(0);
    expect(p.dueMs(3_000)).toBe(1_000);
    expect(messagesWithin(p, 15 * 60_000)).toBe(2_700_000);
  });

  it("ends each period with a burst at the burst rate", () => {
    // Every 60 s: 50 s at 100/s (5,000 messages), then 10 s at 1,000/s (10,000).
    const p = pace(100, { rate: 1_000, everyMs: 60_000, forMs: 10_000 });
    expect(p.dueMs(4_999)).toBeCloseTo(49_990);
    expect(p.dueMs(5_000)).toBe(50_000);
    expect(p.dueMs(10_000)).toBe(55_000);
    expect(p.dueMs(15_000)).toBe(60_000);
    expect(p.dueMs(20_000)).toBe(110_000);
    expect(messagesWithin(p, 120_000)).toBe(30_000);
    expect(messagesWithin(p, 50_000)).toBe(5_000);
  });

  it("is increasing, so a count within a duration is well defined", () => {
    const p = pace(7, { rate: 31, everyMs: 9_000, forMs: 2_000 });
    for (let i = 1; i < 500; i++) expect(p.dueMs(i)).toBeGreaterThan(p.dueMs(i - 1));
  });
});

describe("restamp", () => {
  const event = {
    event_id: "e1",
    event_type: "product_view",
    event_time: "2026-01-01T00:00:00.000Z",
    user_id: 7,
  };
  const message: GeneratedMessage = { kind: "user-events", key: "7", value: JSON.stringify(event), event };
  const now = Date.UTC(2026, 11, 6, 10, 0, 0);

  it("stamps the event with now and rewrites its bytes, keeping the fields' order", () => {
    const out = restamp(message, now, 600_000);
    expect(out.event?.event_time).toBe("2026-12-06T10:00:00.000Z");
    expect(out.value).toBe(
      '{"event_id":"e1","event_type":"product_view","event_time":"2026-12-06T10:00:00.000Z","user_id":7}',
    );
  });

  it("stamps a late event that much earlier, and leaves malformed messages alone", () => {
    expect(restamp({ ...message, late: true }, now, 600_000).event?.event_time).toBe(
      "2026-12-06T09:50:00.000Z",
    );
    const bad: GeneratedMessage = {
      kind: "user-events",
      key: "7",
      value: "{not json",
      malformed: "not-json" as never,
    };
    expect(restamp(bad, now, 0)).toBe(bad);
  });
});

describe("Restamper", () => {
  it("gives a duplicate the bytes its original went out with", () => {
    const event = { event_id: "e9", event_type: "product_view", event_time: "2026-01-01T00:00:00.000Z" };
    const original: GeneratedMessage = { kind: "user-events", key: "k", value: JSON.stringify(event), event };
    const duplicate: GeneratedMessage = {
      kind: "user-events",
      key: "k",
      value: original.value,
      duplicate: true,
    };
    const stamper = new Restamper(0);
    const sent = stamper.stamp(original, Date.UTC(2026, 11, 6));
    expect(stamper.stamp(duplicate, Date.UTC(2026, 11, 7)).value).toBe(sent.value);
    expect(sent.value).toContain("2026-12-06T00:00:00.000Z");
  });
});
