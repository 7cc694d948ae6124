import { BasicAuth, Trino } from "trino-client";
import { EnvironmentError, FloeError } from "../cli/errors.js";

/**
 * The one place ingest talks to Trino. It is deliberately tiny: the lead's typed adapter in `trino/` will
 * replace it (same shape: run one statement, get rows back, typed errors) once it lands on main.
 */
export interface TrinoTarget {
  readonly server: string;
  readonly user: string;
}

export const DEFAULT_TRINO: TrinoTarget = {
  server: process.env.FLOE_TRINO_URL ?? "http://127.0.0.1:8080",
  user: process.env.FLOE_TRINO_USER ?? "floe",
};

export type Row = readonly unknown[];

/** Runs one statement to completion and returns all its rows; a Trino error becomes a FloeError. */
export async function trinoQuery(sql: string, target: TrinoTarget = DEFAULT_TRINO): Promise<Row[]> {
  const client = Trino.create({ server: target.server, auth: new BasicAuth(target.user) });
  const rows: Row[] = [];
  let iter: Awaited<ReturnType<typeof client.query>>;
  try {
    iter = await client.query(sql);
  } catch (error) {
    throw new EnvironmentError("TRINO_UNREACHABLE", `Cannot reach Trino at ${target.server}.`, {
      hint: "start the stack with `floe stack up`",
      cause: error,
    });
  }
  for await (const result of iter) {
    if (result.error) {
      throw new FloeError("TRINO_QUERY", `Trino: ${result.error.message}`, {
        hint: `statement: ${sql.slice(0, 200)}`,
        exitCode: 1,
      });
    }
    for (const row of result.data ?? []) rows.push(row as Row);
  }
  return rows;
}
