import type { MetricsQuery } from "./metrics-query.js";
import { type RedisConnection, stateKeys, stockKey } from "./redis-store.js";
import { groupIndexKey, uniqueUsersKey, windowKey } from "./windows.js";

/** One window (and group) of a metric as the query API returns it. */
export interface WindowRow {
  readonly startS: number;
  /** `all` without group_by. */
  readonly group: string;
  readonly count: number;
  readonly sumCents: number;
  /** Absent when the source cannot say (the mart's rolled-up rows). */
  readonly uniqueUsers: number | undefined;
}

/** What the query API reads from the real-time view: an interface so the routes are tested without Redis. */
export interface ViewReader {
  stock(productId: string): Promise<{ quantity: number; below: boolean } | undefined>;
  windows(query: MetricsQuery, starts: readonly number[]): Promise<WindowRow[]>;
}

export class RedisViewReader implements ViewReader {
  constructor(
    private readonly client: RedisConnection,
    private readonly prefix: string,
  ) {}

  async stock(productId: string) {
    const [quantity, below] = await Promise.all([
      this.client.get(stockKey(this.prefix, productId)),
      this.client.sIsMember(stateKeys(this.prefix).below, productId),
    ]);
    if (quantity === null) return undefined;
    return { quantity: Number(quantity), below: Number(below) === 1 };
  }

  async windows(query: MetricsQuery, starts: readonly number[]): Promise<WindowRow[]> {
    const perWindow = await Promise.all(
      starts.map(async (startS) => {
        const base = { metric: query.name, window: query.window, startS };
        if (!query.groupBy) return [await this.read(base, "all", startS)];
        const dimension = query.groupBy;
        const values = (await this.client.sMembers(groupIndexKey(this.prefix, base, dimension))).sort();
        return Promise.all(
          values.map((value) => this.read({ ...base, group: { dimension, value } }, value, startS)),
        );
      }),
    );
    return perWindow.flat();
  }

  private async read(
    parts: Parameters<typeof windowKey>[1],
    group: string,
    startS: number,
  ): Promise<WindowRow> {
    // Issued in one tick: node-redis pipelines them.
    const [hash, users] = await Promise.all([
      this.client.hGetAll(windowKey(this.prefix, parts)),
      this.client.pfCount(uniqueUsersKey(this.prefix, parts)),
    ]);
    return {
      startS,
      group,
      count: Number(hash.count ?? 0),
      sumCents: Number(hash.sum_cents ?? 0),
      uniqueUsers: Number(users),
    };
  }
}

/**
 * A `RedisViewReader` that connects on first use and again after a failed connect, so a server whose
 * Redis is down at start still starts (its requests get 503 until Redis is back).
 */
export function lazyRedisViewReader(
  connect: () => Promise<RedisConnection>,
  prefix: string,
): ViewReader & { close(): void } {
  let reader: Promise<RedisViewReader> | undefined;
  let client: RedisConnection | undefined;
  const get = () => {
    reader ??= connect().then(
      (c) => {
        client = c;
        return new RedisViewReader(c, prefix);
      },
      (error: unknown) => {
        reader = undefined;
        throw error;
      },
    );
    return reader;
  };
  return {
    stock: async (id) => (await get()).stock(id),
    windows: async (query, starts) => (await get()).windows(query, starts),
    close: () => client?.destroy(),
  };
}
