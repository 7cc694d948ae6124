import { S3Client } from "@aws-sdk/client-s3";
import { PORTS, S3_ACCESS_KEY, S3_SECRET_KEY } from "../stack/services.js";
import { createTrinoConnection, type TrinoConnection } from "../trino/connection.js";

/** Clients for the local stack, for integration tests. */
export function localTrino(overrides: { port?: number } = {}): TrinoConnection {
  return createTrinoConnection({ host: "127.0.0.1", port: overrides.port ?? PORTS.trino, user: "floe-test" });
}

export function localS3(): S3Client {
  return new S3Client({
    endpoint: `http://127.0.0.1:${PORTS.s3}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
  });
}

/** A name no other test run uses, so reruns and parallel work never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
