import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Kafka } from "kafkajs";
import { TOPIC_KINDS, type TopicKind } from "../contracts.js";
import { type Endpoints, endpointsFromEnv, kafkaClient } from "../endpoints.js";
import { configuredEventTimeBounds } from "../event-time.js";
import { topicName } from "../producer.js";
import { type ApiKey, DEFAULT_KEYS_FILE, KeyIndex } from "./api-keys.js";
import type { BreakerOptions } from "./breaker.js";
import { Forwarder, type ForwardLink } from "./forwarder.js";
import { kafkaForwardLink } from "./kafka-link.js";
import { ApiMetrics } from "./metrics.js";
import { API_LIMITS, type ApiLimits, checkEvents, parseBody } from "./request-body.js";
import { Spool, SpoolClosed, SpoolFull } from "./spool.js";
import type { NewRecord } from "./spool-format.js";
import { RateLimiter } from "./token-bucket.js";
import { traceIdOf } from "./trace.js";
import { workerForwardLink } from "./worker-link.js";

/**
 * The ingestion API (`floe ingest api`, and later inside `floe serve`): node:http (chosen by measurement,
 * README "Ingestion API"), one route that validates and spools events, health, readiness and metrics.
 * A 202 means the events are fsynced in the spool; the forwarder takes them to Kafka from there.
 */

export interface IngestApiOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly keysFile?: string;
  readonly spoolDir?: string;
  readonly spoolMaxBytes?: number;
  /** Prefix of the topic names (`<prefix>user-events`…), as `floe ingest generate --topic-prefix`. */
  readonly topicPrefix?: string;
  readonly endpoints?: Endpoints;
  readonly kafka?: Kafka;
  /** The forwarder's Kafka (tests pass a fake); default: kafkajs on `kafka`/`endpoints`. */
  readonly link?: ForwardLink;
  /**
   * Where kafkajs runs: `worker` (the default when built: a worker thread, so its batch encoding never
   * delays HTTP responses) or `main` (the HTTP thread; always so with `kafka`, and when run from
   * TypeScript sources, which cannot start a thread, unless `linkWorkerUrl` is given).
   * `FLOE_API_FORWARD_THREAD=main` forces `main`, for A/B benchmarks.
   */
  readonly forwardThread?: "worker" | "main";
  /** The built kafka-link-worker.js (default: beside this module when it is JavaScript). */
  readonly linkWorkerUrl?: URL;
  readonly limits?: ApiLimits;
  readonly breaker?: BreakerOptions;
  /** How long `close()` waits for the spool to drain into Kafka. */
  readonly drainTimeoutMs?: number;
  /** false skips fdatasync: only for benchmarks that measure everything else. */
  readonly sync?: boolean;
  readonly onEvent?: (event: IngestApiEvent) => void;
}

export type IngestApiEvent =
  | { kind: "listening"; url: string; spoolDir: string; pending: number }
  | { kind: "forward-failed"; error: string; breaker: string }
  | { kind: "reconciled"; alreadyInKafka: number }
  | { kind: "draining"; pending: number }
  | { kind: "stopped"; pending: number };

export interface IngestApi {
  readonly address: { host: string; port: number };
  readonly url: string;
  readonly metrics: ApiMetrics;
  /** Events spooled and not yet acknowledged by Kafka. */
  pending(): number;
  /** Graceful stop: refuse new requests, finish the ones running, drain the spool into Kafka, close. */
  close(): Promise<void>;
}

export const DEFAULT_SPOOL_DIR = ".floe/api-spool";

type Route = "/v1/events" | "/healthz" | "/readyz" | "/metrics" | "other";
const ROUTES = new Set<string>(["/v1/events", "/healthz", "/readyz", "/metrics"]);

export async function startIngestApi(options: IngestApiOptions = {}): Promise<IngestApi> {
  // A bad FLOE_EVENT_* variable fails the start, not every event.
  configuredEventTimeBounds();
  const limits = options.limits ?? API_LIMITS;
  const keys = new KeyIndex(options.keysFile ?? DEFAULT_KEYS_FILE);
  const spool = await Spool.open({
    dir: options.spoolDir ?? DEFAULT_SPOOL_DIR,
    ...(options.spoolMaxBytes !== undefined ? { maxBytes: options.spoolMaxBytes } : {}),
    ...(options.sync !== undefined ? { sync: options.sync } : {}),
  });
  const prefix = options.topicPrefix ?? "";
  const topics = Object.fromEntries(TOPIC_KINDS.map((k) => [k, topicName({ prefix }, k)])) as Record<
    TopicKind,
    string
  >;
  const emit = options.onEvent ?? (() => {});
  const link = options.link ?? defaultLink(options, Object.values(topics));
  let forwarder: Forwarder | undefined;
  const metrics = new ApiMetrics({
    spool: () => spool.depth(),
    breaker: () => forwarder?.breakerState() ?? "closed",
  });
  forwarder = new Forwarder(
    spool,
    link,
    {
      forwarded: (n) => metrics.forwarded.inc(n),
      failed: (error, state) => {
        metrics.forwardFailures.inc();
        emit({
          kind: "forward-failed",
          error: error instanceof Error ? error.message : String(error),
          breaker: state,
        });
      },
      reconciled: (n) => emit({ kind: "reconciled", alreadyInKafka: n }),
    },
    options.breaker ? { breaker: options.breaker } : {},
  );
  forwarder.start();
  const limiter = new RateLimiter();
  let closing = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  function reply(
    res: ServerResponse,
    route: Route,
    started: number,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": typeof body === "string" ? "text/plain; version=0.0.4" : "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
    metrics.requests.inc({ route, status: String(status) });
    metrics.latency.observe({ route }, (performance.now() - started) / 1000);
  }

  async function events(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    const route = "/v1/events";
    const fail = (status: number, error: string, headers?: Record<string, string>) =>
      reply(res, route, started, status, { error }, headers);
    if (req.method !== "POST") return fail(405, "use POST", { allow: "POST" });
    if (closing) return fail(503, "the API is shutting down", { "retry-after": "1" });
    const auth = req.headers.authorization;
    const secret = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : undefined;
    if (!secret)
      return fail(401, "missing API key: send Authorization: Bearer <key>", { "www-authenticate": "Bearer" });
    const key = keys.lookup(secret, Date.now());
    if (!key) return fail(401, "unknown or revoked API key", { "www-authenticate": "Bearer" });
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limits.maxBodyBytes) {
      req.resume();
      return fail(413, `the body is ${declared} bytes; the limit is ${limits.maxBodyBytes}`, {
        connection: "close",
      });
    }
    const body = await readBody(req, limits.maxBodyBytes);
    if (!body) return fail(413, `the body exceeds ${limits.maxBodyBytes} bytes`, { connection: "close" });
    const parsed = parseBody(body, req.headers["content-type"], limits);
    if (!parsed.ok) return fail(parsed.status, parsed.error);
    const now = Date.now();
    const rate = limiter.take(key.id, key.rate, parsed.items.length, now);
    if (!rate.ok) {
      return fail(429, `rate limit of ${key.rate} events/s exceeded`, {
        "retry-after": String(Math.max(1, Math.ceil(rate.retryAfterMs / 1000))),
      });
    }
    const checked = checkEvents(parsed.items, now, limits);
    const forbidden = forbiddenTopics(key, checked.kinds);
    if (forbidden.length > 0) return fail(403, `this key may not send to ${forbidden.join(", ")}`);
    metrics.events.inc({ outcome: "rejected" }, checked.rejected.length);
    if (checked.valid.length === 0) {
      return reply(res, route, started, 400, { accepted: 0, rejected: checked.rejected });
    }
    const traceId = traceIdOf(req.headers.traceparent);
    const records: NewRecord[] = checked.valid.map((e) => ({
      topic: topics[e.kind],
      key: e.key,
      value: e.value,
      traceId,
    }));
    try {
      await spool.append(records);
    } catch (error) {
      // Full, closed, or a failed write or fsync (the spool then refuses everything): not durable, so
      // not accepted; the client may send the same events again.
      const known = error instanceof SpoolFull || error instanceof SpoolClosed;
      return fail(503, known ? error.message : "the spool could not store the events", {
        "retry-after": "5",
      });
    }
    metrics.accepted(records.length);
    reply(res, route, started, 202, {
      accepted: records.length,
      rejected: checked.rejected,
      trace_id: traceId,
    });
  }

  const ready = () => {
    const reasons: string[] = [];
    if (closing) reasons.push("shutting down");
    if (spool.isClosed) reasons.push("the spool failed a write");
    if (spool.wouldOverflow(limits.maxEventBytes))
      reasons.push("the spool is full (Kafka unreachable or slow)");
    return reasons;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0] as string;
    const route = (ROUTES.has(path) ? path : "other") as Route;
    inFlight++;
    try {
      switch (route) {
        case "/v1/events":
          return await events(req, res, started);
        case "/healthz":
          return reply(res, route, started, 200, { status: "ok" });
        case "/readyz": {
          const reasons = ready();
          return reply(res, route, started, reasons.length === 0 ? 200 : 503, {
            ready: reasons.length === 0,
            reasons,
            spool: spool.depth(),
            breaker: forwarder?.breakerState(),
          });
        }
        case "/metrics":
          return reply(res, route, started, 200, await metrics.registry.metrics());
        default:
          return reply(res, route, started, 404, { error: `no route ${path}` });
      }
    } catch (error) {
      if (!res.headersSent) reply(res, route, started, 500, { error: "internal error" });
      else res.destroy(error as Error);
    } finally {
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  // Keep-alive connections from load generators must not hold a graceful stop open, and a client that
  // trickles its headers or body (slowloris) is cut off instead of holding a socket for Node's 5 minutes.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8686, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  emit({
    kind: "listening",
    url,
    spoolDir: options.spoolDir ?? DEFAULT_SPOOL_DIR,
    pending: spool.depth().records,
  });

  let closed: Promise<void> | undefined;
  return {
    address: { host: address.address, port: address.port },
    url,
    metrics,
    pending: () => spool.depth().records,
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
        server.closeAllConnections();
        await stopped;
        await spool.close();
        emit({ kind: "draining", pending: spool.depth().records });
        await forwarder.stop("drain", options.drainTimeoutMs ?? 30_000);
        await spool.release();
        emit({ kind: "stopped", pending: spool.depth().records });
      })();
      return closed;
    },
  };
}

// Beside this module's chunk in the bundle (scripts/bundle-cli.mjs), or beside it in tsc's dist.
const WORKER_URL = new URL("./kafka-link-worker.js", import.meta.url);

function defaultLink(options: IngestApiOptions, topics: readonly string[]): ForwardLink {
  const endpoints = options.endpoints ?? endpointsFromEnv();
  const thread =
    options.forwardThread ?? (process.env.FLOE_API_FORWARD_THREAD === "main" ? "main" : "worker");
  const workerUrl = options.linkWorkerUrl ?? (import.meta.url.endsWith(".js") ? WORKER_URL : undefined);
  if (thread === "worker" && !options.kafka && workerUrl) {
    const { brokers, kafkaTls, kafkaSasl } = endpoints;
    const kafka = { brokers, ...(kafkaTls ? { kafkaTls } : {}), ...(kafkaSasl ? { kafkaSasl } : {}) };
    return workerForwardLink({ endpoints: kafka, topics }, workerUrl);
  }
  return kafkaForwardLink(options.kafka ?? kafkaClient(endpoints, "floe-ingest-api"), { topics });
}

function forbiddenTopics(key: ApiKey, kinds: ReadonlySet<TopicKind>): TopicKind[] {
  if (!key.topics) return [];
  const allowed = key.topics;
  return [...kinds].filter((k) => !allowed.includes(k));
}

/** The body, or undefined once it passes `max` bytes (reading stops there). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(undefined);
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
