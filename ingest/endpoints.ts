import { S3Client } from "@aws-sdk/client-s3";
import { Kafka, logLevel } from "kafkajs";
import { PORTS, S3_ACCESS_KEY, S3_SECRET_KEY, WAREHOUSE_BUCKET } from "../stack/services.js";
import { createTrinoConnection, type TrinoConnection } from "../trino/connection.js";

/**
 * Where ingest finds Kafka and S3. The defaults are the local stack's (so `npm start` works on a fresh
 * machine); `FLOE_KAFKA_BROKERS`, `FLOE_S3_ENDPOINT`, `FLOE_S3_ACCESS_KEY`, `FLOE_S3_SECRET_KEY` point it
 * elsewhere.
 */
export interface Endpoints {
  readonly brokers: readonly string[];
  readonly s3Endpoint: string;
  readonly s3AccessKey: string;
  readonly s3SecretKey: string;
  readonly bucket: string;
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  return {
    brokers: (env.FLOE_KAFKA_BROKERS ?? `127.0.0.1:${PORTS.kafka}`).split(",").map((b) => b.trim()),
    s3Endpoint: env.FLOE_S3_ENDPOINT ?? `http://127.0.0.1:${PORTS.s3}`,
    s3AccessKey: env.FLOE_S3_ACCESS_KEY ?? S3_ACCESS_KEY,
    s3SecretKey: env.FLOE_S3_SECRET_KEY ?? S3_SECRET_KEY,
    bucket: WAREHOUSE_BUCKET,
  };
}

/**
 * The Trino that ingest registers raw tables in: `FLOE_TRINO_HOST`, `FLOE_TRINO_PORT`, `FLOE_TRINO_USER`
 * (default the local stack's). Called by the edges (the CLI, the demo); the sink and the registration take
 * the connection they are given.
 */
export function trinoFromEnv(env: NodeJS.ProcessEnv = process.env): TrinoConnection {
  return createTrinoConnection({
    host: env.FLOE_TRINO_HOST ?? "127.0.0.1",
    port: Number(env.FLOE_TRINO_PORT ?? PORTS.trino),
    user: env.FLOE_TRINO_USER ?? "floe",
    source: "floe-ingest",
  });
}

export function kafkaClient(endpoints: Endpoints, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [...endpoints.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    // Our own loops retry with backoff and pause; kafkajs' own retries stay short so errors surface.
    retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 3_000 },
  });
}

export function s3Client(endpoints: Endpoints): S3Client {
  // Floe supports Node 20 (the project's engine); the SDK's "Node 22 from 2027" notice is not actionable
  // for a sink user and would interleave with its log, so it is switched off unless set explicitly.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client({
    endpoint: endpoints.s3Endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: endpoints.s3AccessKey, secretAccessKey: endpoints.s3SecretKey },
    // The sink owns retries (exponential backoff, 5 attempts, then pause): one SDK attempt per call.
    maxAttempts: 1,
  });
}
