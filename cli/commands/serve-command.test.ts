import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

/** `floe serve`'s flags are checked before anything starts: a bad value is a usage error (exit 2). */
describe("floe serve flags", () => {
  const serve = async (...args: string[]) => {
    const io = recordingIO();
    const exitCode = await main(["node", "floe", "serve", ...args], io);
    return { exitCode, stderr: io.stderrText() };
  };

  it("refuses a port that is not one", async () => {
    const { exitCode, stderr } = await serve("--port", "http");
    expect(exitCode).toBe(2);
    expect(stderr).toContain("--port");
    expect(stderr).toContain("a port number");
  });

  it("refuses a build period that is not a duration", async () => {
    const { exitCode, stderr } = await serve("--build-every", "often");
    expect(exitCode).toBe(2);
    expect(stderr).toContain("--build-every");
    expect(stderr).toContain("60s");
  });

  it("refuses an SLO target that is not a percentage under 100", async () => {
    const { exitCode, stderr } = await serve("--slo-target", "100");
    expect(exitCode).toBe(2);
    expect(stderr).toContain("--slo-target");
    expect(stderr).toContain("99");
  });

  it("refuses an SLO latency that is not a duration", async () => {
    const { exitCode, stderr } = await serve("--slo-latency", "fast");
    expect(exitCode).toBe(2);
    expect(stderr).toContain("--slo-latency");
  });

  it("lists the contract's flags in its help", async () => {
    const io = recordingIO();
    await main(["node", "floe", "serve", "--help"], io);
    const help = io.stdoutText();
    for (const flag of [
      "--host",
      "--port",
      "--no-sink",
      "--no-schedule",
      "--no-maintenance",
      "--no-stream",
      "--no-api",
    ]) {
      expect(help).toContain(flag);
    }
    for (const flag of [
      "--topic-prefix",
      "--prefix",
      "--group",
      "--build-every",
      "--maintain-every",
      "--slo-target",
      "--slo-latency",
      "--slo-window",
      "--slo-burn-scale",
      "--alerts-topic",
    ]) {
      expect(help).toContain(flag);
    }
  });
});
