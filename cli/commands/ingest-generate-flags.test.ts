import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";

/** `floe ingest generate`'s real-time flags: bad combinations are usage errors before Kafka is touched. */
describe("floe ingest generate --realtime flags", () => {
  // Port 1 refuses at once: had a command got as far as Kafka, its error would name Kafka instead.
  const env = { FLOE_KAFKA_BROKERS: "127.0.0.1:1" };
  const run = async (...args: string[]) => {
    const io = recordingIO({ env });
    const exitCode = await main(["node", "floe", "ingest", "generate", ...args], io);
    return { exitCode, stderr: io.stderrText() };
  };

  it("needs --events, unless --realtime --duration sets the count", async () => {
    const none = await run("--rate", "10");
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("--events");
  });

  it("needs --rate with --realtime and with --burst-rate", async () => {
    const realtime = await run("--realtime", "--duration", "1m");
    expect(realtime.exitCode).toBe(2);
    expect(realtime.stderr).toContain("--rate");
    const burst = await run("--events", "10", "--burst-rate", "100");
    expect(burst.exitCode).toBe(2);
    expect(burst.stderr).toContain("--burst-rate");
  });

  it("takes durations like 15m and refuses a burst as long as its period", async () => {
    const bad = await run("--realtime", "--rate", "10", "--duration", "15 minutes");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--duration");
    const long = await run(
      "--realtime",
      "--rate",
      "10",
      "--duration",
      "1m",
      "--burst-rate",
      "50",
      "--burst-for",
      "5m",
    );
    expect(long.exitCode).toBe(2);
    expect(long.stderr).toContain("--burst-for");
  });

  it("refuses --resume of a real-time run", async () => {
    const resumed = await run("--realtime", "--rate", "10", "--duration", "1m", "--resume");
    expect(resumed.exitCode).toBe(2);
    expect(resumed.stderr).toContain("--resume cannot continue a --realtime run");
  });
});
