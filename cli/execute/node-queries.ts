import type { QueryOptions, QueryProgress, QueryResult, TrinoConnection } from "../../trino/connection.js";
import { TrinoQueryError } from "../../trino/errors.js";

export interface RecordedQuery {
  readonly queryId: string;
  readonly elapsedMillis: number;
}

export interface NodeQueriesOptions {
  /**
   * The node these queries run for. Each query then carries it twice, so Trino's UI shows which model
   * ran: as a client tag and as a leading `/* floe node_id: model.shop.x *\/` comment line.
   */
  readonly nodeId?: string;
  /** Called with Trino's progress while a query runs longer than `heartbeatMillis`, at most that often. */
  readonly onHeartbeat?: (progress: QueryProgress) => void;
  readonly heartbeatMillis?: number;
}

/** The heartbeat's default period: a query still running after 30 s gets a progress line every 30 s. */
export const HEARTBEAT_MILLIS = 30_000;

/**
 * The queries one node sends, through the shared connection, timed: what a node spent waiting on Trino is
 * the sum of its queries' elapsed times (its wall time minus that is Floe's own overhead).
 */
export class NodeQueries {
  readonly recorded: RecordedQuery[] = [];

  constructor(
    private readonly connection: TrinoConnection,
    private readonly signal: AbortSignal | undefined,
    private readonly options: NodeQueriesOptions = {},
  ) {}

  async query<Row = Record<string, unknown>>(
    sql: string,
    options: Omit<QueryOptions, "signal"> = {},
  ): Promise<QueryResult<Row>> {
    const started = performance.now();
    const { nodeId } = this.options;
    try {
      const result = await this.connection.query<Row>(nodeId ? tagged(nodeId, sql) : sql, {
        ...options,
        ...(this.signal ? { signal: this.signal } : {}),
        ...(nodeId ? { clientTags: ["floe", nodeId] } : {}),
        ...this.heartbeat(options.onProgress),
      });
      this.recorded.push({ queryId: result.queryId, elapsedMillis: performance.now() - started });
      return result;
    } catch (error) {
      const queryId = (error as { queryId?: unknown }).queryId;
      this.recorded.push({
        queryId: typeof queryId === "string" ? queryId : "",
        elapsedMillis: performance.now() - started,
      });
      throw nodeId && error instanceof TrinoQueryError ? untagged(error, sql) : error;
    }
  }

  /** Wraps the caller's onProgress with the heartbeat (Trino reports stats on every poll, about 1/s). */
  private heartbeat(
    onProgress: ((progress: QueryProgress) => void) | undefined,
  ): Pick<QueryOptions, "onProgress"> {
    const { onHeartbeat } = this.options;
    if (!onHeartbeat) return onProgress ? { onProgress } : {};
    const period = this.options.heartbeatMillis ?? HEARTBEAT_MILLIS;
    let next = period;
    return {
      onProgress: (progress) => {
        onProgress?.(progress);
        if (progress.elapsedMillis >= next) {
          next = progress.elapsedMillis + period;
          onHeartbeat(progress);
        }
      },
    };
  }

  get trinoMillis(): number {
    return this.recorded.reduce((sum, q) => sum + q.elapsedMillis, 0);
  }

  get lastQueryId(): string | undefined {
    return this.recorded.at(-1)?.queryId || undefined;
  }
}

/**
 * The comment is a line of its own, so the statement's columns are unchanged and Trino's error positions
 * are one line down; `untagged` moves them back, so error mapping (`map-error-location.ts`) sees the
 * statement as the executor rendered it.
 */
export function tagged(nodeId: string, sql: string): string {
  return `/* floe node_id: ${nodeId.replaceAll("*/", "* /")} */\n${sql}`;
}

/** The error as if the statement had been sent without the comment line. */
export function untagged(error: TrinoQueryError, sql: string): TrinoQueryError {
  const position = error.position;
  return new TrinoQueryError(
    {
      queryId: error.queryId,
      // Trino's messages start with the position, e.g. "line 3:8: Column 'x' cannot be resolved".
      message: error.message.replace(
        /^line (\d+):(\d+)/,
        (_, line: string, column: string) => `line ${Math.max(1, Number(line) - 1)}:${column}`,
      ),
      errorName: error.errorName,
      errorCode: error.errorCode,
      errorType: error.errorType,
      sql,
      ...(position ? { position: { line: Math.max(1, position.line - 1), column: position.column } } : {}),
    },
    {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.location === undefined ? {} : { location: error.location }),
      retriable: error.retriable,
      cause: error.cause,
    },
  );
}
