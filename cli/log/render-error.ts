import { type FloeError, formatLocation, isFloeError } from "../../core/errors.js";

/**
 * The one place errors become text. A FloeError is one line — location, message, fix — because that is what
 * a user scanning a terminal or a CI log needs. Anything else is a bug in Floe: show its stack so it can be
 * reported.
 */
export function renderError(error: unknown): { text: string; exitCode: 1 | 2 } {
  if (isFloeError(error)) return { text: renderFloeError(error), exitCode: error.exitCode };
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    text: `floe: internal error (please report it): ${stack}`,
    exitCode: 2,
  };
}

export function renderFloeError(error: FloeError): string {
  const where = error.location ? `${formatLocation(error.location)}: ` : "";
  const fix = error.hint ? ` Fix: ${error.hint}` : "";
  return `Error [${error.code}] ${where}${error.message}${fix}`;
}

/**
 * `--log-format json`: the same error as one JSON line (`level: "error"`, `event: "error"`), so a reader of
 * the JSON log never meets a plain-text line, a fatal one included.
 */
export function renderErrorJson(error: unknown, now: Date = new Date()): { text: string; exitCode: 1 | 2 } {
  const base = { ts: now.toISOString(), level: "error", event: "error" };
  if (isFloeError(error)) {
    const line = {
      ...base,
      code: error.code,
      message: error.message,
      ...(error.location ? { location: error.location } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
      exitCode: error.exitCode,
      retriable: error.retriable,
    };
    return { text: JSON.stringify(line), exitCode: error.exitCode };
  }
  const line = {
    ...base,
    code: "INTERNAL",
    message: `internal error (please report it): ${error instanceof Error ? error.message : String(error)}`,
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    exitCode: 2,
  };
  return { text: JSON.stringify(line), exitCode: 2 };
}
