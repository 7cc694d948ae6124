import { describe, expect, it } from "vitest";
import { floe, writeRunnerProject } from "../testing/run-fixture.js";

describe("an unreachable Trino", () => {
  it("names host:port, suggests floe stack up, exits 2", async () => {
    const dir = writeRunnerProject("nowhere", { "models/a.sql": "select 1 as x\n" }, { port: 59999 });
    const result = await floe(dir, "run");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Cannot reach Trino at http://127.0.0.1:59999");
    expect(result.stderr).toContain("ECONNREFUSED");
    expect(result.stderr).toContain("floe stack up");
  });
  it("floe debug reports the failed connection check", async () => {
    const dir = writeRunnerProject("nowhere", { "models/a.sql": "select 1 as x\n" }, { port: 59999 });
    const result = await floe(dir, "debug");
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain("connection: FAILED");
    expect(result.stdout).toContain("127.0.0.1:59999");
  });
});
