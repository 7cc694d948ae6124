import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TargetConfig } from "../compile/compile.js";
import { testTarget } from "../testing/project-fixture.js";
import { connectTarget } from "./connect.js";

/**
 * What the connection sends for each `auth` method of profiles.yml (issue 12, defect 9: `jwt` validated
 * but failed at run time). A local HTTP server stands where Trino would and answers one finished page:
 * what is under test is the request, not Trino.
 */
let seen: IncomingHttpHeaders[] = [];
const server = createServer((request, response) => {
  seen.push(request.headers);
  request.resume();
  response.setHeader("Content-Type", "application/json");
  response.end(JSON.stringify({ id: "q1", stats: { state: "FINISHED" }, columns: [], data: [] }));
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function target(auth: TargetConfig["auth"]): TargetConfig {
  return testTarget({ port, ...(auth ? { auth } : {}) });
}

async function headersFor(auth: TargetConfig["auth"]): Promise<IncomingHttpHeaders> {
  seen = [];
  await connectTarget(target(auth)).query("select 1");
  expect(seen).toHaveLength(1);
  return seen[0]!;
}

describe("profile auth on the wire", () => {
  it("jwt sends the token as a Bearer credential, with the user as X-Trino-User", async () => {
    const headers = await headersFor({ method: "jwt", token: "eyJ.payload.sig" });
    expect(headers.authorization).toBe("Bearer eyJ.payload.sig");
    expect(headers["x-trino-user"]).toBe("floe");
  });

  it("basic sends user:password; none sends no credential", async () => {
    const basic = await headersFor({ method: "basic", user: "ana", password: "pw" });
    expect(basic.authorization).toBe(`Basic ${Buffer.from("ana:pw").toString("base64")}`);
    expect((await headersFor({ method: "none" })).authorization).toBeUndefined();
    expect((await headersFor(undefined)).authorization).toBeUndefined();
  });
});
