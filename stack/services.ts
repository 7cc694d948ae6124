/**
 * The services of the local stack as data: what they are, where they listen, what must be healthy before
 * they start and how their health is checked. Start commands are built in `start-commands.ts`; the
 * lifecycle lives in `launcher.ts`.
 */

export type ServiceName = "s3" | "iceberg-rest" | "kafka" | "trino" | "postgres" | "redis" | "connect";

export type HealthCheck =
  | {
      readonly kind: "http";
      readonly url: string;
      readonly bodyIncludes?: string;
      readonly okStatuses?: number[];
    }
  | { readonly kind: "kafka"; readonly broker: string }
  /** Trino says it is no longer starting and scans a table (it reports "No nodes available" briefly after). */
  | { readonly kind: "trino"; readonly url: string }
  /** A query over the `pg` client answers. */
  | { readonly kind: "postgres"; readonly url: string }
  /** PING answers PONG. */
  | { readonly kind: "redis"; readonly url: string }
  /** Kafka Connect's REST API reports the connector and every one of its tasks RUNNING. */
  | { readonly kind: "connect"; readonly url: string; readonly connector: string };

export interface ServiceSpec {
  readonly name: ServiceName;
  readonly title: string;
  /** Ports the service binds; all must be free (or held by our own running process) before `up`. */
  readonly ports: readonly number[];
  readonly url: string;
  readonly health: HealthCheck;
  /** Services that must be healthy (and, for postgres, provisioned) before this one is launched. */
  readonly after?: readonly ServiceName[];
}

/** Local credentials of the embedded S3 endpoint (S3Proxy); not secrets. */
export const S3_ACCESS_KEY = "floe";
export const S3_SECRET_KEY = "floe-local-secret";
export const WAREHOUSE_BUCKET = "warehouse";

export const PORTS = {
  s3: 9000,
  icebergRest: 8181,
  kafka: 9092,
  kafkaController: 9093,
  trino: 8080,
  postgres: 5433,
  redis: 6380,
  connect: 8083,
} as const;

/**
 * The shop database (seed 002): local-only credentials, not secrets. `floe` owns database `shop` and has
 * REPLICATION for Debezium; the cluster's superuser `postgres` has the same password.
 */
export const SHOP_DB = {
  database: "shop",
  user: "floe",
  password: "floe-local-secret",
  superuser: "postgres",
  /** The publication Floe creates and the replication slot Debezium creates on its first start. */
  publication: "floe_shop",
  slot: "floe_shop",
  tables: ["users", "products", "inventory", "orders", "order_items"],
} as const;

/** Where the shop database is: the local stack's unless FLOE_SHOP_DB_URL says otherwise. */
export function shopDbUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.FLOE_SHOP_DB_URL ??
    `postgres://${SHOP_DB.user}:${SHOP_DB.password}@127.0.0.1:${PORTS.postgres}/${SHOP_DB.database}`
  );
}

/** Where the real-time view's Redis is: the local stack's unless FLOE_REDIS_URL says otherwise. */
export function redisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLOE_REDIS_URL ?? `redis://127.0.0.1:${PORTS.redis}`;
}

/**
 * Services provided by an endpoint of your own instead of a local process: with FLOE_REDIS_URL set,
 * `floe stack up` starts no Redis and checks that one's health instead (e.g. where no redis-server is
 * installed).
 */
export function externalEndpoints(
  env: NodeJS.ProcessEnv = process.env,
): Partial<Record<ServiceName, HealthCheck>> {
  return env.FLOE_REDIS_URL ? { redis: { kind: "redis", url: env.FLOE_REDIS_URL } } : {};
}

/** The Debezium connector's name in Kafka Connect. */
export const CDC_CONNECTOR = "shop-cdc";

export const SERVICES: readonly ServiceSpec[] = [
  {
    name: "s3",
    title: "S3 (S3Proxy)",
    ports: [PORTS.s3],
    url: `http://127.0.0.1:${PORTS.s3}`,
    // The bucket exists as a directory; an unsigned request is answered 403 once the server is up.
    health: { kind: "http", url: `http://127.0.0.1:${PORTS.s3}/${WAREHOUSE_BUCKET}`, okStatuses: [200, 403] },
  },
  {
    name: "iceberg-rest",
    title: "Iceberg REST catalog",
    ports: [PORTS.icebergRest],
    url: `http://127.0.0.1:${PORTS.icebergRest}`,
    health: { kind: "http", url: `http://127.0.0.1:${PORTS.icebergRest}/v1/config` },
  },
  {
    name: "kafka",
    title: "Kafka (KRaft)",
    ports: [PORTS.kafka, PORTS.kafkaController],
    url: `127.0.0.1:${PORTS.kafka}`,
    health: { kind: "kafka", broker: `127.0.0.1:${PORTS.kafka}` },
  },
  {
    name: "trino",
    title: "Trino 476",
    ports: [PORTS.trino],
    url: `http://127.0.0.1:${PORTS.trino}`,
    health: { kind: "trino", url: `http://127.0.0.1:${PORTS.trino}` },
  },
  {
    name: "postgres",
    title: "PostgreSQL (shop)",
    ports: [PORTS.postgres],
    url: `postgres://127.0.0.1:${PORTS.postgres}/${SHOP_DB.database}`,
    health: {
      kind: "postgres",
      url: `postgres://${SHOP_DB.superuser}:${SHOP_DB.password}@127.0.0.1:${PORTS.postgres}/postgres`,
    },
  },
  {
    name: "redis",
    title: "Redis",
    ports: [PORTS.redis],
    url: `redis://127.0.0.1:${PORTS.redis}`,
    health: { kind: "redis", url: `redis://127.0.0.1:${PORTS.redis}` },
  },
  {
    // Last in this list, so `down` (which goes in reverse) stops it first and the slot is released.
    name: "connect",
    title: "Kafka Connect + Debezium",
    ports: [PORTS.connect],
    url: `http://127.0.0.1:${PORTS.connect}`,
    health: { kind: "connect", url: `http://127.0.0.1:${PORTS.connect}`, connector: CDC_CONNECTOR },
    after: ["kafka", "postgres"],
  },
];

/** Whether `spec` may be launched now: every service it starts after is healthy. Pure. */
export function mayLaunch(spec: ServiceSpec, healthy: { has(name: ServiceName): boolean }): boolean {
  return (spec.after ?? []).every((dep) => healthy.has(dep));
}

export function serviceByName(name: string): ServiceSpec | undefined {
  return SERVICES.find((s) => s.name === name);
}
