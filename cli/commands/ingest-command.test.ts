import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../main.js";

/**
 * The contract's event-time bounds are configured by environment (ingest/event-time.ts). A bad value must
 * stop `floe ingest sink|generate` at start with a usage-class error naming the variable — before any
 * Kafka connection, and never as a reason on every message.
 */
describe("floe ingest with a bad FLOE_EVENT_* variable", () => {
  afterEach(() => {
    delete process.env.FLOE_EVENT_MAX_FUTURE_SKEW;
    delete process.env.FLOE_EVENT_MIN_TIME;
    vi.restoreAllMocks();
  });

  const run = async (...args: string[]) => {
    const err: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    const exitCode = await main(["node", "floe", "ingest", ...args]);
    return { exitCode, stderr: err.join("") };
  };

  it("fails fast (exit 2) naming the variable and the expected form", async () => {
    process.env.FLOE_EVENT_MAX_FUTURE_SKEW = "tomorrow";
    // Port 1 refuses at once: had the command got as far as Kafka, the error would name Kafka instead.
    process.env.FLOE_KAFKA_BROKERS = "127.0.0.1:1";
    try {
      for (const args of [
        ["sink", "--until-idle", "--metrics-port", "0"],
        ["generate", "--events", "1"],
      ]) {
        const { exitCode, stderr } = await run(...args);
        expect(exitCode, args.join(" ")).toBe(2);
        expect(stderr).toContain('FLOE_EVENT_MAX_FUTURE_SKEW="tomorrow": must be a duration like 90s, 30m');
      }
      delete process.env.FLOE_EVENT_MAX_FUTURE_SKEW;
      process.env.FLOE_EVENT_MIN_TIME = "2000-01-01";
      const { exitCode, stderr } = await run("generate", "--events", "1");
      expect(exitCode).toBe(2);
      expect(stderr).toContain('FLOE_EVENT_MIN_TIME="2000-01-01": must be an ISO-8601 UTC instant');
    } finally {
      delete process.env.FLOE_KAFKA_BROKERS;
    }
  });
});
