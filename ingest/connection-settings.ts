import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { PORTS, S3_ACCESS_KEY, S3_SECRET_KEY, WAREHOUSE_BUCKET } from "../stack/services.js";

/**
 * Where ingest finds Kafka, S3 and Trino, read from `FLOE_*` environment variables in this one place
 * (README "Settings" lists them). Unset, everything points at the local stack, so `npm start` works on a
 * fresh machine; production sets brokers with TLS and SASL, and S3 on AWS through the SDK's default
 * credential chain. The parsers are pure (the CA file is read
 * through the injected `readFile`); `endpointsFromEnv` is the edge's call. A leaf module (no kafkajs, AWS SDK)
 * so a command checks the settings before it pays for loading those.
 */

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface KafkaSasl {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

/** kafkajs' `ssl`: on with the system's CAs, or on with a CA bundle (PEM text). */
export type KafkaTls = true | { readonly ca: string };

export interface Endpoints {
  readonly brokers: readonly string[];
  /** Absent: plaintext. */
  readonly kafkaTls?: KafkaTls;
  /** Absent: no authentication. */
  readonly kafkaSasl?: KafkaSasl;
  /** Absent: AWS S3's own endpoint for the region (`FLOE_S3_ENDPOINT` set but empty). */
  readonly s3Endpoint?: string;
  /** Absent: the SDK's default region chain (`AWS_REGION`, `~/.aws/config`). */
  readonly s3Region?: string;
  /** Absent (both): the SDK's default credential chain (env, profile, SSO, IRSA, instance role). */
  readonly s3AccessKey?: string;
  readonly s3SecretKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`), as S3Proxy and MinIO need. */
  readonly s3PathStyle: boolean;
  readonly bucket: string;
}

/** What a Kafka client needs (the ingestion API's Kafka thread gets only this). */
export type KafkaEndpoints = Pick<Endpoints, "brokers" | "kafkaTls" | "kafkaSasl">;

export interface TrinoSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly https: boolean;
  readonly password?: string;
}

export const LOCAL_S3_ENDPOINT = `http://127.0.0.1:${PORTS.s3}`;
export const LOCAL_BROKERS = `127.0.0.1:${PORTS.kafka}`;

/** Every variable this module reads, with what it means: the README table is checked against it. */
export const SETTING_VARIABLES = [
  "FLOE_KAFKA_BROKERS",
  "FLOE_KAFKA_SSL",
  "FLOE_KAFKA_SASL_MECHANISM",
  "FLOE_KAFKA_SASL_USERNAME",
  "FLOE_KAFKA_SASL_PASSWORD",
  "FLOE_S3_ENDPOINT",
  "FLOE_S3_REGION",
  "FLOE_S3_ACCESS_KEY",
  "FLOE_S3_SECRET_KEY",
  "FLOE_S3_BUCKET",
  "FLOE_S3_PATH_STYLE",
  "FLOE_TRINO_HOST",
  "FLOE_TRINO_PORT",
  "FLOE_TRINO_USER",
  "FLOE_TRINO_HTTP_SCHEME",
  "FLOE_TRINO_PASSWORD",
] as const;

type Env = Readonly<Record<string, string | undefined>>;

const set = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value);

const boolText = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["true", "false", "1", "0", "yes", "no"].includes(v), "must be true or false")
  .transform((v) => v === "true" || v === "1" || v === "yes");

const broker = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):\d{1,5}$/, "each broker must be host:port");

const mechanism = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["plain", "scram-sha-256", "scram-sha-512"]));

const url = z
  .string()
  .trim()
  .url()
  .refine((v) => /^https?:\/\//.test(v), "must start with http:// or https://");

const port = z.coerce.number().int().min(1).max(65_535);

/** One variable through its schema; a bad value is a ConfigError naming the variable and the fix. */
function read<T>(env: Env, name: string, schema: z.ZodType<T>, example: string): T | undefined {
  const raw = set(env[name]);
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues[0]?.message ?? "is not valid";
  const shown = name.includes("PASSWORD") || name.includes("SECRET") ? "<hidden>" : `'${raw}'`;
  throw new ConfigError(`Environment variable ${name}: ${why}, got ${shown}.`, {
    hint: `set it like ${name}=${example}, or unset it (README "Settings")`,
  });
}

function missing(name: string, because: string, example: string): ConfigError {
  return new ConfigError(`Environment variable ${name} is not set, but ${because}.`, {
    hint: `set ${name}=${example} (README "Settings")`,
  });
}

export function kafkaSettings(env: Env, readFile: (path: string) => string): KafkaEndpoints {
  const brokers = (set(env.FLOE_KAFKA_BROKERS) ?? LOCAL_BROKERS)
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "");
  for (const b of brokers)
    read({ FLOE_KAFKA_BROKERS: b }, "FLOE_KAFKA_BROKERS", broker, "kafka-1:9093,kafka-2:9093");
  if (brokers.length === 0) throw missing("FLOE_KAFKA_BROKERS", "it is empty", "kafka-1:9093");

  const tlsText = set(env.FLOE_KAFKA_SSL);
  let kafkaTls: KafkaTls | undefined;
  if (tlsText !== undefined) {
    const flag = boolText.safeParse(tlsText);
    if (flag.success) kafkaTls = flag.data ? true : undefined;
    else {
      // Anything else is the path of a CA bundle (PEM), for brokers whose certificate a private CA signed.
      let ca: string;
      try {
        ca = readFile(tlsText.trim());
      } catch (error) {
        throw new ConfigError(
          `Environment variable FLOE_KAFKA_SSL is neither true/false nor a readable CA file: ${tlsText} (${error instanceof Error ? error.message : String(error)}).`,
          { hint: "set FLOE_KAFKA_SSL=true (system CAs) or FLOE_KAFKA_SSL=/path/to/ca.pem", cause: error },
        );
      }
      if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
        throw new ConfigError(`FLOE_KAFKA_SSL names ${tlsText}, which holds no PEM certificate.`, {
          hint: "point it at the CA bundle in PEM form (-----BEGIN CERTIFICATE-----…)",
        });
      }
      kafkaTls = { ca };
    }
  }

  const mech = read(env, "FLOE_KAFKA_SASL_MECHANISM", mechanism, "scram-sha-512");
  const username = set(env.FLOE_KAFKA_SASL_USERNAME);
  const password = set(env.FLOE_KAFKA_SASL_PASSWORD);
  let kafkaSasl: KafkaSasl | undefined;
  if (mech) {
    const because = `FLOE_KAFKA_SASL_MECHANISM=${mech} needs it`;
    if (username === undefined) throw missing("FLOE_KAFKA_SASL_USERNAME", because, "floe-sink");
    if (password === undefined) throw missing("FLOE_KAFKA_SASL_PASSWORD", because, "<the user's password>");
    kafkaSasl = { mechanism: mech, username, password };
  } else if (username !== undefined || password !== undefined) {
    throw missing(
      "FLOE_KAFKA_SASL_MECHANISM",
      "a SASL username or password is set",
      "plain, scram-sha-256 or scram-sha-512",
    );
  }
  return { brokers, ...(kafkaTls ? { kafkaTls } : {}), ...(kafkaSasl ? { kafkaSasl } : {}) };
}

/**
 * S3. `FLOE_S3_ENDPOINT` unset: the local stack's S3Proxy. Set but empty: AWS S3, whose endpoint the SDK
 * derives from the region (profiles.yml's `storage_endpoint` reads the same variable, and "" means the
 * same there). A URL: an S3-compatible store. Credentials: `FLOE_S3_ACCESS_KEY`/`FLOE_S3_SECRET_KEY` when
 * both are set; else the local stack's fixed keys for a loopback endpoint (the stack, or a test's proxy in
 * front of it), and the SDK's default credential chain for anything else.
 */
export function s3Settings(env: Env): Omit<Endpoints, keyof KafkaEndpoints> {
  const aws = env.FLOE_S3_ENDPOINT !== undefined && env.FLOE_S3_ENDPOINT.trim() === "";
  const endpoint = aws
    ? undefined
    : (read(env, "FLOE_S3_ENDPOINT", url, "https://minio.internal:9000 (empty for AWS S3)") ??
      LOCAL_S3_ENDPOINT);
  const loopback = endpoint !== undefined && isLoopback(endpoint);
  const region = read(
    env,
    "FLOE_S3_REGION",
    z
      .string()
      .trim()
      .regex(/^[a-z0-9-]+$/, "must be a region name"),
    "eu-west-1",
  );
  const accessKey = set(env.FLOE_S3_ACCESS_KEY);
  const secretKey = set(env.FLOE_S3_SECRET_KEY);
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    const [absent, present] =
      accessKey === undefined
        ? ["FLOE_S3_ACCESS_KEY", "FLOE_S3_SECRET_KEY"]
        : ["FLOE_S3_SECRET_KEY", "FLOE_S3_ACCESS_KEY"];
    throw missing(
      absent,
      `${present} is set (set both, or neither to use the AWS credential chain)`,
      "<key>",
    );
  }
  const bucket =
    read(
      env,
      "FLOE_S3_BUCKET",
      z
        .string()
        .trim()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
      "my-lakehouse",
    ) ?? WAREHOUSE_BUCKET;
  const pathStyle = read(env, "FLOE_S3_PATH_STYLE", boolText, "true") ?? !aws;
  const keys =
    accessKey !== undefined && secretKey !== undefined
      ? { s3AccessKey: accessKey, s3SecretKey: secretKey }
      : loopback
        ? { s3AccessKey: S3_ACCESS_KEY, s3SecretKey: S3_SECRET_KEY }
        : {};
  return {
    ...(endpoint !== undefined ? { s3Endpoint: endpoint } : {}),
    // A custom endpoint answers any region, but the SDK needs one; AWS's comes from the SDK's chain.
    ...(region ? { s3Region: region } : endpoint !== undefined ? { s3Region: "us-east-1" } : {}),
    ...keys,
    s3PathStyle: pathStyle,
    bucket,
  };
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function trinoSettings(env: Env): TrinoSettings {
  const password = set(env.FLOE_TRINO_PASSWORD);
  const scheme = read(env, "FLOE_TRINO_HTTP_SCHEME", z.enum(["http", "https"]), "https") ?? "http";
  if (password !== undefined && scheme !== "https") {
    // Trino refuses password authentication over plain HTTP; say so before the first query does.
    throw missing(
      "FLOE_TRINO_HTTP_SCHEME",
      "FLOE_TRINO_PASSWORD is set and Trino accepts passwords only over HTTPS",
      "https",
    );
  }
  return {
    host: read(env, "FLOE_TRINO_HOST", z.string().trim().min(1), "trino.internal") ?? "127.0.0.1",
    port: read(env, "FLOE_TRINO_PORT", port, "8443") ?? PORTS.trino,
    user: read(env, "FLOE_TRINO_USER", z.string().trim().min(1), "floe") ?? "floe",
    https: scheme === "https",
    ...(password !== undefined ? { password } : {}),
  };
}

/** All of ingest's connections from the environment; the first bad variable is a ConfigError. */
export function connectionSettings(env: Env, readFile: (path: string) => string): Endpoints {
  return { ...kafkaSettings(env, readFile), ...s3Settings(env) };
}

/** The edge's call: the process environment, files read from disk. */
export function endpointsFromEnv(env: Env = process.env): Endpoints {
  return connectionSettings(env, (path) => readFileSync(path, "utf8"));
}
