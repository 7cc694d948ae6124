/**
 * The four services of the local stack as data: what they are, where they listen and how their health is
 * checked. Start commands are built in `start-commands.ts`; the lifecycle lives in `launcher.ts`.
 */

export type ServiceName = "s3" | "iceberg-rest" | "kafka" | "trino";

export type HealthCheck =
  | {
      readonly kind: "http";
      readonly url: string;
      readonly bodyIncludes?: string;
      readonly okStatuses?: number[];
    }
  | { readonly kind: "kafka"; readonly broker: string }
  /** Trino says it is no longer starting and scans a table (it reports "No nodes available" briefly after). */
  | { readonly kind: "trino"; readonly url: string };

export interface ServiceSpec {
  readonly name: ServiceName;
  readonly title: string;
  /** Ports the service binds; all must be free (or held by our own running process) before `up`. */
  readonly ports: readonly number[];
  readonly url: string;
  readonly health: HealthCheck;
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
} as const;

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
];

export function serviceByName(name: string): ServiceSpec | undefined {
  return SERVICES.find((s) => s.name === name);
}
