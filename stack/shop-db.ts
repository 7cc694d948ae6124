import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { EnvironmentError, FloeError } from "../core/errors.js";
import { PORTS, SHOP_DB } from "./services.js";

/**
 * The shop database's setup on the stack's own PostgreSQL, and the CDC teardown for any shop database.
 * Every step is idempotent: `floe stack up` runs it on each start, before the Debezium connector starts.
 */

/** A SQL identifier or literal of our own constants, quoted (they are fixed names, not user input). */
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The statements, as superuser, that make role `floe` (LOGIN REPLICATION) and its database `shop`. */
export function roleStatements(exists: { role: boolean; database: boolean }): string[] {
  const statements: string[] = [];
  const role = `${ident(SHOP_DB.user)} WITH LOGIN REPLICATION PASSWORD ${literal(SHOP_DB.password)}`;
  statements.push(exists.role ? `ALTER ROLE ${role}` : `CREATE ROLE ${role}`);
  if (!exists.database)
    statements.push(`CREATE DATABASE ${ident(SHOP_DB.database)} OWNER ${ident(SHOP_DB.user)}`);
  return statements;
}

/**
 * The shop's SQL files, in order: the tables (shop-schema.sql, which the event generator may apply too)
 * and Debezium's publication (publication.autocreate.mode=disabled: Floe owns it). docker-compose.yml
 * mounts the same two files into the postgres image's init folder.
 */
export const SHOP_SQL_FILES = ["shop-schema.sql", "shop-publication.sql"] as const;

export function shopSql(home: string, file: (typeof SHOP_SQL_FILES)[number]): string {
  return readFileSync(join(home, "stack", "postgres", file), "utf8");
}

const localUrl = (user: string, database: string) =>
  `postgres://${user}:${SHOP_DB.password}@127.0.0.1:${PORTS.postgres}/${database}`;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Role, database, tables and publication on the local cluster. The SQL is applied as `floe`, so `floe`
 * owns the tables (and may put them in its publication).
 */
export async function provisionShopDatabase(home: string): Promise<void> {
  try {
    await withClient(localUrl(SHOP_DB.superuser, "postgres"), async (admin) => {
      const role = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [SHOP_DB.user]);
      const db = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [SHOP_DB.database]);
      for (const sql of roleStatements({ role: role.rowCount === 1, database: db.rowCount === 1 }))
        await admin.query(sql);
    });
    await withClient(localUrl(SHOP_DB.user, SHOP_DB.database), async (shop) => {
      for (const file of SHOP_SQL_FILES) await shop.query(shopSql(home, file));
    });
  } catch (error) {
    throw new EnvironmentError(
      "SHOP_DB_SETUP_FAILED",
      `Could not set up the shop database on 127.0.0.1:${PORTS.postgres}: ${(error as Error).message}`,
      {
        hint: "read `floe stack logs postgres`; `floe stack reset` starts from an empty cluster",
        cause: error,
      },
    );
  }
}

export interface CdcTeardownResult {
  readonly slot: "dropped" | "absent";
  readonly publication: "dropped" | "absent";
}

/**
 * Drops Debezium's replication slot and Floe's publication on a shop database (local or production), so
 * no slot is left pinning WAL once CDC is retired. Refuses while a consumer still reads the slot: stop the
 * connector first (`floe stack down`, or delete it from your Connect cluster).
 */
export async function teardownCdc(
  url: string,
  names: { slot: string; publication: string } = SHOP_DB,
): Promise<CdcTeardownResult> {
  try {
    return await dropSlotAndPublication(url, names);
  } catch (error) {
    if (error instanceof FloeError) throw error;
    throw new EnvironmentError(
      "SHOP_DB_UNREACHABLE",
      `Could not tear down CDC on ${redactUrl(url)}: ${(error as Error).message}`,
      {
        hint: "check the URL (--db-url or FLOE_SHOP_DB_URL); the user needs REPLICATION and must own the publication",
        cause: error,
      },
    );
  }
}

/** A database URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the shop database";
  }
}

async function dropSlotAndPublication(
  url: string,
  names: { slot: string; publication: string },
): Promise<CdcTeardownResult> {
  return withClient(url, async (client) => {
    const slots = await client.query<{ active: boolean }>(
      "SELECT active FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()",
      [names.slot],
    );
    if (slots.rows[0]?.active) {
      throw new EnvironmentError(
        "SLOT_ACTIVE",
        `Replication slot ${names.slot} is still being read by a CDC connector.`,
        {
          hint: "stop the connector first (`floe stack down` for the local stack), then run `floe stack cdc-teardown` again",
        },
      );
    }
    if (slots.rowCount === 1) await client.query("SELECT pg_drop_replication_slot($1)", [names.slot]);
    const pub = await client.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [names.publication]);
    if (pub.rowCount === 1) await client.query(`DROP PUBLICATION ${ident(names.publication)}`);
    return {
      slot: slots.rowCount === 1 ? "dropped" : "absent",
      publication: pub.rowCount === 1 ? "dropped" : "absent",
    };
  });
}
