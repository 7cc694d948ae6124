import { describe, expect, it } from "vitest";
import { DASHBOARD_HTML } from "./dashboard-page.js";

describe("the dashboard page", () => {
  const inline = [...DASHBOARD_HTML.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");

  it("is self-contained: only local files, no CDN", () => {
    const urls = [...DASHBOARD_HTML.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls).toEqual(["/vendor/uPlot.min.css", "/vendor/uPlot.iife.min.js"]);
    expect(DASHBOARD_HTML).not.toMatch(/https?:\/\//);
  });

  it("carries a script that parses and polls /api/status every 2 s", () => {
    expect(inline).toHaveLength(1);
    expect(() => new Function(inline[0] ?? "")).not.toThrow();
    expect(inline[0]).toContain('fetch("/api/status"');
    expect(inline[0]).toContain("setTimeout(poll, 2000)");
  });
});
