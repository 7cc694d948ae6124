import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isOurProcess, isRunning, stopProcess } from "./process.js";

describe("process control", () => {
  it("stops a process by PID file only when its command line carries the marker", async () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-proc-"));
    const child = spawn("sleep", ["30", "-Dfloe.test.marker"].slice(0, 1), {
      detached: true,
      stdio: "ignore",
    });
    const pid = child.pid!;
    const pidFile = join(dir, "sleep.pid");
    writeFileSync(pidFile, `${pid}\n`);
    // Wrong marker: not ours, must not be killed.
    expect(isOurProcess(pid, "floe.not-this")).toBe(false);
    expect(await stopProcess(pidFile, "floe.not-this", 1_000)).toBe("not-running");
    expect(isRunning(pid)).toBe(true);
    // Right marker ("sleep" is in its cmdline): stopped, and really gone afterwards.
    writeFileSync(pidFile, `${pid}\n`);
    expect(await stopProcess(pidFile, "sleep", 5_000)).toBe("stopped");
    // Our own child stays a zombie until we reap it; isRunning must already count it as gone.
    expect(isRunning(pid)).toBe(false);
  });
});
