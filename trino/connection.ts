import { CancelledError } from "../core/errors.js";
import { TrinoConnectionError, TrinoQueryError } from "./errors.js";
import { type Page, PageSchema, RETRYABLE_STATUSES, sessionHeader } from "./protocol.js";

/**
 * Floe's only door to Trino: the client REST protocol over Node's fetch.
 *
 * Why not trino-client (0.2.9, the last release on the npm registry; its successor
 * @trinodb/trino-js-client is not published there): its iterator loops internally over pages that carry no
 * rows, so neither the query id nor progress stats reach the caller before the first rows arrive — a long
 * query can be neither reported nor cancelled — and it keeps session headers on a shared client object,
 * which leaks between queries run in parallel. This module:
 * - turns Trino's in-band `error` into a `TrinoQueryError` exactly once (with line/column);
 * - turns transport failures into a `TrinoConnectionError` naming host:port;
 * - zips rows with column names; reports progress on every page; exposes the query id at once;
 * - cancels on an AbortSignal (DELETE on the query's nextUri, as the protocol specifies) and ends with
 *   `CancelledError`;
 * - retries 429/502/503/504 as the protocol asks.
 */

export interface TrinoConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly httpScheme?: "http" | "https";
  readonly password?: string;
  /** A JWT for Trino's JWT authenticator, sent as `Authorization: Bearer` (instead of a password). */
  readonly accessToken?: string;
  readonly catalog?: string;
  readonly schema?: string;
  readonly sessionProperties?: Readonly<Record<string, string>>;
  /** Shown in Trino's UI as the query source. */
  readonly source?: string;
  /** The session time zone (`X-Trino-Time-Zone`), e.g. `UTC`; default: the server's. */
  readonly timeZone?: string;
}

export interface QueryProgress {
  readonly queryId: string;
  readonly state: string;
  readonly progressPercentage: number | undefined;
  readonly processedRows: number;
  readonly processedBytes: number;
  readonly elapsedMillis: number;
}

export interface Column {
  readonly name: string;
  readonly type: string;
}

export interface QueryResult<Row = Record<string, unknown>> {
  readonly queryId: string;
  readonly columns: readonly Column[];
  readonly rows: Row[];
  /** For INSERT/CREATE TABLE AS/MERGE/DELETE: rows written, as Trino reports it. */
  readonly updateType: string | undefined;
  readonly updateCount: number | undefined;
  /** Wall time spent waiting on Trino for this query (submit to last page). */
  readonly elapsedMillis: number;
  readonly stats: QueryProgress | undefined;
}

export interface QueryOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: QueryProgress) => void;
  /** Stop collecting after this many rows (the query is then cancelled). */
  readonly maxRows?: number;
  /** `X-Trino-Client-Tags` of this query (shown in Trino's UI and `system.runtime.queries`); no commas. */
  readonly clientTags?: readonly string[];
  /**
   * Report `timestamp(6)`, not `timestamp`, as a column's type (Trino's PARAMETRIC_DATETIME client
   * capability). Off by default: with it, timestamp values also come at their full precision.
   */
  readonly exactTypes?: boolean;
}

export interface TrinoConnection {
  readonly server: string;
  query<Row = Record<string, unknown>>(sql: string, options?: QueryOptions): Promise<QueryResult<Row>>;
  /** Cancels every query this connection is running (used on Ctrl-C). */
  cancelAll(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createTrinoConnection(options: TrinoConnectionOptions): TrinoConnection {
  const scheme = options.httpScheme ?? "http";
  const server = `${scheme}://${options.host}:${options.port}`;
  /** query id → the URI that cancels it (its latest nextUri). */
  const running = new Map<string, string>();

  const headers: Record<string, string> = {
    "X-Trino-User": options.user,
    "X-Trino-Source": options.source ?? "floe",
    "Content-Type": "text/plain; charset=utf-8",
  };
  if (options.catalog) headers["X-Trino-Catalog"] = options.catalog;
  if (options.schema) headers["X-Trino-Schema"] = options.schema;
  if (options.timeZone) headers["X-Trino-Time-Zone"] = options.timeZone;
  if (options.sessionProperties && Object.keys(options.sessionProperties).length > 0) {
    headers["X-Trino-Session"] = sessionHeader(options.sessionProperties);
  }
  if (options.accessToken !== undefined) {
    headers.Authorization = `Bearer ${options.accessToken}`;
  } else if (options.password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString("base64")}`;
  }

  /** One protocol request, retried while Trino answers "busy". */
  async function request(
    method: "POST" | "GET",
    url: string,
    signal: AbortSignal | undefined,
    body?: string,
    extraHeaders?: Readonly<Record<string, string>>,
  ) {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: extraHeaders ? { ...headers, ...extraHeaders } : headers,
          ...(body === undefined ? {} : { body }),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (signal?.aborted) throw new CancelledError();
        throw transportError(server, error);
      }
      if (RETRYABLE_STATUSES.has(response.status) && attempt < 10) {
        await response.body?.cancel();
        await sleep(Math.min(100 * 2 ** attempt, 2_000));
        continue;
      }
      const text = await response.text();
      if (!response.ok) throw httpError(server, response.status, text);
      const parsed = PageSchema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        throw new TrinoConnectionError(
          server,
          `unexpected response (${parsed.error.issues[0]?.message ?? "invalid"})`,
          { retriable: false },
        );
      }
      return parsed.data;
    }
  }

  async function cancelUri(uri: string): Promise<void> {
    await fetch(uri, { method: "DELETE", headers }).catch(() => {
      // Already finished or the server is gone: nothing left to cancel.
    });
  }

  async function query<Row>(sql: string, queryOptions: QueryOptions = {}): Promise<QueryResult<Row>> {
    const { signal, onProgress, maxRows, clientTags, exactTypes } = queryOptions;
    if (signal?.aborted) throw new CancelledError();
    const started = Date.now();
    let columns: Column[] = [];
    const rows: Row[] = [];
    let updateType: string | undefined;
    let updateCount: number | undefined;
    let progress: QueryProgress | undefined;
    // Tags and capabilities belong to the query, set when it is submitted: per request, never on the
    // shared headers.
    const submitHeaders = {
      ...(clientTags && clientTags.length > 0 ? { "X-Trino-Client-Tags": clientTags.join(",") } : {}),
      ...(exactTypes ? { "X-Trino-Client-Capabilities": "PARAMETRIC_DATETIME" } : {}),
    };
    let page: Page = await request(
      "POST",
      `${server}/v1/statement`,
      signal,
      sql,
      Object.keys(submitHeaders).length > 0 ? submitHeaders : undefined,
    );
    const queryId = page.id;
    try {
      while (true) {
        if (page.nextUri) running.set(queryId, page.nextUri);
        if (page.error) throw toQueryError(page.error, queryId, sql);
        if (page.columns && columns.length === 0) columns = page.columns;
        for (const values of page.data ?? []) {
          if (maxRows !== undefined && rows.length >= maxRows) break;
          rows.push(zipRow(columns, values) as Row);
        }
        if (page.updateType) updateType = page.updateType;
        if (page.updateCount !== undefined) updateCount = page.updateCount;
        if (page.stats) {
          progress = {
            queryId,
            state: page.stats.state,
            progressPercentage: page.stats.progressPercentage,
            processedRows: page.stats.processedRows,
            processedBytes: page.stats.processedBytes,
            elapsedMillis: page.stats.elapsedTimeMillis,
          };
          onProgress?.(progress);
        }
        if (!page.nextUri) break;
        if (maxRows !== undefined && rows.length >= maxRows) {
          await cancelUri(page.nextUri);
          break;
        }
        if (signal?.aborted) throw new CancelledError();
        page = await request("GET", page.nextUri, signal);
      }
      return {
        queryId,
        columns,
        rows,
        updateType,
        updateCount,
        elapsedMillis: Date.now() - started,
        stats: progress,
      };
    } catch (error) {
      const cancelAt = running.get(queryId);
      if (error instanceof CancelledError && cancelAt) await cancelUri(cancelAt);
      throw error;
    } finally {
      running.delete(queryId);
    }
  }

  return {
    server,
    query,
    async cancelAll() {
      await Promise.all([...running.values()].map(cancelUri));
    },
  };
}

function zipRow(columns: readonly Column[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!.name] = values[i];
  return row;
}

function toQueryError(error: NonNullable<Page["error"]>, queryId: string, sql: string): TrinoQueryError {
  const location = error.errorLocation;
  return new TrinoQueryError({
    queryId,
    message: error.message,
    errorName: error.errorName,
    errorCode: error.errorCode,
    errorType: error.errorType,
    sql,
    ...(location ? { position: { line: location.lineNumber, column: location.columnNumber } } : {}),
  });
}

function httpError(server: string, status: number, body: string): TrinoConnectionError {
  if (status === 401 || status === 403) {
    return new TrinoConnectionError(server, `authentication failed (HTTP ${status})`, {
      hint: "check user/password (auth) in profiles.yml",
      retriable: false,
    });
  }
  return new TrinoConnectionError(server, `HTTP ${status} ${body.slice(0, 200)}`.trim(), {
    retriable: status >= 500 || status === 429 || status === 408,
  });
}

/** fetch failures (refused, DNS, TLS) → one clear connection error naming the server. */
function transportError(server: string, error: unknown): TrinoConnectionError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
  return new TrinoConnectionError(server, reason, { cause: error });
}
