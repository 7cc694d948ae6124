import { describe, expect, it } from "vitest";
import { floe, writeRunnerProject } from "../testing/run-fixture.js";

/** Issue 12, defect 9: `floe ls -s '+++x'` printed "no nodes selected" and exited 0. */
describe("a malformed selector on the command line", () => {
  const dir = writeRunnerProject("unused", { "models/a.sql": "select 1 as id\n" });

  it.each([["+++a"], ["a++"], ["@@a"], [","]])("floe ls -s %j exits 2 naming the selector", async (spec) => {
    const result = await floe(dir, "ls", "-s", spec);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Error [USAGE] selector '${spec}'`);
    expect(result.stdout).not.toContain("no nodes selected");
  });

  it("--exclude is checked the same way", async () => {
    const result = await floe(dir, "ls", "--exclude", "a++");
    expect(result.exitCode).toBe(2);
  });
});
