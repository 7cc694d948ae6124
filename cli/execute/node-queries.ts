import type { QueryOptions, QueryResult, TrinoConnection } from "../../trino/connection.js";

export interface RecordedQuery {
  readonly queryId: string;
  readonly elapsedMillis: number;
}

/**
 * The queries one node sends, through the shared connection, timed: what a node spent waiting on Trino is
 * the sum of its queries' elapsed times (its wall time minus that is Floe's own overhead).
 */
export class NodeQueries {
  readonly recorded: RecordedQuery[] = [];

  constructor(
    private readonly connection: TrinoConnection,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async query<Row = Record<string, unknown>>(
    sql: string,
    options: Omit<QueryOptions, "signal"> = {},
  ): Promise<QueryResult<Row>> {
    const started = performance.now();
    try {
      const result = await this.connection.query<Row>(sql, {
        ...options,
        ...(this.signal ? { signal: this.signal } : {}),
      });
      this.recorded.push({ queryId: result.queryId, elapsedMillis: performance.now() - started });
      return result;
    } catch (error) {
      const queryId = (error as { queryId?: unknown }).queryId;
      this.recorded.push({
        queryId: typeof queryId === "string" ? queryId : "",
        elapsedMillis: performance.now() - started,
      });
      throw error;
    }
  }

  get trinoMillis(): number {
    return this.recorded.reduce((sum, q) => sum + q.elapsedMillis, 0);
  }

  get lastQueryId(): string | undefined {
    return this.recorded.at(-1)?.queryId || undefined;
  }
}
