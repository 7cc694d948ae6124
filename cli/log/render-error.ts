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
