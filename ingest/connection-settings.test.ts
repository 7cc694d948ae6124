import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import {
  connectionSettings,
  kafkaSettings,
  LOCAL_S3_ENDPOINT,
  s3Settings,
  trinoSettings,
} from "./connection-settings.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const files: Record<string, string> = { "/etc/floe/ca.pem": PEM, "/etc/floe/not-a-cert.txt": "hello" };
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file ${path}`);
  return text;
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("connectionSettings", () => {
  it("points at the local stack when nothing is set", () => {
    expect(connectionSettings({}, readFile)).toEqual({
      brokers: ["127.0.0.1:9092"],
      s3Endpoint: LOCAL_S3_ENDPOINT,
      s3Region: "us-east-1",
      s3AccessKey: "floe",
      s3SecretKey: "floe-local-secret",
      s3PathStyle: true,
      bucket: "warehouse",
    });
  });
});

describe("kafkaSettings", () => {
  it("reads a broker list with spaces and empty entries", () => {
    expect(kafkaSettings({ FLOE_KAFKA_BROKERS: " k1:9093, k2:9093 ," }, readFile).brokers).toEqual([
      "k1:9093",
      "k2:9093",
    ]);
  });

  it("refuses a broker without a port, naming the variable", () => {
    const error = configError(() => kafkaSettings({ FLOE_KAFKA_BROKERS: "k1:9093,k2" }, readFile));
    expect(error.message).toContain("FLOE_KAFKA_BROKERS");
    expect(error.message).toContain("'k2'");
    expect(error.hint).toContain("FLOE_KAFKA_BROKERS=");
  });

  it("turns TLS on with the system CAs, off with false, or on with a CA file", () => {
    expect(kafkaSettings({ FLOE_KAFKA_SSL: "true" }, readFile).kafkaTls).toBe(true);
    expect(kafkaSettings({ FLOE_KAFKA_SSL: "FALSE" }, readFile).kafkaTls).toBeUndefined();
    expect(kafkaSettings({ FLOE_KAFKA_SSL: "/etc/floe/ca.pem" }, readFile).kafkaTls).toEqual({ ca: PEM });
  });

  it("says when the CA file is missing or holds no certificate", () => {
    expect(configError(() => kafkaSettings({ FLOE_KAFKA_SSL: "/nope.pem" }, readFile)).message).toContain(
      "neither true/false nor a readable CA file: /nope.pem",
    );
    expect(
      configError(() => kafkaSettings({ FLOE_KAFKA_SSL: "/etc/floe/not-a-cert.txt" }, readFile)).message,
    ).toContain("holds no PEM certificate");
  });

  it("reads SASL SCRAM and PLAIN, mechanism case-insensitive", () => {
    const env = {
      FLOE_KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      FLOE_KAFKA_SASL_USERNAME: "sink",
      FLOE_KAFKA_SASL_PASSWORD: "s3cret",
    };
    expect(kafkaSettings(env, readFile).kafkaSasl).toEqual({
      mechanism: "scram-sha-512",
      username: "sink",
      password: "s3cret",
    });
    expect(kafkaSettings({ ...env, FLOE_KAFKA_SASL_MECHANISM: "plain" }, readFile).kafkaSasl?.mechanism).toBe(
      "plain",
    );
  });

  it("refuses an unknown mechanism and a half-configured SASL", () => {
    const bad = configError(() => kafkaSettings({ FLOE_KAFKA_SASL_MECHANISM: "gssapi" }, readFile));
    expect(bad.message).toContain("FLOE_KAFKA_SASL_MECHANISM");
    expect(bad.message).toContain("'gssapi'");
    const noPassword = configError(() =>
      kafkaSettings({ FLOE_KAFKA_SASL_MECHANISM: "plain", FLOE_KAFKA_SASL_USERNAME: "u" }, readFile),
    );
    expect(noPassword.message).toContain("FLOE_KAFKA_SASL_PASSWORD is not set");
    const noMechanism = configError(() =>
      kafkaSettings({ FLOE_KAFKA_SASL_USERNAME: "u", FLOE_KAFKA_SASL_PASSWORD: "p" }, readFile),
    );
    expect(noMechanism.message).toContain("FLOE_KAFKA_SASL_MECHANISM is not set");
  });
});

describe("s3Settings", () => {
  it("uses AWS's endpoint, the region given and the default credential chain when the endpoint is empty", () => {
    expect(
      s3Settings({ FLOE_S3_ENDPOINT: "", FLOE_S3_REGION: "eu-west-1", FLOE_S3_BUCKET: "acme-lake" }),
    ).toEqual({ s3Region: "eu-west-1", s3PathStyle: false, bucket: "acme-lake" });
  });

  it("gives a loopback endpoint (a test's proxy before the stack) the local keys", () => {
    const proxy = s3Settings({ FLOE_S3_ENDPOINT: "http://127.0.0.1:41234" });
    expect([proxy.s3AccessKey, proxy.s3SecretKey]).toEqual(["floe", "floe-local-secret"]);
  });

  it("leaves the region to the SDK's chain when FLOE_S3_REGION is unset", () => {
    expect(s3Settings({ FLOE_S3_ENDPOINT: " " }).s3Region).toBeUndefined();
  });

  it("never sends the local stack's keys to another endpoint", () => {
    const other = s3Settings({ FLOE_S3_ENDPOINT: "https://minio.internal:9000" });
    expect(other.s3Endpoint).toBe("https://minio.internal:9000");
    expect(other.s3AccessKey).toBeUndefined();
    expect(other.s3PathStyle).toBe(true);
  });

  it("takes explicit keys as a pair", () => {
    const keys = s3Settings({ FLOE_S3_ENDPOINT: "", FLOE_S3_ACCESS_KEY: "AK", FLOE_S3_SECRET_KEY: "SK" });
    expect([keys.s3AccessKey, keys.s3SecretKey]).toEqual(["AK", "SK"]);
    const half = configError(() => s3Settings({ FLOE_S3_ACCESS_KEY: "AK" }));
    expect(half.message).toContain("FLOE_S3_SECRET_KEY is not set");
  });

  it("refuses a bad endpoint, bucket or path-style flag without printing secrets", () => {
    expect(configError(() => s3Settings({ FLOE_S3_ENDPOINT: "s3.example.com" })).message).toContain(
      "FLOE_S3_ENDPOINT",
    );
    expect(configError(() => s3Settings({ FLOE_S3_BUCKET: "Bad_Bucket" })).message).toContain(
      "must be an S3 bucket name",
    );
    expect(configError(() => s3Settings({ FLOE_S3_PATH_STYLE: "maybe" })).message).toContain(
      "must be true or false",
    );
  });
});

describe("trinoSettings", () => {
  it("defaults to the local stack and reads a production Trino", () => {
    expect(trinoSettings({})).toEqual({ host: "127.0.0.1", port: 8080, user: "floe", https: false });
    expect(
      trinoSettings({
        FLOE_TRINO_HOST: "trino.internal",
        FLOE_TRINO_PORT: "8443",
        FLOE_TRINO_HTTP_SCHEME: "https",
        FLOE_TRINO_PASSWORD: "pw",
      }),
    ).toEqual({ host: "trino.internal", port: 8443, user: "floe", https: true, password: "pw" });
  });

  it("refuses a bad port and a password over plain HTTP, hiding the password", () => {
    expect(configError(() => trinoSettings({ FLOE_TRINO_PORT: "80800" })).message).toContain(
      "FLOE_TRINO_PORT",
    );
    const plain = configError(() => trinoSettings({ FLOE_TRINO_PASSWORD: "pw" }));
    expect(plain.message).toContain("FLOE_TRINO_HTTP_SCHEME");
    expect(plain.message).not.toContain("pw'");
  });
});
