import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { DASHBOARD_HTML } from "./dashboard-page.js";
import type { Readiness, ServeStatus } from "./serve-status.js";

export interface RouteSources {
  readonly status: () => ServeStatus;
  readonly readiness: () => Readiness;
  readonly metrics: () => Promise<string>;
  /** A later feature's routes (the ingestion API, the query API): true when it answered. */
  readonly extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * The chart library's files, read from node_modules (the machines have no internet, so no CDN). When
 * uPlot is not installed the page draws its charts as SVG polylines instead.
 */
const VENDOR: Readonly<Record<string, { file: string; type: string }>> = {
  "/vendor/uPlot.iife.min.js": {
    file: "uplot/dist/uPlot.iife.min.js",
    type: "text/javascript; charset=utf-8",
  },
  "/vendor/uPlot.min.css": { file: "uplot/dist/uPlot.min.css", type: "text/css; charset=utf-8" },
};

const json = (res: ServerResponse, code: number, body: unknown) =>
  res
    .writeHead(code, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(`${JSON.stringify(body)}\n`);

/** `/`, `/healthz`, `/readyz`, `/metrics`, `/api/status` and the vendored chart files. */
export function serveRoutes(sources: RouteSources): (req: IncomingMessage, res: ServerResponse) => void {
  const require = createRequire(import.meta.url);
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      if (sources.extra?.(req, res)) return;
      json(res, 405, { error: "method not allowed" });
      return;
    }
    switch (path) {
      case "/":
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(DASHBOARD_HTML);
        return;
      case "/healthz":
        json(res, 200, { status: "ok" });
        return;
      case "/readyz": {
        const ready = sources.readiness();
        json(res, ready.ready ? 200 : 503, { ready: ready.ready, reasons: ready.reasons });
        return;
      }
      case "/api/status":
        json(res, 200, sources.status());
        return;
      case "/metrics":
        sources.metrics().then(
          (text) =>
            res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(text),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
        return;
    }
    const vendor = VENDOR[path];
    if (vendor) {
      let file: string;
      try {
        file = require.resolve(vendor.file);
      } catch {
        json(res, 404, { error: `${vendor.file} is not installed` });
        return;
      }
      readFile(file).then(
        (body) =>
          res.writeHead(200, { "content-type": vendor.type, "cache-control": "max-age=3600" }).end(body),
        () => json(res, 404, { error: `${vendor.file} is not readable` }),
      );
      return;
    }
    if (sources.extra?.(req, res)) return;
    json(res, 404, { error: `no route ${path}` });
  };
}
