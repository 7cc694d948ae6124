import { WAREHOUSE_BUCKET } from "../../stack/services.js";

/**
 * The sink's defaults, declared once: `runSink`, the `floe ingest sink|register` flags (their help text
 * included) and the demo read them here. A leaf module (no kafkajs, AWS SDK or DuckDB) so the CLI can
 * import it without paying for the ingest modules at start-up. The DLQ topic's default is the contracts'
 * `DLQ_TOPIC`, prefixed like the source topics.
 */
export const SINK_DEFAULTS = {
  bucket: WAREHOUSE_BUCKET,
  /** Object key prefix of the raw area. */
  prefix: "raw/",
  /** Hive schema of the raw tables. */
  hiveSchema: "raw",
  groupId: "floe-sink",
  flushRecords: 100_000,
  flushBytes: 64 * 1024 * 1024,
  flushIntervalMs: 60_000,
  /** `--until-idle`: how long nothing must arrive once caught up. */
  idleMs: 5_000,
  metricsPort: 9464,
  /** Loopback: `--metrics-host 0.0.0.0` exposes /metrics, /healthz and /readyz (a Kubernetes probe needs it). */
  metricsHost: "127.0.0.1",
  /** How long a paused partition waits before its next round of attempts. */
  pauseMs: 10_000,
  /** DuckDB threads encoding Parquet (they run beside the consume loop's thread). */
  encoderThreads: 1,
} as const;
