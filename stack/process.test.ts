import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MASK } from "./log-file.js";
import { isOurProcess, isRunning, launchDetached, logWriterScript, readPid, stopProcess } from "./process.js";

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

describe("a service's log (issue 12, defect 9)", () => {
  it("goes through the log writer: secrets masked, mode 0600, and the writer ends with the service", async () => {
    // From the sources this is dist/stack/log-writer.js: `npm test` builds before running the tests.
    const writer = logWriterScript();
    expect(writer, "no built log writer: run `npm run build`").toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "floe-svc-"));
    const logFile = join(dir, "svc.log");
    writeFileSync(logFile, "an earlier run\n", { mode: 0o644 });
    // A stand-in service printing what the REST catalog printed, on stdout and stderr, in pieces.
    const script = [
      "echo 'properties: {s3.secret-access-key=floe-local-secret, user=floe}'",
      "printf 'env secret: env-secret-'",
      "sleep 0.2",
      "printf 'value-42\\n'",
      "echo 'config-file secret: cfg-secret-77' >&2",
      "echo done",
    ].join("; ");
    const pid = launchDetached({
      command: "sh",
      args: ["-c", script],
      cwd: dir,
      env: { PATH: process.env.PATH, FLOE_S3_SECRET_KEY: "env-secret-value-42" },
      logFile,
      pidFile: join(dir, "svc.pid"),
      secrets: ["cfg-secret-77"],
    });
    expect(readPid(join(dir, "svc.pid"))).toBe(pid);
    const deadline = Date.now() + 10_000;
    while (!readFileSync(logFile, "utf8").includes("done") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const log = readFileSync(logFile, "utf8");
    expect(log).toContain("an earlier run\n");
    expect(log).toContain("done");
    for (const secret of ["floe-local-secret", "env-secret-value-42", "cfg-secret-77"]) {
      expect(log).not.toContain(secret);
    }
    expect(log).toContain(`env secret: ${MASK}`);
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${logFile}.1`)).toBe(false);
    // The writer (its command line names the log) is gone once the service is.
    const writers = () =>
      readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .filter((entry) => {
          try {
            return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(logFile);
          } catch {
            return false;
          }
        });
    while (writers().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(writers()).toEqual([]);
  });
});
