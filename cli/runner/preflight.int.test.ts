import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { localTrino, uniqueName } from "../../testing/local-stack.js";
import { floe, testTrinoPort, writeRunnerProject } from "../testing/run-fixture.js";
import { dropSchema, rows } from "../testing/warehouse.js";

/**
 * Issue 12, defect 8, against the running stack. The shared S3 and catalog must stay up for everyone, so
 * "down" is the profile pointing at a closed port or at a server that never answers: the run must stop
 * before its first statement, in seconds, naming the service. The healthy path must add no failure.
 */
const trino = localTrino({ port: testTrinoPort() });
const schemas: string[] = [];
const hung = createServer(() => {});
afterAll(async () => {
  hung.closeAllConnections();
  hung.close();
  for (const schema of schemas) await dropSchema(trino, schema);
});

function project(output: Record<string, string>) {
  const schema = uniqueName("floe_preflight");
  schemas.push(schema);
  const dir = writeRunnerProject(
    schema,
    {
      "models/a.sql": '{{config materialized="table"}}select 1 as id\n',
      "models/b.sql": 'select * from {{ref "a"}}\n',
    },
    { output },
  );
  return { dir, schema };
}

const schemaExists = async (schema: string) =>
  (await rows(trino, `SHOW SCHEMAS FROM iceberg LIKE '${schema}'`)).length > 0;

describe("the pre-run probe of storage and catalog", () => {
  it("a healthy stack: the run goes on as before", async () => {
    const { dir, schema } = project({
      storage_endpoint: "http://127.0.0.1:9000",
      catalog_uri: "http://127.0.0.1:8181",
    });
    const result = await floe(dir, "build");
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(await rows(trino, `select id from iceberg.${schema}.b`)).toEqual([{ id: 1 }]);
  });

  it("S3 unreachable: exit 2 in seconds, naming the storage, nothing created", async () => {
    // A port nothing listens on: bound, then released.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { dir, schema } = project({ storage_endpoint: closed });
    const started = performance.now();
    const result = await floe(dir, "build");
    expect((performance.now() - started) / 1000).toBeLessThan(10);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Error [STORAGE_UNREACHABLE]");
    expect(result.stderr).toContain(`the storage (S3) at ${closed} does not answer (ECONNREFUSED)`);
    expect(result.stderr).toContain("floe stack up");
    expect(await schemaExists(schema)).toBe(false);
  });

  it("the catalog not answering: exit 2 naming the Iceberg REST catalog", async () => {
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const { port } = hung.address() as AddressInfo;
    const { dir, schema } = project({ catalog_uri: `http://127.0.0.1:${port}` });
    const result = await floe(dir, "run");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Error [CATALOG_UNREACHABLE]");
    expect(result.stderr).toContain(
      `the Iceberg REST catalog at http://127.0.0.1:${port}/v1/config does not answer`,
    );
    expect(await schemaExists(schema)).toBe(false);
  });
});
