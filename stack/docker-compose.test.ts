import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "./paths.js";
import { SERVICES } from "./services.js";
import { SHOP_SQL_FILES } from "./shop-db.js";

interface ComposeService {
  image: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
}

const root = packageRoot();
const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8")) as {
  services: Record<string, ComposeService>;
};

/** docker-compose.yml must describe the same stack as `floe stack up`: same ports, same Trino catalogs. */
describe("docker-compose.yml", () => {
  it("publishes exactly the launcher's ports for each service", () => {
    for (const spec of SERVICES) {
      const service = compose.services[spec.name];
      expect(service, `service ${spec.name}`).toBeDefined();
      const published = (service?.ports ?? []).map((p) => Number(p.split(":")[0]));
      expect(published.sort()).toEqual([...spec.ports].sort());
    }
  });

  it("mounts every Trino catalog of trino/etc/catalog and no other", () => {
    const catalogs = readdirSync(join(root, "trino", "etc", "catalog")).sort();
    const mounted = (compose.services.trino?.volumes ?? [])
      .map((v) => v.split(":")[0]!)
      .filter((source) => source.startsWith("./trino/etc/catalog/"))
      .map((source) => source.replace("./trino/etc/catalog/", ""))
      .sort();
    expect(mounted).toEqual(catalogs);
  });

  it("sets every ${ENV:...} variable the Trino catalogs read", () => {
    const dir = join(root, "trino", "etc", "catalog");
    const needed = new Set<string>();
    for (const file of readdirSync(dir)) {
      for (const m of readFileSync(join(dir, file), "utf8").matchAll(/\$\{ENV:(\w+)\}/g)) needed.add(m[1]!);
    }
    expect([...needed].sort()).toEqual(Object.keys(compose.services.trino?.environment ?? {}).sort());
  });

  it("runs Trino 476 and Kafka 4.1, as the local stack does", () => {
    expect(compose.services.trino?.image).toBe("trinodb/trino:476");
    expect(compose.services.kafka?.image).toBe("apache/kafka:4.1.1");
  });

  it("runs the shop's PostgreSQL for logical decoding, initialised by the same SQL files as `floe stack up`", () => {
    const postgres = compose.services.postgres;
    expect(postgres?.command).toContain("wal_level=logical");
    const initFiles = (postgres?.volumes ?? [])
      .filter((v) => v.includes("/docker-entrypoint-initdb.d/"))
      .map((v) => v.split(":")[0]);
    expect(initFiles).toEqual(SHOP_SQL_FILES.map((f) => `./stack/postgres/${f}`));
  });

  it("fills every placeholder of the Connect templates it mounts", () => {
    const connect = compose.services.connect;
    const script = (connect?.command ?? []).join(" ");
    for (const template of ["worker.properties", "shop-cdc.properties"]) {
      expect(connect?.volumes).toContain(`./stack/connect/${template}:/floe/${template}:ro`);
      const text = readFileSync(join(root, "stack", "connect", template), "utf8");
      for (const m of text.matchAll(/\{\{(\w+)\}\}/g))
        expect(script, `${template}: {{${m[1]}}}`).toContain(`{{${m[1]}}}|`);
    }
  });
});
