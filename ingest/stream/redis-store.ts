import { createClient, WatchError } from "redis";
import { type Alert, alertSchema } from "../../core/alert.js";
import { EnvironmentError } from "../../core/errors.js";
import type { StreamStore } from "./ports.js";
import type { WritePlan } from "./write-plan.js";

/** Where the real-time view lives: `FLOE_REDIS_URL`, default the local stack's Redis. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6380";
export const redisUrlFromEnv = (env: NodeJS.ProcessEnv = process.env) =>
  env.FLOE_REDIS_URL ?? DEFAULT_REDIS_URL;

/** The processor's own keys beside the view (README, "Real-time view"). */
export const stateKeys = (prefix: string) => ({
  offsets: `${prefix}stream:offsets`,
  below: `${prefix}stream:below`,
  outbox: `${prefix}stream:outbox`,
});
export const stockKey = (prefix: string, productId: string) => `${prefix}stock:${productId}`;

const newClient = (url: string) =>
  createClient({
    url,
    socket: { connectTimeout: 3_000, reconnectStrategy: (retries) => Math.min(200 * 2 ** retries, 5_000) },
  });
export type RedisConnection = ReturnType<typeof newClient>;

/** A connected node-redis client; a Redis that cannot be reached is an EnvironmentError naming the URL. */
export async function connectRedis(url: string): Promise<RedisConnection> {
  const client = newClient(url);
  // Without a listener node-redis rethrows socket errors as uncaught; reconnects are its own business.
  client.on("error", () => {});
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), 5_000)),
    ]);
  } catch (error) {
    client.destroy();
    throw new EnvironmentError(
      "REDIS_UNREACHABLE",
      `Cannot reach Redis at ${redactUrl(url)}: ${String(error)}`,
      {
        hint: "start the local stack (floe stack up) or point FLOE_REDIS_URL at a running Redis",
        retriable: true,
        cause: error,
      },
    );
  }
  return client;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(an unparsable Redis URL)";
  }
}

/** The real `StreamStore`: one dedicated connection (WATCH needs one), the layout of stateKeys/stockKey/windows.ts. */
export class RedisStreamStore implements StreamStore {
  private readonly keys: ReturnType<typeof stateKeys>;

  constructor(
    private readonly client: RedisConnection,
    private readonly prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  async readOffsets(): Promise<Map<string, number> | undefined> {
    const hash = await this.client.hGetAll(this.keys.offsets);
    const entries = Object.entries(hash);
    if (entries.length === 0) return undefined;
    return new Map(entries.map(([k, v]) => [k, Number(v)]));
  }

  async readBelow(productIds: readonly string[]): Promise<Set<string>> {
    if (productIds.length === 0) return new Set();
    const flags = await this.client.smIsMember(this.keys.below, [...productIds]);
    return new Set(productIds.filter((_, i) => Number(flags[i]) === 1));
  }

  async apply(plan: WritePlan, expectOffsets: boolean): Promise<"applied" | "stale"> {
    // WATCH, then look: offsets that vanished before the WATCH are seen by EXISTS, after it by EXEC failing.
    await this.client.watch(this.keys.offsets);
    const exists = (await this.client.exists(this.keys.offsets)) === 1;
    if (exists !== expectOffsets) {
      await this.client.unwatch();
      return "stale";
    }
    const multi = this.client.multi();
    for (const [productId, stock] of plan.stock) {
      const key = stockKey(this.prefix, productId);
      if (stock === null) {
        multi.del(key);
        multi.sRem(this.keys.below, productId);
      } else {
        multi.set(key, String(stock.quantity));
        if (stock.below) multi.sAdd(this.keys.below, productId);
        else multi.sRem(this.keys.below, productId);
      }
    }
    for (const [key, add] of plan.counters) {
      multi.hIncrBy(key, "count", add.count);
      multi.hIncrBy(key, "sum_cents", add.sumCents);
      multi.expireAt(key, add.expireAtS);
    }
    for (const [key, add] of plan.uniques) {
      multi.pfAdd(key, [...add.users]);
      multi.expireAt(key, add.expireAtS);
    }
    for (const [key, add] of plan.groups) {
      multi.sAdd(key, [...add.values]);
      multi.expireAt(key, add.expireAtS);
    }
    if (plan.alerts.length > 0)
      multi.rPush(
        this.keys.outbox,
        plan.alerts.map((a) => JSON.stringify(a)),
      );
    if (plan.offsets.size > 0) {
      multi.hSet(this.keys.offsets, Object.fromEntries([...plan.offsets].map(([k, v]) => [k, String(v)])));
    }
    try {
      await multi.exec();
    } catch (error) {
      if (error instanceof WatchError) return "stale";
      throw error;
    }
    return "applied";
  }

  async outbox(): Promise<{ alerts: Alert[]; length: number }> {
    const items = await this.client.lRange(this.keys.outbox, 0, -1);
    // An entry that no longer parses (written by another version) is dropped with the rest, not re-sent forever.
    const alerts = items.flatMap((item) => {
      try {
        const parsed = alertSchema.safeParse(JSON.parse(item));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
    return { alerts, length: items.length };
  }

  async ackOutbox(count: number): Promise<void> {
    if (count > 0) await this.client.lTrim(this.keys.outbox, count, -1);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
