import { type ExitCode, type FloeError, formatLocation, isFloeError } from "../../core/errors.js";
import { jsonLine } from "./json-line.js";

/**
 * The one place errors become text. A FloeError is one line — location, message, fix — because that is what
 * a user scanning a terminal or a CI log needs. Anything else is a bug in Floe: show its stack so it can be
 * reported.
 */
export function renderError(error: unknown): { text: string; exitCode: ExitCode } {
  if (isFloeError(error)) return { text: renderFloeError(error), exitCode: error.exitCode };
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    text: `floe: internal error (please report it): ${stack}`,
    // 3, not 2: a script can tell a bug in Floe from a mistake in its own flags or project.
    exitCode: 3,
  };
}

export function renderFloeError(error: FloeError): string {
  const where = error.location ? `${formatLocation(error.location)}: ` : "";
  const fix = error.hint ? ` Fix: ${error.hint}` : "";
  return `Error [${error.code}] ${where}${error.message}${fix}`;
}

/**
 * `--log-format json`: the same error as one JSON line (`level: "error"`, `event: "error"`, dbt's `msg`), so
 * a reader of the JSON log never meets a plain-text line, a fatal one included.
 */
export function renderErrorJson(
  error: unknown,
  now: Date = new Date(),
): { text: string; exitCode: ExitCode } {
  if (isFloeError(error)) {
    const fields = {
      event: "error",
      code: error.code,
      msg: error.message,
      ...(error.location ? { location: error.location } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
      exit_code: error.exitCode,
      retriable: error.retriable,
    };
    return { text: jsonLine("error", fields, now).trimEnd(), exitCode: error.exitCode };
  }
  const fields = {
    event: "error",
    code: "INTERNAL",
    msg: `internal error (please report it): ${error instanceof Error ? error.message : String(error)}`,
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    exit_code: 3,
  };
  return { text: jsonLine("error", fields, now).trimEnd(), exitCode: 3 };
}
