import { describe, expect, it } from "vitest";
import { DASHBOARD_HTML } from "./dashboard-page.js";
import { ServeRecorder, statusSnapshot } from "./serve-status.js";
import type { SloStatus } from "./slo-monitor.js";
import { initialSupervisor, reduce } from "./supervisor.js";

const inline = [...DASHBOARD_HTML.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");

/** A status as serve would serve it: one build, throughput samples, a crashed sink. */
function sampleStatus() {
  let { state } = initialSupervisor(["sink", "scheduler"]);
  state = reduce(state, { type: "child-running", child: "scheduler", at: 0 }).state;
  state = reduce(state, { type: "child-crashed", child: "sink", error: "kafka <gone>", at: 0 }).state;
  const recorder = new ServeRecorder();
  recorder.probe = { ok: true, at: 0 };
  recorder.recordSinkReading({ at: 0, written: 0, lag: 0 });
  recorder.recordSinkReading({ at: 2_000, written: 2_000, lag: 3_000 });
  recorder.recordSinkReading({ at: 4_000, written: 6_000, lag: 1_000 });
  recorder.recordBuild({ startedAt: 0, finishedAt: 3_000, status: "success", models: 1, errors: 0 }, [
    {
      uniqueId: "model.shop.fct_orders",
      resourceType: "model",
      displayName: "marts.fct_orders",
      description: "table model",
      status: "success",
      message: "",
      startedAt: undefined,
      completedAt: undefined,
      executionTime: 2.5,
      trinoMillis: 0,
      queryIds: [],
    },
  ]);
  recorder.buildingSince = 33_000;
  const slo: SloStatus = {
    target: 0.99,
    thresholdSeconds: 300,
    window: "30d",
    quantileWindow: "15m",
    marts: [
      {
        mart: "fct_orders",
        events: 12_000,
        compliance: 0.9975,
        budgetRemaining: 0.75,
        recentEvents: 3_000,
        p50Seconds: 42.5,
        p99Seconds: 131,
        maxSeconds: 170,
        burn: [
          {
            rule: "page",
            factor: 14.4,
            longWindow: "1h",
            shortWindow: "5m",
            burnLong: 0.25,
            burnShort: 15,
            firing: false,
          },
        ],
      },
    ],
  };
  return { ...statusSnapshot(state, recorder, { staleAfterSeconds: 600, maxLag: 100_000 }, 63_000), slo };
}

/** Just enough DOM for the page's script: elements by id with the properties it sets. */
function fakeDom() {
  const elements = new Map<string, Record<string, unknown>>();
  const document = {
    getElementById: (id: string) => {
      if (!elements.has(id))
        elements.set(id, { textContent: "", innerHTML: "", className: "", title: "", clientWidth: 300 });
      return elements.get(id);
    },
  };
  return { elements, document };
}

describe("the dashboard page", () => {
  it("is self-contained: only local files, no CDN", () => {
    const urls = [...DASHBOARD_HTML.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls).toEqual(["/vendor/uPlot.min.css", "/vendor/uPlot.iife.min.js"]);
    expect(DASHBOARD_HTML).not.toMatch(/https?:\/\//);
  });

  it("renders a status from /api/status and polls again 2 s later (SVG charts without uPlot)", async () => {
    expect(inline).toHaveLength(1);
    const { elements, document } = fakeDom();
    const status = sampleStatus();
    const fetched: string[] = [];
    const timers: number[] = [];
    const fetch = async (url: string) => {
      fetched.push(url);
      return { json: async () => status };
    };
    const setTimeout = (_fn: () => void, ms: number) => timers.push(ms);
    new Function("window", "document", "fetch", "setTimeout", inline[0] ?? "")(
      {},
      document,
      fetch,
      setTimeout,
    );
    await new Promise((r) => globalThis.setTimeout(r, 10));

    const text = (id: string) => String(elements.get(id)?.textContent);
    const html = (id: string) => String(elements.get(id)?.innerHTML);
    expect(fetched).toEqual(["/api/status"]);
    expect(timers).toEqual([2_000]);
    // The mean of the samples (the last 30 s): in 2,500/s then 1,000/s; out 1,000/s then 2,000/s.
    expect(text("in")).toBe("1.8k");
    expect(text("out")).toBe("1.5k");
    expect(text("lag")).toBe("1k");
    expect(text("ready")).toBe("not ready");
    expect(elements.get("ready")?.className).toBe("pill bad");
    expect(html("chart-in")).toContain("<polyline");
    expect(html("models")).toContain("marts.fct_orders");
    expect(html("models")).toContain("2.5 s");
    expect(html("models")).toContain("<b>60 s</b>"); // freshness
    expect(html("children")).toContain("restarting");
    expect(html("children")).toContain("kafka &lt;gone&gt;"); // escaped
    expect(html("alerts")).toContain("sink crashed (restart 1)");
    expect(text("builds")).toBe("1");
    // A build in progress since 30 s before the snapshot.
    expect(html("building")).toContain('<span class="pill busy">building</span> for 30 s');
    expect(text("slo-goal")).toBe("· 99 % of events within 5 min, over 30d");
    expect(html("slo")).toContain("<b>43 s</b>"); // p50
    expect(html("slo")).toContain("<b>131 s</b>"); // p99
    expect(html("slo")).toContain("99.75 %");
    expect(html("slo")).toContain('<span class="pill ok">75 %</span>');
    expect(html("slo")).toContain("0.25 / 15× (1h/5m)");
  });
});
