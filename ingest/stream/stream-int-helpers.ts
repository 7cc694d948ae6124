import { randomBytes, randomUUID } from "node:crypto";
import { endpointsFromEnv, kafkaClient } from "../endpoints.js";
import { connectRedis, type RedisConnection, redisUrlFromEnv } from "./redis-store.js";

/**
 * Helpers of the stream's integration tests and bench (real Kafka and Redis, unique names per run).
 * Tests use their own Redis database (the URL's path) so that FLUSHDB there touches nobody else's keys.
 */
export const STREAM_TEST_DB = 11;

export function testRedisUrl(): string {
  const url = new URL(redisUrlFromEnv());
  url.pathname = `/${STREAM_TEST_DB}`;
  return url.toString();
}

export function connectTestRedis(): Promise<RedisConnection> {
  return connectRedis(testRedisUrl());
}

export interface StreamRun {
  readonly id: string;
  readonly inventory: string;
  readonly userEvents: string;
  readonly orders: string;
  readonly alerts: string;
  readonly keyPrefix: string;
}

export function uniqueStreamRun(label: string): StreamRun {
  const id = `${label}${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  return {
    id,
    inventory: `${id}.db.inventory`,
    userEvents: `${id}-user-events`,
    orders: `${id}-orders`,
    alerts: `${id}-alerts`,
    keyPrefix: `${id}:`,
  };
}

export async function createTopics(topics: readonly { topic: string; partitions: number }[]): Promise<void> {
  const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** A Debezium change of `inventory` as the connector writes it (schemas disabled). */
export function inventoryMessage(
  productId: string,
  quantity: number,
  lsn: number,
  op: "c" | "u" | "r" = "u",
) {
  const commit = Date.now();
  return {
    key: JSON.stringify({ product_id: productId }),
    value: JSON.stringify({
      before: null,
      after: {
        product_id: productId,
        quantity,
        low_stock_threshold: 10,
        updated_at: new Date(commit).toISOString(),
      },
      source: { lsn, txId: lsn, ts_ms: commit, snapshot: "false", table: "inventory", db: "shop" },
      op,
      ts_ms: commit,
    }),
  };
}

export interface TestEvent {
  readonly type: "product_view" | "add_to_cart" | "purchase";
  readonly user: string;
  readonly atMs: number;
  readonly country: string;
  readonly device: string;
  readonly price: number;
  readonly quantity: number;
}

export function userEventMessage(e: TestEvent) {
  return {
    key: e.user,
    value: JSON.stringify({
      event_id: randomUUID(),
      event_type: e.type,
      event_time: new Date(e.atMs).toISOString(),
      user_id: e.user,
      session_id: `s-${e.user}`,
      product_id: "p-1",
      country: e.country,
      device: e.device,
      ...(e.type === "purchase" ? { price: e.price, quantity: e.quantity, currency: "USD" } : {}),
    }),
  };
}

export async function produce(
  topic: string,
  messages: readonly { key: string; value: string }[],
): Promise<void> {
  const producer = kafkaClient(endpointsFromEnv(), "floe-test").producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [...messages] });
  } finally {
    await producer.disconnect();
  }
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
