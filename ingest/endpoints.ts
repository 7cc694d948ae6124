import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { createTrinoConnection, type TrinoConnection } from "../trino/connection.js";
import { type Endpoints, type KafkaEndpoints, trinoSettings } from "./connection-settings.js";

/** Where ingest finds Kafka and S3: the `FLOE_*` variables, parsed and checked in `connection-settings.ts`. */
export { type Endpoints, endpointsFromEnv } from "./connection-settings.js";

/**
 * The Trino that ingest registers raw tables in: `FLOE_TRINO_HOST`, `FLOE_TRINO_PORT`, `FLOE_TRINO_USER`,
 * `FLOE_TRINO_HTTPS`, `FLOE_TRINO_PASSWORD` (default the local stack's). Called by the edges (the CLI, the
 * demo); the sink and the registration take the connection they are given.
 */
export function trinoFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TrinoConnection {
  const settings = trinoSettings(env);
  return createTrinoConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    ...(settings.https ? { httpScheme: "https" as const } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    source: "floe-ingest",
  });
}

/** kafkajs' connection part of the config: brokers, TLS and SASL as the settings say. */
export function kafkaConnection(endpoints: KafkaEndpoints): Pick<KafkaConfig, "brokers" | "ssl" | "sasl"> {
  const sasl = endpoints.kafkaSasl;
  return {
    brokers: [...endpoints.brokers],
    ...(endpoints.kafkaTls === undefined
      ? {}
      : { ssl: endpoints.kafkaTls === true ? true : { ca: [endpoints.kafkaTls.ca] } }),
    ...(sasl === undefined
      ? {}
      : sasl.mechanism === "plain"
        ? { sasl: { mechanism: "plain", username: sasl.username, password: sasl.password } }
        : sasl.mechanism === "scram-sha-256"
          ? { sasl: { mechanism: "scram-sha-256", username: sasl.username, password: sasl.password } }
          : { sasl: { mechanism: "scram-sha-512", username: sasl.username, password: sasl.password } }),
  };
}

export function kafkaClient(endpoints: KafkaEndpoints, clientId: string): Kafka {
  return new Kafka({
    clientId,
    ...kafkaConnection(endpoints),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    // Our own loops retry with backoff and pause; kafkajs' own retries stay short so errors surface.
    retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 3_000 },
  });
}

/** The S3 client's config: a given endpoint and keys, or AWS's endpoint, region and credential chain. */
export function s3Config(endpoints: Endpoints): S3ClientConfig {
  return {
    ...(endpoints.s3Endpoint !== undefined ? { endpoint: endpoints.s3Endpoint } : {}),
    ...(endpoints.s3Region !== undefined ? { region: endpoints.s3Region } : {}),
    forcePathStyle: endpoints.s3PathStyle,
    ...(endpoints.s3AccessKey !== undefined && endpoints.s3SecretKey !== undefined
      ? { credentials: { accessKeyId: endpoints.s3AccessKey, secretAccessKey: endpoints.s3SecretKey } }
      : {}),
    // The sink owns retries (exponential backoff, 5 attempts, then pause): one SDK attempt per call.
    maxAttempts: 1,
  };
}

export function s3Client(endpoints: Endpoints): S3Client {
  // Floe supports Node 20 (the project's engine); the SDK's "Node 22 from 2027" notice is not actionable
  // for a sink user and would interleave with its log, so it is switched off unless set explicitly.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client(s3Config(endpoints));
}
