import { createServer, type Server, type ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Readiness } from "./health.js";

/** The sink's Prometheus metrics, on their own registry so tests can run several sinks in one process. */
export class SinkMetrics {
  readonly registry = new Registry();
  readonly records = new Counter({
    name: "floe_sink_records_total",
    help: "Rows written to durable raw files",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly bytes = new Counter({
    name: "floe_sink_bytes_total",
    help: "Bytes of durable raw Parquet files",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly files = new Counter({
    name: "floe_sink_files_total",
    help: "Raw files made durable (written, or found already written by an earlier attempt)",
    labelNames: ["topic", "outcome"],
    registers: [this.registry],
  });
  readonly dlq = new Counter({
    name: "floe_sink_dlq_total",
    help: "Messages sent to the dead-letter topic",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: "floe_sink_retries_total",
    help: "Retried S3/Kafka calls",
    labelNames: ["operation"],
    registers: [this.registry],
  });
  readonly pauses = new Counter({
    name: "floe_sink_partition_pauses_total",
    help: "Partitions paused after exhausting retries",
    labelNames: ["topic"],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: "floe_sink_consumer_lag",
    help: "Messages between the log end and the sink's position",
    labelNames: ["topic", "partition"],
    registers: [this.registry],
  });
  /**
   * Records read from Kafka and held in open or uploading files, not durable yet (Kafka Connect's
   * `sink-record-active-count`): with the lag, what lies between the log end and durable raw files.
   */
  readonly activeRecords = new Gauge({
    name: "floe_sink_active_records",
    help: "Records consumed but not yet in a durable raw file",
    registers: [this.registry],
  });
  readonly flushSeconds = new Histogram({
    name: "floe_sink_flush_seconds",
    help: "Encode + upload time of one raw file",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly eventToFileSeconds = new Histogram({
    name: "floe_sink_event_to_file_seconds",
    help: "From the Kafka record timestamp to its raw file being durable",
    buckets: [1, 5, 10, 30, 60, 90, 120, 300, 600],
    registers: [this.registry],
  });

  /**
   * Serves `/metrics`, `/healthz` (the process answers) and, given `readiness`, `/readyz` (200 or 503 with
   * the reasons) on `host:port`; port 0 picks a free port. Resolves with the bound port.
   */
  async serve(
    port: number,
    host = "127.0.0.1",
    readiness?: () => Readiness,
  ): Promise<{ port: number; close: () => Promise<void> }> {
    const json = (res: ServerResponse, code: number, body: unknown) =>
      res
        .writeHead(code, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
        .end(`${JSON.stringify(body)}\n`);
    const server: Server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path === "/healthz") {
        json(res, 200, { status: "ok" });
        return;
      }
      if (path === "/readyz" && readiness) {
        const ready = readiness();
        json(res, ready.ready ? 200 : 503, ready);
        return;
      }
      if (path !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    return {
      port: typeof address === "object" && address ? address.port : port,
      close: () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  }
}
