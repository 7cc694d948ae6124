/**
 * Typed errors for the whole toolkit. Every module throws a `FloeError` (or a subclass) carrying what the
 * user needs to act: where (file, line, YAML path), what went wrong, how to fix it, and whether trying
 * again can help (`retriable`, read by the one retry policy in `core/retry.ts`). They are rendered exactly
 * once, at the CLI's edge; library code never prints them. This folder sits below every feature folder:
 * it imports nothing of Floe's.
 */

export interface ErrorLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** A YAML/JSON path inside the file, e.g. `models[2].columns[0].tests`. */
  readonly path?: string;
}

/**
 * 1 = a model, test or run failed; 2 = usage, configuration or environment error (the contract's codes);
 * 3 = an internal error (a bug in Floe, never a FloeError); 130 = interrupted by Ctrl-C (128 + SIGINT).
 */
export type ExitCode = 1 | 2 | 3 | 130;

export interface FloeErrorOptions {
  readonly hint?: string;
  readonly location?: ErrorLocation;
  readonly exitCode?: ExitCode;
  readonly cause?: unknown;
  /** Whether the same call may succeed later (a timeout, a reset connection); default false. */
  readonly retriable?: boolean;
}

export class FloeError extends Error {
  override readonly name: string = "FloeError";
  readonly code: string;
  readonly hint: string | undefined;
  readonly location: ErrorLocation | undefined;
  readonly exitCode: ExitCode;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: FloeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.exitCode = options.exitCode ?? 2;
    this.retriable = options.retriable ?? false;
  }
}

/** Bad flags or arguments. */
export class UsageError extends FloeError {
  override readonly name: string = "UsageError";
  constructor(message: string, options: FloeErrorOptions = {}) {
    super("USAGE", message, { ...options, exitCode: 2, retriable: false });
  }
}

/** A project, profile or YAML file that does not validate. */
export class ConfigError extends FloeError {
  override readonly name: string = "ConfigError";
  constructor(message: string, options: FloeErrorOptions = {}) {
    super("CONFIG", message, { ...options, exitCode: 2, retriable: false });
  }
}

/**
 * The machine lacks something (JDK, free port, Maven Central, a running service). Not retriable unless the
 * thrower says so: a service that is down may come back (`retriable: true`), a missing JDK will not.
 */
export class EnvironmentError extends FloeError {
  override readonly name: string = "EnvironmentError";
  constructor(code: string, message: string, options: FloeErrorOptions = {}) {
    super(code, message, { ...options, exitCode: 2 });
  }
}

/** The user pressed Ctrl-C; running work was cancelled. Exits 130, as a shell reports a SIGINT. */
export class CancelledError extends FloeError {
  override readonly name: string = "CancelledError";
  constructor(message = "Cancelled by the user.") {
    super("CANCELLED", message, { exitCode: 130 });
  }
}

export function isFloeError(error: unknown): error is FloeError {
  return error instanceof FloeError;
}

export function formatLocation(location: ErrorLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  if (location.path !== undefined && location.path !== "") text += ` (at ${location.path})`;
  return text;
}
