import { describe, expect, it } from "vitest";
import { type DueCandidate, type DueQuestion, decideDue, shortDuration } from "./decide-due.js";

const NOW = new Date("2026-12-06T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
const ORDERS = "model.shop.stg_orders";
const ITEMS = "model.shop.stg_items";
const RAW = "source.shop.raw.orders";

function ask(
  overrides: Omit<Partial<DueQuestion>, "candidate"> & { candidate?: Partial<DueCandidate> } = {},
) {
  const { candidate, ...rest } = overrides;
  return decideDue({
    candidate: { id: "model.shop.fct_orders", kind: "table", code: "c1", ...candidate },
    previous: {
      built_at: minutesAgo(3),
      code: "c1",
      upstream: { [ORDERS]: "snapshot 123", [ITEMS]: "snapshot 7" },
    },
    observed: { [ORDERS]: "snapshot 123", [ITEMS]: "snapshot 7" },
    exists: true,
    now: NOW,
    ...rest,
  });
}

describe("decideDue", () => {
  it("builds a node never built with --due, or whose relation is gone, or whose code changed", () => {
    expect(ask({ previous: undefined })).toEqual({ build: true, reason: "no earlier --due build recorded" });
    expect(ask({ exists: false })).toEqual({ build: true, reason: "its relation does not exist" });
    // Even when not due yet: a code change is built at once (dbt Fusion's rule).
    expect(ask({ candidate: { code: "c2", buildAfter: { count: 1, period: "hour" } } })).toMatchObject({
      build: true,
      reason: "its code or config changed since its last build",
    });
  });

  it("skips a node with no build_after whose upstream did not change, naming each version", () => {
    expect(ask()).toEqual({
      build: false,
      reason: "upstream unchanged: stg_items snapshot 7 = last seen; stg_orders snapshot 123 = last seen",
    });
  });

  it("builds a node with no build_after as soon as any upstream changed", () => {
    expect(ask({ observed: { [ORDERS]: "snapshot 124", [ITEMS]: "snapshot 7" } })).toEqual({
      build: true,
      reason: "upstream changed: stg_orders snapshot 123 → snapshot 124",
    });
  });

  it("is not due before build_after has passed since the last build, whatever changed upstream", () => {
    const decision = ask({
      candidate: { buildAfter: { count: 10, period: "minute" } },
      observed: { [ORDERS]: "snapshot 124", [ITEMS]: "snapshot 8" },
    });
    expect(decision).toEqual({ build: false, reason: "not due: built 3m ago, build_after 10m" });
  });

  it("once due, builds on any change (the default) and, with updates_on: all, only when every input changed", () => {
    const previous = {
      built_at: minutesAgo(90),
      code: "c1",
      upstream: { [ORDERS]: "snapshot 1", [RAW]: "4 files" },
    };
    const one = { [ORDERS]: "snapshot 2", [RAW]: "4 files" };
    const both = { [ORDERS]: "snapshot 2", [RAW]: "5 files" };
    expect(
      ask({ previous, observed: one, candidate: { buildAfter: { count: 1, period: "hour" } } }),
    ).toMatchObject({
      build: true,
    });
    const all = { buildAfter: { count: 1, period: "hour", updates_on: "all" } } as const;
    expect(ask({ previous, observed: one, candidate: all })).toEqual({
      build: false,
      reason: "not every upstream changed (updates_on: all): raw.orders 4 files = last seen",
    });
    expect(ask({ previous, observed: both, candidate: all })).toEqual({
      build: true,
      reason: "every upstream changed: stg_orders snapshot 1 → snapshot 2; raw.orders 4 files → 5 files",
    });
  });

  it("counts an input not seen at the last build as changed", () => {
    expect(ask({ observed: { [ORDERS]: "snapshot 123", [ITEMS]: "snapshot 7", [RAW]: "1 file" } })).toEqual({
      build: true,
      reason: "upstream changed: raw.orders (not seen before) → 1 file",
    });
  });

  it("keeps an unchanged view and seed (a view reads live; a seed's input is its CSV, part of its code)", () => {
    expect(ask({ candidate: { kind: "view" }, observed: {} })).toEqual({
      build: false,
      reason: "view unchanged since 3m ago: a view reads its upstream live",
    });
    expect(ask({ candidate: { kind: "seed" }, observed: {} })).toEqual({
      build: false,
      reason: "seed file unchanged since its load 3m ago",
    });
    expect(ask({ candidate: { kind: "seed", code: "c2" }, observed: {} })).toMatchObject({ build: true });
  });

  it("skips a node without inputs once built, and lists at most three inputs in a reason", () => {
    expect(ask({ previous: { built_at: minutesAgo(1), code: "c1", upstream: {} }, observed: {} })).toEqual({
      build: false,
      reason: "no upstream inputs, and its code is unchanged",
    });
    const many = Object.fromEntries(["a", "b", "c", "d", "e"].map((n) => [`model.shop.${n}`, "snapshot 1"]));
    const decision = ask({
      previous: { built_at: minutesAgo(1), code: "c1", upstream: many },
      observed: many,
    });
    expect(decision.reason).toBe(
      "upstream unchanged: a snapshot 1 = last seen; b snapshot 1 = last seen; c snapshot 1 = last seen; and 2 more",
    );
  });

  it("builds exactly at build_after", () => {
    const previous = { built_at: minutesAgo(10), code: "c1", upstream: { [ORDERS]: "snapshot 1" } };
    const decision = ask({
      previous,
      observed: { [ORDERS]: "snapshot 2" },
      candidate: { buildAfter: { count: 10, period: "minute" } },
    });
    expect(decision.build).toBe(true);
  });
});

describe("shortDuration", () => {
  it("reads like a log line", () => {
    expect([5, 180, 3_900, 7_200, 86_400 * 3 + 3_600 * 4].map(shortDuration)).toEqual([
      "5s",
      "3m",
      "1h 5m",
      "2h",
      "3d 4h",
    ]);
  });
});
