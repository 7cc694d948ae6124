import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FloeError } from "../../core/errors.js";
import { serveDocs } from "./serve-docs.js";

describe("serveDocs", () => {
  const root = mkdtempSync(join(tmpdir(), "floe-docs-serve-"));
  writeFileSync(join(root, "index.html"), "<!doctype html><p>docs</p>");
  writeFileSync(join(root, "catalog.json"), '{"nodes":{}}');
  mkdirSync(join(root, "compiled"));
  writeFileSync(join(root, "compiled", "a.sql"), "select 1");
  const servers: { close(): void }[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it("serves the folder's files with their types, 404s the rest and stays inside the folder", async () => {
    const server = await serveDocs(root, 0, "127.0.0.1");
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toContain("text/html");
    expect(await index.text()).toContain("docs");
    const catalog = await fetch(`${base}/catalog.json`);
    expect(catalog.headers.get("content-type")).toContain("application/json");
    expect(await catalog.json()).toEqual({ nodes: {} });
    expect(await (await fetch(`${base}/compiled/a.sql`)).text()).toBe("select 1");
    expect((await fetch(`${base}/missing.html`)).status).toBe(404);
    expect((await fetch(`${base}/..%2f..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: "POST" })).status).toBe(405);
  });

  it("a busy port is an environment error naming the fix", async () => {
    const first = await serveDocs(root, 0, "127.0.0.1");
    servers.push(first);
    const port = (first.address() as AddressInfo).port;
    const error = await serveDocs(root, port, "127.0.0.1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FloeError);
    expect(error).toMatchObject({ code: "PORT_IN_USE", exitCode: 2 });
  });
});
