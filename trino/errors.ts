import { EnvironmentError, FloeError, type FloeErrorOptions } from "../core/errors.js";

/** Where in the submitted SQL Trino located the error (1-based), when it says. */
export interface SqlPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A query Trino accepted and then failed. trino-client reports this in-band (`QueryResult.error`); the
 * adapter turns it into this error exactly once. exitCode 1: it is a run failure, not a usage error.
 */
export class TrinoQueryError extends FloeError {
  override readonly name: string = "TrinoQueryError";
  readonly queryId: string;
  readonly errorName: string;
  readonly errorCode: number;
  readonly errorType: string;
  readonly sql: string;
  readonly position: SqlPosition | undefined;

  constructor(
    details: {
      queryId: string;
      message: string;
      errorName: string;
      errorCode: number;
      errorType: string;
      sql: string;
      position?: SqlPosition;
    },
    options: FloeErrorOptions = {},
  ) {
    super(`TRINO_${details.errorName}`, details.message, {
      exitCode: 1,
      // Only a busy cluster or a failing external system (storage, catalog) may answer differently later.
      retriable: details.errorType === "INSUFFICIENT_RESOURCES" || details.errorType === "EXTERNAL",
      ...options,
    });
    this.queryId = details.queryId;
    this.errorName = details.errorName;
    this.errorCode = details.errorCode;
    this.errorType = details.errorType;
    this.sql = details.sql;
    this.position = details.position;
  }

  /** True when the user's SQL is at fault (syntax, missing table/column, type mismatch). */
  get isUserError(): boolean {
    return this.errorType === "USER_ERROR";
  }
}

/** Trino could not be reached at all (refused, DNS, TLS, timeout) or refused our credentials. */
export class TrinoConnectionError extends EnvironmentError {
  override readonly name: string = "TrinoConnectionError";
  readonly server: string;
  constructor(server: string, reason: string, options: FloeErrorOptions = {}) {
    super("TRINO_UNREACHABLE", `Cannot reach Trino at ${server}: ${reason}.`, {
      hint: "start the local stack with `floe stack up`, or point profiles.yml (host, port, http_scheme) at a running Trino",
      retriable: true,
      ...options,
    });
    this.server = server;
  }
}
