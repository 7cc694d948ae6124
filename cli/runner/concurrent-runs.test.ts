import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCK_FILE, lockTarget } from "../artifacts/target-lock.js";
import { floe, writeRunnerProject } from "../testing/run-fixture.js";

/**
 * Issue 12, defect 9: two runs in one target folder overwrote each other's run_results.json. The project
 * points at a closed port: the lock is taken before the first query, so no Trino is needed to see it.
 */
describe("two runs in one target folder", () => {
  it("the second stops with exit 2 naming the first; once the first is gone its lock is taken over", async () => {
    const dir = writeRunnerProject("nowhere", { "models/a.sql": "select 1 as x\n" }, { port: 59998 });
    const first = spawn("sleep", ["60"], { stdio: "ignore" });
    lockTarget(join(dir, "target"), "build", { pid: first.pid ?? 0 });

    const second = await floe(dir, "run");
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain("Error [TARGET_LOCKED]");
    expect(second.stderr).toContain(`target/ is in use by another floe build (pid ${first.pid}`);
    expect(second.stderr).not.toContain("Cannot reach Trino");

    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    const third = await floe(dir, "run");
    // Past the (stale) lock: it now fails only on the closed port, and leaves no lock behind.
    expect(third.stderr).toContain("Cannot reach Trino at http://127.0.0.1:59998");
    expect(existsSync(join(dir, "target", LOCK_FILE))).toBe(false);
  });
});
