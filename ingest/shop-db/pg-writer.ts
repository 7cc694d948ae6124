import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { EnvironmentError, FloeError, UsageError } from "../../core/errors.js";
import { packageRoot } from "../../stack/paths.js";
import { type RowMutation, renderMutations, SHOP_TABLE_NAMES } from "./mutations.js";

/**
 * The shop database behind an interface (`ShopDbWriter`), so the generator's loop can be tested with a
 * recording fake; `pgShopDb` is the real one on the `pg` client. Each `apply` is one round trip: the batch's
 * changes as one SQL text, one implicit transaction. A broken connection is dropped and the next `apply`
 * connects again, so a caller's retry rides out a database restart.
 */
export interface ShopDbWriter {
  /** Connects (creating the tables if missing): a database that is down is found before anything is published. */
  ready(): Promise<void>;
  /** Applies the changes in order, all or none. */
  apply(mutations: readonly RowMutation[]): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_SHOP_DB_URL = "postgres://floe:floe-local-secret@127.0.0.1:5433/shop";

/** `--shop-db`'s URL: the flag's value, else FLOE_SHOP_DB_URL, else the local stack's database. */
export function shopDbUrl(flag: string | true | undefined, env = process.env): string {
  if (typeof flag === "string" && flag !== "") return flag;
  return env.FLOE_SHOP_DB_URL || DEFAULT_SHOP_DB_URL;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(an unparseable URL)";
  }
}

/** A URL the pg client can use, or a usage error that says what is wrong with it. */
export function checkShopDbUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--shop-db: "${redactUrl(url)}" is not a URL.`, {
      hint: "pass postgres://user:password@host:port/database (or set FLOE_SHOP_DB_URL)",
    });
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new UsageError(`--shop-db: ${redactUrl(url)} is not a PostgreSQL URL.`, {
      hint: "pass postgres://user:password@host:port/database (or set FLOE_SHOP_DB_URL)",
    });
  }
}

/** SQLSTATEs a later attempt can get past: serialization failure, deadlock, the server shutting down. */
const RETRIABLE_SQLSTATES = new Set(["40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"]);

/** A pg or network error as Floe's typed error: reachable or not, retriable or not, with the fix. */
export function shopDbError(error: unknown, url: string): FloeError {
  if (error instanceof FloeError) return error;
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : String(error);
  const where = redactUrl(url);
  if (code === "28P01" || code === "28000") {
    return new EnvironmentError(
      "SHOP_DB_AUTH",
      `The shop database at ${where} refused the login: ${message}`,
      {
        hint: "check the user and password in --shop-db / FLOE_SHOP_DB_URL",
        cause: error,
      },
    );
  }
  if (code === "3D000") {
    return new EnvironmentError(
      "SHOP_DB_MISSING",
      `The shop database at ${where} does not exist: ${message}`,
      {
        hint: "create it (`floe stack up` creates `shop`) or fix the database name in the URL",
        cause: error,
      },
    );
  }
  if (/^[0-9A-Z]{5}$/.test(code) && !RETRIABLE_SQLSTATES.has(code)) {
    return new FloeError("SHOP_DB_WRITE", `The shop database at ${where} rejected a change: ${message}`, {
      hint: "the tables may not match stack/postgres/shop-schema.sql; compare them with `\\d` in psql",
      cause: error,
    });
  }
  return new EnvironmentError(
    "SHOP_DB_UNREACHABLE",
    `Cannot reach the shop database at ${where}: ${message}`,
    {
      hint: "start it with `floe stack up`, or point --shop-db / FLOE_SHOP_DB_URL at a running PostgreSQL",
      retriable: true,
      cause: error,
    },
  );
}

export function shopSchemaSql(): string {
  return readFileSync(join(packageRoot(), "stack", "postgres", "shop-schema.sql"), "utf8");
}

/** Creates the shop's tables from the schema file when any is missing (the file is idempotent). */
async function ensureSchema(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ missing: string }>(
    "SELECT t AS missing FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NULL",
    [SHOP_TABLE_NAMES],
  );
  if (rows.length > 0) await client.query(shopSchemaSql());
}

export function pgShopDb(url: string): ShopDbWriter {
  checkShopDbUrl(url);
  let client: pg.Client | undefined;
  const connect = async (): Promise<pg.Client> => {
    if (client) return client;
    const fresh = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    // An idle connection that breaks must not crash the process: the next apply reconnects.
    fresh.on("error", () => {
      if (client === fresh) client = undefined;
    });
    try {
      await fresh.connect();
      await ensureSchema(fresh);
    } catch (error) {
      await fresh.end().catch(() => {});
      throw shopDbError(error, url);
    }
    client = fresh;
    return fresh;
  };
  return {
    async ready() {
      await connect();
    },
    async apply(mutations) {
      const sql = renderMutations(mutations);
      if (sql === "") return;
      const c = await connect();
      try {
        await c.query(sql);
      } catch (error) {
        const typed = shopDbError(error, url);
        if (typed.retriable) {
          client = undefined;
          await c.end().catch(() => {});
        }
        throw typed;
      }
    },
    async close() {
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
