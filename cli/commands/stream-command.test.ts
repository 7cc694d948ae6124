import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

/** `floe stream`'s flags are checked before it connects to anything: bad values are usage errors (exit 2). */
describe("floe stream flags", () => {
  const stream = async (...args: string[]) => {
    const io = recordingIO();
    const exitCode = await main(["node", "floe", "stream", ...args], io);
    return { exitCode, stderr: io.stderrText() };
  };

  it("refuses an event topic that names no contract", async () => {
    const { exitCode, stderr } = await stream("--topics", "clicks");
    expect(exitCode).toBe(2);
    expect(stderr).toContain('"clicks" names no event contract');
    expect(stderr).toContain("user-events");
  });

  it("refuses a Redis URL that is not one", async () => {
    const { exitCode, stderr } = await stream("--redis-url", "localhost 6380");
    expect(exitCode).toBe(2);
    expect(stderr).toContain("redis://");
  });
});
