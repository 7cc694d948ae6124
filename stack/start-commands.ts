import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installDir, trinoHome } from "./install.js";
import type { JavaChoice } from "./java.js";
import type { StackPaths } from "./paths.js";
import {
  parseEnvFile,
  parseJvmConfig,
  propertiesToSystemProperties,
  renderTemplate,
} from "./render-template.js";
import { PORTS, S3_ACCESS_KEY, S3_SECRET_KEY, type ServiceName, WAREHOUSE_BUCKET } from "./services.js";

export interface StartCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The JVM system property that marks a process as this stack's service (checked before any kill). */
export function processMarker(paths: StackPaths, service: ServiceName): string {
  return `-Dfloe.stack=${paths.root}#${service}`;
}

const S3_ENDPOINT = `http://127.0.0.1:${PORTS.s3}`;

/** Environment that Trino's `${ENV:...}` catalog properties read (docker-compose sets the same names). */
export const TRINO_CATALOG_ENV = {
  FLOE_S3_ENDPOINT: S3_ENDPOINT,
  FLOE_S3_ACCESS_KEY: S3_ACCESS_KEY,
  FLOE_S3_SECRET_KEY: S3_SECRET_KEY,
  FLOE_ICEBERG_REST_URI: `http://127.0.0.1:${PORTS.icebergRest}`,
};

function read(paths: StackPaths, file: string): string {
  return readFileSync(join(paths.home, file), "utf8");
}

/** Renders a repo config template into the run folder and returns the rendered file's path. */
function renderConfig(paths: StackPaths, file: string, values: Record<string, string | number>): string {
  const out = join(paths.run, file.replaceAll("/", "_"));
  writeFileSync(out, renderTemplate(read(paths, file), values, file));
  // S3Proxy's holds the S3 secret: readable by its owner only (mode applies to new files, so chmod).
  chmodSync(out, 0o600);
  return out;
}

export function dataDir(paths: StackPaths, service: ServiceName): string {
  return join(paths.data, service);
}

/** Builds the command that starts `service`; writes its rendered config files and data folders first. */
export function startCommand(paths: StackPaths, java: JavaChoice, service: ServiceName): StartCommand {
  const data = dataDir(paths, service);
  mkdirSync(data, { recursive: true });
  const marker = processMarker(paths, service);
  const lib = join(installDir(paths, service), "lib");
  const baseEnv = { ...process.env };
  switch (service) {
    case "s3": {
      mkdirSync(join(data, WAREHOUSE_BUCKET), { recursive: true });
      const conf = renderConfig(paths, "stack/s3proxy/s3proxy.conf", {
        port: PORTS.s3,
        accessKey: S3_ACCESS_KEY,
        secretKey: S3_SECRET_KEY,
        dataDir: data,
      });
      return {
        command: java.services.java,
        args: ["-Xmx384m", marker, "-cp", `${lib}/*`, "org.gaul.s3proxy.Main", "--properties", conf],
        cwd: data,
        env: baseEnv,
      };
    }
    case "iceberg-rest": {
      const text = renderTemplate(
        read(paths, "catalog/iceberg-rest/rest-catalog.env"),
        {
          dataDir: data,
          s3Endpoint: S3_ENDPOINT,
          accessKey: S3_ACCESS_KEY,
          secretKey: S3_SECRET_KEY,
          port: PORTS.icebergRest,
        },
        "catalog/iceberg-rest/rest-catalog.env",
      );
      return {
        command: java.services.java,
        args: ["-Xmx384m", marker, "-cp", `${lib}/*`, "org.apache.iceberg.rest.RESTCatalogServer"],
        cwd: data,
        env: { ...baseEnv, ...parseEnvFile(text) },
      };
    }
    case "kafka": {
      const conf = kafkaConfig(paths);
      return {
        command: java.services.java,
        args: [
          "-Xms256m",
          "-Xmx768m",
          marker,
          `-Dlog4j2.configurationFile=${join(paths.home, "stack/kafka/log4j2.properties")}`,
          "-cp",
          `${lib}/*`,
          "kafka.Kafka",
          conf,
        ],
        cwd: data,
        env: baseEnv,
      };
    }
    case "trino": {
      const home = trinoHome(paths);
      const etc = join(paths.home, "trino", "etc");
      return {
        command: java.trino.java,
        args: [
          "-cp",
          `${home}/lib/*`,
          ...parseJvmConfig(read(paths, "trino/etc/jvm.config")),
          marker,
          ...propertiesToSystemProperties(read(paths, "trino/etc/node.properties")),
          "-Dnode.id=floe-local",
          `-Dnode.data-dir=${data}`,
          `-Dconfig=${join(etc, "config.properties")}`,
          `-Dlog.levels-file=${join(etc, "log.properties")}`,
          `-Dcatalog.config-dir=${join(etc, "catalog")}`,
          `-Dplugin.dir=${join(home, "plugin")}`,
          "io.trino.server.TrinoServer",
        ],
        cwd: home,
        env: { ...baseEnv, ...TRINO_CATALOG_ENV },
      };
    }
  }
}

export function kafkaConfig(paths: StackPaths): string {
  return renderConfig(paths, "stack/kafka/server.properties", {
    port: PORTS.kafka,
    controllerPort: PORTS.kafkaController,
    dataDir: join(dataDir(paths, "kafka"), "log"),
  });
}
