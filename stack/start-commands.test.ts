import { mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JavaChoice } from "./java.js";
import { packageRoot, type StackPaths } from "./paths.js";
import { parseEnvFile } from "./render-template.js";
import { connectConfig, processMarker, redisConfigPath, startCommand } from "./start-commands.js";

function throwAwayPaths(): StackPaths {
  const root = mkdtempSync(join(tmpdir(), "floe-start-commands-"));
  const paths = {
    home: packageRoot(),
    root,
    downloads: join(root, "downloads"),
    install: join(root, "install"),
    data: join(root, "data"),
    run: join(root, "run"),
  };
  for (const dir of [paths.data, paths.run]) mkdirSync(dir, { recursive: true });
  return paths;
}

const jdk = { home: "/jvm", java: "/jvm/bin/java", major: 17, version: "17.0.1" };
const java: JavaChoice = { trino: jdk, services: jdk } as unknown as JavaChoice;
const natives = { postgresBinDir: "/pg/bin", redisServer: "/usr/bin/redis-server" };

describe("Kafka Connect and Debezium config", () => {
  it("renders the worker for the local stack, offsets under the stack's data", () => {
    const paths = throwAwayPaths();
    const worker = parseEnvFile(readFileSync(connectConfig(paths).worker, "utf8"));
    expect(worker).toMatchObject({
      "bootstrap.servers": "127.0.0.1:9092",
      listeners: "http://127.0.0.1:8083",
      "plugin.path": join(paths.install, "connect", "plugins"),
      "offset.storage.file.filename": join(paths.data, "connect", "offsets.dat"),
      "offset.flush.interval.ms": "1000",
      "value.converter.schemas.enable": "false",
    });
  });

  it("renders the connector per the shared decisions, readable by its owner only (it holds a password)", () => {
    const { connector } = connectConfig(throwAwayPaths());
    expect(statSync(connector).mode & 0o777).toBe(0o600);
    expect(parseEnvFile(readFileSync(connector, "utf8"))).toMatchObject({
      name: "shop-cdc",
      "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
      "database.port": "5433",
      "database.user": "floe",
      "database.dbname": "shop",
      "plugin.name": "pgoutput",
      "slot.name": "floe_shop",
      "publication.name": "floe_shop",
      "publication.autocreate.mode": "disabled",
      "table.include.list": "public.users,public.products,public.inventory,public.orders,public.order_items",
      "topic.prefix": "db",
      "decimal.handling.mode": "string",
      "tombstones.on.delete": "false",
      "snapshot.mode": "initial",
      "key.converter.schemas.enable": "false",
      "value.converter.schemas.enable": "false",
      "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
    });
  });

  it("routes db.public.<table> to db.<table>", () => {
    const props = parseEnvFile(readFileSync(connectConfig(throwAwayPaths()).connector, "utf8"));
    // Java's properties loader reads the file's `\\.` as `\.`: unescape as it does, then route one topic.
    const regex = new RegExp(`^${props["transforms.route.regex"]!.replaceAll("\\\\", "\\")}$`);
    expect("db.public.order_items".replace(regex, props["transforms.route.replacement"]!)).toBe(
      "db.order_items",
    );
    expect("db.publicXorders".replace(regex, props["transforms.route.replacement"]!)).toBe(
      "db.publicXorders",
    );
  });
});

describe("native services' start commands", () => {
  it("starts Redis on 6380 from a config in the run folder whose path marks the process", () => {
    const paths = throwAwayPaths();
    const command = startCommand(paths, java, "redis", natives);
    expect(command.command).toBe("/usr/bin/redis-server");
    expect(command.args).toEqual([redisConfigPath(paths)]);
    expect(processMarker(paths, "redis")).toBe(redisConfigPath(paths));
    const conf = readFileSync(redisConfigPath(paths), "utf8");
    expect(conf).toMatch(/^port 6380$/m);
    expect(conf).toMatch(/^bind 127\.0\.0\.1$/m);
    expect(conf).toMatch(/^set-proc-title no$/m);
    expect(conf).toContain(`dir ${join(paths.data, "redis")}`);
  });

  it("starts PostgreSQL with the stack's marker as a custom setting", () => {
    const paths = throwAwayPaths();
    const command = startCommand(paths, java, "postgres", natives);
    const args =
      command.command === "setpriv"
        ? command.args.slice(command.args.indexOf("--") + 1)
        : [command.command, ...command.args];
    expect(args[0]).toBe("/pg/bin/postgres");
    expect(args).toContain(processMarker(paths, "postgres"));
    expect(processMarker(paths, "postgres")).toBe(`floe.stack=${paths.root}#postgres`);
  });
});
