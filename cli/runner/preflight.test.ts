import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createTrinoConnection } from "../../trino/connection.js";
import type { TargetConfig } from "../compile/compile.js";
import { loadFixture, testTarget } from "../testing/project-fixture.js";
import { catalogsOf, probeCatalog, probeEndpoints } from "./preflight.js";

/**
 * Issue 12, defect 8: with S3 down a build waited 91–101 s per query; with the catalog down the errors
 * never named it. The shared stack must keep running, so "down" here is a closed port or a local server
 * that accepts and never answers; the healthy path runs against the real stack in preflight.int.test.ts.
 */
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.closeAllConnections();
  for (const server of servers) server.close();
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const hanging = () => listen(() => {}); // accepts, never answers
const answering = (status: number) =>
  listen((_req, res) => {
    res.statusCode = status;
    res.end();
  });

function target(endpoints: { storage_endpoint?: string; catalog_uri?: string }): TargetConfig {
  return testTarget(endpoints);
}

async function failure(run: Promise<unknown>) {
  const started = performance.now();
  const error = await run.then(
    () => undefined,
    (e: unknown) =>
      e as { code: string; message: string; hint?: string; exitCode: number; location?: unknown },
  );
  return { error, seconds: (performance.now() - started) / 1000 };
}

describe("probing the declared endpoints", () => {
  it("storage down (a closed port): STORAGE_UNREACHABLE at once, naming the address and the fix", async () => {
    const url = await closedPort();
    const { error, seconds } = await failure(probeEndpoints(target({ storage_endpoint: url }), 3_000));
    expect(error).toMatchObject({
      code: "STORAGE_UNREACHABLE",
      exitCode: 2,
      location: { file: "profiles.yml", path: "floe.outputs.dev.storage_endpoint" },
    });
    expect(error?.message).toBe(
      `the storage (S3) at ${url} does not answer (ECONNREFUSED): every query of the run would wait on it.`,
    );
    expect(error?.hint).toContain("floe stack up");
    expect(seconds).toBeLessThan(2);
  });

  it("catalog hung (accepts, never answers): CATALOG_UNREACHABLE after the timeout", async () => {
    const url = await hanging();
    const { error, seconds } = await failure(
      probeEndpoints(target({ storage_endpoint: await answering(403), catalog_uri: url }), 300),
    );
    expect(error?.code).toBe("CATALOG_UNREACHABLE");
    expect(error?.message).toContain(
      `the Iceberg REST catalog at ${url}/v1/config does not answer (no answer within 0.3 s)`,
    );
    expect(seconds).toBeLessThan(2);
  });

  it("any HTTP answer is up (an unsigned S3 request gets 403); nothing declared, nothing probed", async () => {
    await expect(
      probeEndpoints(
        target({ storage_endpoint: await answering(403), catalog_uri: await answering(200) }),
        1_000,
      ),
    ).resolves.toBeUndefined();
    await expect(probeEndpoints(target({ storage_endpoint: "" }), 1_000)).resolves.toBeUndefined();
  });
});

/** A stand-in Trino: `page` answers POST /v1/statement (undefined: accept and never answer). */
async function trinoAnswering(page: unknown | undefined) {
  const url = new URL(
    await listen((_req, res) => {
      if (page === undefined) return;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(page));
    }),
  );
  return createTrinoConnection({ host: url.hostname, port: Number(url.port), user: "floe" });
}

const errorPage = (errorName: string, errorType: string, message: string) => ({
  id: "q1",
  stats: { state: "FAILED" },
  error: { message, errorCode: 1, errorName, errorType },
});

describe("probing a catalog through Trino", () => {
  it("no answer within the deadline: CATALOG_UNRESPONSIVE naming the catalog", async () => {
    const { error, seconds } = await failure(probeCatalog(await trinoAnswering(undefined), "hive", 300));
    expect(error?.code).toBe("CATALOG_UNRESPONSIVE");
    expect(error?.message).toContain("Trino's catalog 'hive' did not list its schemas within 0.3 s");
    expect(error?.hint).toContain("storage_endpoint and catalog_uri");
    expect(seconds).toBeLessThan(2);
  });

  it("an external error: CATALOG_UNREACHABLE naming the catalog, with Trino's message", async () => {
    const trino = await trinoAnswering(
      errorPage("ICEBERG_CATALOG_ERROR", "EXTERNAL", "Failed to list namespaces: Connection refused"),
    );
    const { error } = await failure(probeCatalog(trino, "iceberg", 1_000));
    expect(error).toMatchObject({ code: "CATALOG_UNREACHABLE", exitCode: 2 });
    expect(error?.message).toBe(
      "Trino cannot reach catalog 'iceberg': Failed to list namespaces: Connection refused",
    );
  });

  it("a user error (no such catalog) is left to the run, which reports it per model", async () => {
    const trino = await trinoAnswering(errorPage("CATALOG_NOT_FOUND", "USER_ERROR", "Catalog 'x' not found"));
    await expect(probeCatalog(trino, "x", 1_000)).resolves.toBeUndefined();
  });
});

describe("the catalogs a run touches", () => {
  it("the target's, its nodes' and the sources they read", () => {
    const project = loadFixture({
      "models/sources.yml":
        "version: 2\nsources:\n  - name: raw\n    catalog: hive\n    tables: [{name: events}]\n",
      "models/a.sql": 'select * from {{source "raw" "events"}}',
      "models/b.sql": '{{config schema="x"}}select * from {{ref "a"}}',
    });
    expect(catalogsOf(project.manifest, ["model.shop.a", "model.shop.b"], project.target)).toEqual([
      "hive",
      "iceberg",
    ]);
    expect(catalogsOf(project.manifest, ["model.shop.b"], project.target)).toEqual(["iceberg"]);
  });
});
