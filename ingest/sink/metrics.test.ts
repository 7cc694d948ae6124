import { describe, expect, it } from "vitest";
import { SinkMetrics } from "./metrics.js";

describe("SinkMetrics", () => {
  it("serves the sink's metrics in Prometheus text format", async () => {
    const metrics = new SinkMetrics();
    metrics.records.inc({ topic: "orders" }, 3);
    metrics.dlq.inc({ topic: "orders" });
    metrics.lag.set({ topic: "orders", partition: "0" }, 7);
    metrics.eventToFileSeconds.observe(42);
    const server = await metrics.serve(0);
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).toContain('floe_sink_records_total{topic="orders"} 3');
      expect(text).toContain('floe_sink_dlq_total{topic="orders"} 1');
      expect(text).toContain('floe_sink_consumer_lag{topic="orders",partition="0"} 7');
      expect(text).toContain("floe_sink_event_to_file_seconds_count 1");
      expect(text).toContain("floe_sink_flush_seconds_bucket");
      expect(text).toContain("floe_sink_bytes_total");
      expect(text).toContain("floe_sink_files_total");
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("answers /healthz always and /readyz with the readiness it is given", async () => {
    let ready = false;
    const server = await new SinkMetrics().serve(0, "127.0.0.1", () =>
      ready ? { ready: true, reasons: [] } : { ready: false, reasons: ["S3 not probed yet"] },
    );
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ ready: false, reasons: ["S3 not probed yet"] });
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
