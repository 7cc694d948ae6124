import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installDir, trinoHome } from "./install.js";
import type { JavaChoice } from "./java.js";
import { unprivileged } from "./native-binaries.js";
import type { StackPaths } from "./paths.js";
import { postgresArgs, postgresLayout } from "./postgres-server.js";
import {
  parseEnvFile,
  parseJvmConfig,
  propertiesToSystemProperties,
  renderTemplate,
} from "./render-template.js";
import {
  CDC_CONNECTOR,
  PORTS,
  S3_ACCESS_KEY,
  S3_SECRET_KEY,
  type ServiceName,
  SHOP_DB,
  WAREHOUSE_BUCKET,
} from "./services.js";

export interface StartCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The text on a process's command line that marks it as this stack's service (checked before any kill): a
 * JVM system property; for PostgreSQL a custom setting (`-c floe.stack=...`); for Redis, whose arguments
 * are a config file, the path of the config file rendered into this stack's run folder.
 */
export function processMarker(paths: StackPaths, service: ServiceName): string {
  if (service === "postgres") return `floe.stack=${paths.root}#${service}`;
  if (service === "redis") return redisConfigPath(paths);
  return `-Dfloe.stack=${paths.root}#${service}`;
}

export function redisConfigPath(paths: StackPaths): string {
  return join(paths.run, "stack_redis_redis.conf");
}

/** Where the native servers' binaries are (found on the machine or installed by `floe stack up`). */
export interface NativeBinaries {
  readonly postgresBinDir: string;
  readonly redisServer: string;
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

/**
 * Renders a repo config template into the run folder (as `stack/x/y.conf` → `stack_x_y.conf`) and returns
 * the rendered file's path.
 */
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

/**
 * Builds the command that starts `service`; writes its rendered config files and data folders first
 * (PostgreSQL's cluster is created before, by `initPostgresCluster`).
 */
export function startCommand(
  paths: StackPaths,
  java: JavaChoice,
  service: ServiceName,
  natives: NativeBinaries,
): StartCommand {
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
    case "postgres": {
      const server = unprivileged(
        join(natives.postgresBinDir, "postgres"),
        postgresArgs(postgresLayout(data), marker),
        process.getuid?.(),
      );
      return { ...server, cwd: data, env: { ...baseEnv, LC_ALL: "C" } };
    }
    case "redis": {
      const conf = renderConfig(paths, "stack/redis/redis.conf", { port: PORTS.redis, dataDir: data });
      return { command: natives.redisServer, args: [conf], cwd: data, env: baseEnv };
    }
    case "connect": {
      const { worker, connector } = connectConfig(paths);
      return {
        command: java.services.java,
        args: [
          "-Xms128m",
          "-Xmx512m",
          marker,
          `-Dlog4j2.configurationFile=${join(paths.home, "stack/connect/log4j2.properties")}`,
          "-cp",
          `${lib}/*`,
          "org.apache.kafka.connect.cli.ConnectStandalone",
          worker,
          connector,
        ],
        cwd: data,
        env: baseEnv,
      };
    }
  }
}

/** The Connect worker's and the Debezium connector's rendered properties (the connector's holds a password). */
export function connectConfig(paths: StackPaths): { worker: string; connector: string } {
  const data = dataDir(paths, "connect");
  return {
    worker: renderConfig(paths, "stack/connect/worker.properties", {
      bootstrapServers: `127.0.0.1:${PORTS.kafka}`,
      restHost: "127.0.0.1",
      port: PORTS.connect,
      pluginDir: join(installDir(paths, "connect"), "plugins"),
      offsetsFile: join(data, "offsets.dat"),
    }),
    connector: renderConfig(paths, "stack/connect/shop-cdc.properties", {
      connector: CDC_CONNECTOR,
      dbHost: "127.0.0.1",
      dbPort: PORTS.postgres,
      dbUser: SHOP_DB.user,
      dbPassword: SHOP_DB.password,
      dbName: SHOP_DB.database,
      slot: SHOP_DB.slot,
      publication: SHOP_DB.publication,
      tables: SHOP_DB.tables.map((t) => `public.${t}`).join(","),
    }),
  };
}

export function kafkaConfig(paths: StackPaths): string {
  return renderConfig(paths, "stack/kafka/server.properties", {
    port: PORTS.kafka,
    controllerPort: PORTS.kafkaController,
    dataDir: join(dataDir(paths, "kafka"), "log"),
  });
}
