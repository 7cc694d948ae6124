import { describe, expect, it } from "vitest";
import { ConfigError, EnvironmentError } from "../../core/errors.js";
import { renderError, renderErrorJson } from "./render-error.js";

describe("renderError", () => {
  it("renders a FloeError as one line with location and fix", () => {
    const error = new ConfigError("`threads` must be a positive integer.", {
      location: { file: "profiles.yml", line: 4, path: "shop.outputs.dev.threads" },
      hint: "set threads: 4",
    });
    const { text, exitCode } = renderError(error);
    expect(text).toBe(
      "Error [CONFIG] profiles.yml:4 (at shop.outputs.dev.threads): `threads` must be a positive integer. Fix: set threads: 4",
    );
    expect(text.includes("\n")).toBe(false);
    expect(exitCode).toBe(2);
  });

  it("keeps the exit code of the error", () => {
    expect(renderError(new EnvironmentError("PORT_IN_USE", "Port 8080 is taken.")).exitCode).toBe(2);
  });

  it("shows a stack for unexpected errors, which exit 3 (not 2: usage and config stay 2)", () => {
    const { text, exitCode } = renderError(new TypeError("boom"));
    expect(exitCode).toBe(3);
    expect(text).toContain("internal error");
    expect(text).toContain("TypeError: boom");
  });

  it("renders as one JSON line for --log-format json, internal errors included", () => {
    const error = new ConfigError("bad.", { location: { file: "f.yml", line: 2 }, hint: "fix it." });
    const { text, exitCode } = renderErrorJson(error, new Date("2026-01-01T00:00:00Z"));
    expect(text.includes("\n")).toBe(false);
    expect(JSON.parse(text)).toEqual({
      ts: "2026-01-01T00:00:00.000Z",
      level: "error",
      invocation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event: "error",
      code: "CONFIG",
      msg: "bad.",
      location: { file: "f.yml", line: 2 },
      hint: "fix it.",
      exit_code: 2,
      retriable: false,
    });
    expect(exitCode).toBe(2);
    const internal = JSON.parse(renderErrorJson(new TypeError("boom")).text);
    expect(internal).toMatchObject({ code: "INTERNAL", level: "error", exit_code: 3 });
    expect(internal.stack).toContain("TypeError: boom");
  });
});
