import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorOf } from "../testing/project-fixture.js";
import { LOCK_FILE, lockTarget, processStartToken } from "./target-lock.js";

/** Issue 12, defect 9: two runs in one target folder overwrote each other's run_results.json. */
const target = () => join(mkdtempSync(join(tmpdir(), "floe-lock-")), "target");
const holderOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"));

/** A process that runs until killed, standing for another floe run. */
function otherRun() {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  return { pid: child.pid ?? 0, stop: () => child.kill("SIGKILL") };
}

describe("the target folder lock", () => {
  it("is created with its holder, and released", () => {
    const dir = target();
    const lock = lockTarget(dir, "build");
    expect(holderOf(dir)).toMatchObject({ pid: process.pid, host: hostname(), command: "build" });
    lock.release();
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("a second run while the first is alive fails naming it, exit 2", () => {
    const dir = target();
    const other = otherRun();
    try {
      lockTarget(dir, "build", { pid: other.pid, display: "target" });
      const error = errorOf(() => lockTarget(dir, "run", { display: "target" }));
      expect(error.code).toBe("TARGET_LOCKED");
      expect(error.message).toContain(
        `target/ is in use by another floe build (pid ${other.pid} on ${hostname()}`,
      );
      expect(error.message).toContain("run_results.json");
      expect(error.hint).toContain("delete target/.floe.lock");
      expect((error as { exitCode?: number }).exitCode).toBe(2);
      expect(holderOf(dir).pid).toBe(other.pid);
    } finally {
      other.stop();
    }
  });

  it("a stale lock from a dead PID is taken over", () => {
    const dir = target();
    const dead = spawnSync("true").pid;
    lockTarget(dir, "build", { pid: dead });
    const lock = lockTarget(dir, "run");
    expect(holderOf(dir)).toMatchObject({ pid: process.pid, command: "run" });
    lock.release();
  });

  it("a recycled PID (same number, another start time) is stale too", () => {
    const dir = target();
    lockTarget(dir, "build");
    const holder = holderOf(dir);
    // This process's PID, but recorded as started at another time: a process that died, its PID reused.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...holder, startToken: "1" }));
    expect(processStartToken(process.pid)).toMatch(/^\d+$/);
    const lock = lockTarget(dir, "run");
    expect(holderOf(dir)).toMatchObject({ command: "run" });
    lock.release();
  });

  it("an unreadable (half-written) lock is taken over; release never removes another run's lock", () => {
    const dir = target();
    const first = lockTarget(dir, "build");
    writeFileSync(join(dir, LOCK_FILE), "{");
    const second = lockTarget(dir, "run");
    first.release();
    expect(holderOf(dir).command).toBe("run");
    second.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
