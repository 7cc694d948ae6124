import { CancelledError } from "../../core/errors.js";
import { cancelOnSigint } from "../../trino/cancel-on-sigint.js";
import { createTrinoConnection, type TrinoConnection } from "../../trino/connection.js";
import type { TargetConfig } from "../compile/compile.js";

/** The Trino connection a profile target describes (`timeZone` pins the session time zone). */
export function connectTarget(target: TargetConfig, options: { timeZone?: string } = {}): TrinoConnection {
  let password = target.password;
  let user = target.user;
  let accessToken: string | undefined;
  if (target.auth?.method === "basic") {
    password = target.auth.password;
    user = target.auth.user ?? user;
  } else if (target.auth?.method === "jwt") {
    // Trino's JWT authenticator reads the token from `Authorization: Bearer`; the user stays X-Trino-User.
    accessToken = target.auth.token;
    password = undefined;
  }
  const sessionProperties = Object.fromEntries(
    Object.entries(target.session_properties ?? {}).map(([k, v]) => [k, String(v)]),
  );
  return createTrinoConnection({
    host: target.host,
    port: target.port,
    user,
    httpScheme: target.http_scheme,
    ...(password === undefined ? {} : { password }),
    ...(accessToken === undefined ? {} : { accessToken }),
    catalog: target.catalog,
    schema: target.schema,
    sessionProperties,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
}

/** Where new schemas are placed: the target's `location_root`, else the local stack's warehouse. */
export function locationRootOf(target: TargetConfig): string | undefined {
  const root = (target as { location_root?: unknown }).location_root;
  return typeof root === "string" && root !== "" ? root : undefined;
}

/**
 * Runs `work` with Ctrl-C wired to cancel the connection's queries (and abort the signal), telling the
 * user through `notice`; without a connection (e.g. --no-engine) it just runs.
 */
export async function withSigintCancel<T>(
  connection: TrinoConnection | undefined,
  notice: (text: string) => void,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const release = connection ? cancelOnSigint(connection, controller, notice) : () => {};
  try {
    const result = await work(controller.signal);
    // Cut short by Ctrl-C: what `work` returned is partial, and the exit code must say so (130).
    if (controller.signal.aborted)
      throw new CancelledError("Cancelled by the user (Ctrl-C); running queries were cancelled.");
    return result;
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof CancelledError))
      throw new CancelledError("Cancelled by the user (Ctrl-C); running queries were cancelled.");
    throw error;
  } finally {
    release();
  }
}
