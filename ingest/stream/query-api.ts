import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOn } from "../../core/listen.js";
import type { TrinoConnection } from "../../trino/connection.js";
import { type MetricsQuery, martSql, parseMetricsQuery, splitBySource } from "./metrics-query.js";
import { METRICS } from "./observations.js";
import type { ViewReader, WindowRow } from "./view-reader.js";
import { isoSeconds } from "./windows.js";

/**
 * Seed 003's query API: `GET /v1/inventory/<product_id>` (the stock in Redis) and `GET /v1/metrics`
 * (windows Redis still holds, older ones from the minute mart through Trino, whose answers are cached).
 * Every request needs `Authorization: Bearer <key>`, checked against the ingestion API's key store.
 * `queryRoutes` plugs into `floe serve`'s server; `startQueryApi` serves it alone.
 */
export interface MartReader {
  /** The windows at these starts, rolled up from the minute mart; undefined when the mart lacks the metric. */
  windows(query: MetricsQuery, starts: readonly number[]): Promise<WindowRow[] | undefined>;
}

export interface QueryApiOptions {
  readonly view: ViewReader;
  /** Absent: older ranges are answered with what Redis holds, and the response says the mart is off. */
  readonly mart?: MartReader;
  /** True when the bearer secret is an active key. */
  readonly authorize: (secret: string) => boolean;
  readonly now?: () => number;
}

const json = (res: ServerResponse, code: number, body: unknown) =>
  res
    .writeHead(code, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(`${JSON.stringify(body)}\n`);

/** Answers /v1/inventory/… and /v1/metrics; false for any other path (serve's extraRoutes contract). */
export function queryRoutes(
  options: QueryApiOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = options.now ?? Date.now;
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const inventory = /^\/v1\/inventory\/([^/]+)$/.exec(url.pathname);
    if (!inventory && url.pathname !== "/v1/metrics") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      json(res, 405, { error: `${req.method} is not allowed here; use GET` });
      return true;
    }
    const secret = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!secret || !options.authorize(secret)) {
      res.setHeader("www-authenticate", 'Bearer realm="floe"');
      json(res, 401, {
        error: secret ? "unknown or revoked API key" : "missing Authorization: Bearer <key>",
        hint: "create a key with `floe ingest api-keys create --name <name>`",
      });
      return true;
    }
    const answer = inventory
      ? inventoryAnswer(options.view, decodeURIComponent(inventory[1] ?? ""))
      : metricsAnswer(options, url.searchParams, now());
    answer.then(
      ({ code, body }) => json(res, code, body),
      (error: unknown) =>
        json(res, 503, {
          error: `the real-time view cannot answer now: ${error instanceof Error ? error.message : String(error)}`,
          retriable: true,
        }),
    );
    return true;
  };
}

interface Answer {
  readonly code: number;
  readonly body: unknown;
}

async function inventoryAnswer(view: ViewReader, productId: string): Promise<Answer> {
  const stock = await view.stock(productId);
  if (!stock)
    return { code: 404, body: { error: `no stock known for product ${JSON.stringify(productId)}` } };
  return { code: 200, body: { product_id: productId, quantity: stock.quantity, low_stock: stock.below } };
}

async function metricsAnswer(
  options: QueryApiOptions,
  search: URLSearchParams,
  nowMs: number,
): Promise<Answer> {
  const parsed = parseMetricsQuery(search, nowMs);
  if (!parsed.ok) return { code: 400, body: { error: "bad query parameters", details: parsed.errors } };
  const query = parsed.query;
  const { redis, mart } = splitBySource(query, nowMs);
  let martError: string | undefined;
  const [fromRedis, fromMart] = await Promise.all([
    options.view.windows(query, redis),
    // A mart that cannot answer (not built yet, Trino down) leaves the recent windows answerable.
    mart.length > 0
      ? options.mart?.windows(query, mart).catch((error: unknown) => {
          martError = error instanceof Error ? error.message : String(error);
          return undefined;
        })
      : Promise.resolve([]),
  ]);
  const sums = METRICS[query.name]?.sums === true;
  const row = (r: WindowRow, source: "redis" | "mart") => ({
    window_start: isoSeconds(r.startS),
    group: r.group,
    count: r.count,
    sum: sums ? r.sumCents / 100 : null,
    unique_users: r.uniqueUsers ?? null,
    source,
  });
  return {
    code: 200,
    body: {
      name: query.name,
      window: query.window,
      from: isoSeconds(query.fromS),
      to: isoSeconds(query.toS),
      group_by: query.groupBy ?? null,
      // Windows older than Redis keeps that the mart cannot give (no mart, or a metric it lacks).
      missing_windows: fromMart ? 0 : mart.length,
      ...(martError ? { mart_error: martError } : {}),
      rows: [...(fromMart ?? []).map((r) => row(r, "mart")), ...fromRedis.map((r) => row(r, "redis"))],
    },
  };
}

/** Mart answers by SQL text for `ttlMs`, at most 256 of them (oldest dropped first). */
class MartCache {
  private readonly entries = new Map<string, { at: number; rows: Promise<WindowRow[]> }>();
  constructor(private readonly ttlMs: number) {}

  get(key: string, load: () => Promise<WindowRow[]>): Promise<WindowRow[]> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.rows;
    const rows = load();
    this.entries.set(key, { at: Date.now(), rows });
    // A failed query is not remembered: the next request asks Trino again.
    rows.catch(() => this.entries.delete(key));
    if (this.entries.size > 256) this.entries.delete(this.entries.keys().next().value as string);
    return rows;
  }
}

interface MartRow {
  window_start: number;
  grp: string;
  cnt: number;
  total: number;
}

/**
 * The minute mart through Trino (`relation` quoted, e.g. iceberg.analytics_marts.metrics_by_minute), each
 * answer reused for `cacheMs` (the marts change once per build).
 */
export function trinoMartReader(connection: TrinoConnection, relation: string, cacheMs = 60_000): MartReader {
  const cache = new MartCache(cacheMs);
  return {
    windows(query, starts) {
      const sql = martSql(query, starts, relation);
      if (sql === undefined) return Promise.resolve(undefined);
      return cache.get(sql, async () =>
        (await connection.query<MartRow>(sql)).rows.map((r) => ({
          startS: Number(r.window_start),
          group: String(r.grp),
          count: Number(r.cnt),
          sumCents: Math.round(Number(r.total) * 100),
          uniqueUsers: undefined,
        })),
      );
    },
  };
}

export interface StandaloneQueryApi {
  readonly url: string;
  close(): Promise<void>;
}

/** The query API on its own port (tests, `floe stream --port`). */
export async function startQueryApi(
  options: QueryApiOptions & { readonly host: string; readonly port: number },
): Promise<StandaloneQueryApi> {
  const routes = queryRoutes(options);
  const server = createServer((req, res) => {
    if (!routes(req, res))
      json(res, 404, { error: `no route ${new URL(req.url ?? "/", "http://x").pathname}` });
  });
  const port = await listenOn(server, options.host, options.port, "QUERY_API_LISTEN");
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
