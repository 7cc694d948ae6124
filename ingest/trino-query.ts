import { createTrinoConnection, type TrinoConnection } from "../trino/index.js";

/**
 * The one place ingest talks to Trino, over the project's typed adapter (`trino/`): Trino errors arrive as
 * `TrinoQueryError`/`TrinoConnectionError`. Rows come back positionally, which suits the short catalog
 * statements and checks ingest runs.
 */
export interface TrinoTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

export const DEFAULT_TRINO: TrinoTarget = {
  host: process.env.FLOE_TRINO_HOST ?? "127.0.0.1",
  port: Number(process.env.FLOE_TRINO_PORT ?? 8080),
  user: process.env.FLOE_TRINO_USER ?? "floe",
};

export type Row = readonly unknown[];

const connections = new Map<string, TrinoConnection>();

export async function trinoQuery(sql: string, target: TrinoTarget = DEFAULT_TRINO): Promise<Row[]> {
  const id = `${target.user}@${target.host}:${target.port}`;
  let connection = connections.get(id);
  if (!connection) {
    connection = createTrinoConnection({ ...target, source: "floe-ingest" });
    connections.set(id, connection);
  }
  const result = await connection.query(sql);
  return result.rows.map((row) => result.columns.map((c) => row[c.name]));
}
