import { describe, expect, it } from "vitest";
import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import { renderError } from "../log/render-error.js";
import { main } from "../main.js";
import { recordingIO } from "../testing/recording-io.js";
import {
  DURATION,
  describeAccepted,
  flagListParser,
  flagParser,
  oneOf,
  PORT,
  parseFlags,
  positiveInt,
  readFlag,
} from "./flag-values.js";

/** The rendered error a call throws (one line: `Error [USAGE] … Fix: …`). */
function rendered(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return renderError(error).text;
  }
  throw new Error("expected a UsageError");
}

describe("reading one flag", () => {
  it("converts a good value and names the flag, the value and a fix for a bad one", () => {
    expect(readFlag("--threads", "4", positiveInt("4"))).toBe(4);
    for (const bad of ["0", "-2", "1.5", "x", ""]) {
      expect(rendered(() => readFlag("--threads", bad, positiveInt("4")))).toBe(
        `Error [USAGE] --threads must be a positive integer, got '${bad}'. Fix: pass e.g. --threads 4.`,
      );
    }
    expect(rendered(() => flagParser("--port", PORT)("70000"))).toBe(
      "Error [USAGE] --port must be a port number (0–65535), got '70000'. Fix: pass e.g. --port 8580 (0 picks a free port).",
    );
    expect(rendered(() => readFlag("--output", "xml", oneOf(["name", "json"], "json")))).toBe(
      "Error [USAGE] --output must be one of name, json, got 'xml'. Fix: pass e.g. --output json.",
    );
  });

  it("collects a variadic flag's values, checking each", () => {
    const parse = flagListParser("--resource-type", oneOf(["model", "seed"], "model"));
    expect(parse("seed", parse("model", undefined))).toEqual(["model", "seed"]);
    expect(rendered(() => parse("view", ["model"]))).toContain("--resource-type must be one of model, seed");
  });

  it("reads durations as milliseconds (bare numbers are seconds)", () => {
    const ms = (text: string) => readFlag("--flush-interval", text, DURATION);
    expect([ms("60s"), ms("500ms"), ms("2m"), ms("1h"), ms("1.5"), ms(" 10s ")]).toEqual([
      60_000, 500, 120_000, 3_600_000, 1_500, 10_000,
    ]);
    expect(rendered(() => ms("5x"))).toBe(
      "Error [USAGE] --flush-interval must be a duration (a number with ms, s, m or h; seconds without), got '5x'. Fix: pass e.g. --flush-interval 60s.",
    );
  });
});

describe("parsing a command's flags with one zod object", () => {
  const num = z.coerce.number();
  const schema = z.object({
    events: num.int().positive(),
    flushRecords: num.int().positive().default(100_000),
    late: num.min(0).max(1).default(0),
    metricsPort: num.int().min(0).max(65_535).default(9464),
    start: z.iso.datetime().optional(),
    topics: z.array(z.string().min(1)).optional(),
  });

  it("returns the typed flags, defaults filled in", () => {
    expect(parseFlags(schema, { events: "10", late: "0.5" }, "ingest generate")).toEqual({
      events: 10,
      flushRecords: 100_000,
      late: 0.5,
      metricsPort: 9464,
    });
  });

  it("reports the first bad flag in the same style, its default as the example, else the command's help", () => {
    const bad = (raw: Record<string, unknown>) => rendered(() => parseFlags(schema, raw, "ingest sink"));
    expect(bad({ events: "10", flushRecords: "x" })).toBe(
      "Error [USAGE] --flush-records must be a positive integer, got 'x'. Fix: pass e.g. --flush-records 100000.",
    );
    expect(bad({ events: "0" })).toBe(
      "Error [USAGE] --events must be a positive integer, got '0'. Fix: see `floe ingest sink --help`.",
    );
    expect(bad({ events: "1", late: "2" })).toContain("--late must be a number from 0 to 1, got '2'.");
    expect(bad({ events: "1", metricsPort: "-1" })).toContain(
      "--metrics-port must be an integer from 0 to 65535, got '-1'.",
    );
    expect(bad({ events: "1", start: "yesterday" })).toContain("--start must be an ISO 8601 date-time");
    expect(bad({ events: "1", topics: ["a", ""] })).toContain(
      "--topics must be a list of values, each a non-empty string, got 'a '.",
    );
  });
});

describe("describeAccepted", () => {
  it("says what a number schema accepts in words", () => {
    expect(describeAccepted({ type: "integer", minimum: 1 })).toBe("an integer at least 1");
    expect(describeAccepted({ type: "number", exclusiveMinimum: 0, exclusiveMaximum: 5 })).toBe(
      "a number greater than 0 and less than 5",
    );
    expect(describeAccepted({ type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 })).toBe(
      "an integer",
    );
  });
});

describe("bad flags through the CLI", () => {
  it("exit 2 with the one error line on stderr, before any project is read", async () => {
    for (const [args, line] of [
      [
        ["run", "--threads", "0"],
        "--threads must be a positive integer, got '0'. Fix: pass e.g. --threads 4.",
      ],
      [["ls", "--log-format", "xml"], "--log-format must be one of text, json, got 'xml'."],
      [["ls", "--output", "xml"], "--output must be one of name, path, selector, json, got 'xml'."],
      [["stack", "logs", "-n", "x"], "--lines must be a positive integer, got 'x'."],
      [["ingest", "sink", "--metrics-port", "70000"], "--metrics-port must be an integer from 0 to 65535"],
    ] as const) {
      const io = recordingIO({ cwd: "/nonexistent" });
      expect(await main(["node", "floe", ...args], io)).toBe(2);
      expect(io.stdoutText()).toBe("");
      expect(io.stderrText()).toMatch(/^Error \[USAGE\] .*\n$/);
      expect(io.stderrText()).toContain(line);
    }
  });
});

describe("--event-time-start/--event-time-end", () => {
  it("reads a UTC date or time, and names the flag and an example when it is not one", async () => {
    const { UTC_TIME, readFlag } = await import("./flag-values.js");
    expect(readFlag("--event-time-start", "2026-12-01T06:30:00", UTC_TIME).toISOString()).toBe(
      "2026-12-01T06:30:00.000Z",
    );
    const io = recordingIO();
    expect(await main(["node", "floe", "run", "--event-time-end", "2026-13-01"], io)).toBe(2);
    expect(io.stderrText()).toContain(
      "--event-time-end must be a UTC date or timestamp (2026-12-01 or 2026-12-01T06:00:00), got '2026-13-01'",
    );
  });
});
