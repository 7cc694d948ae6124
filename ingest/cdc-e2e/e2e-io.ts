import { DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type pg from "pg";
import { endpointsFromEnv, kafkaClient, s3Client } from "../endpoints.js";
import { testTrino, trinoQuery } from "../int-helpers.js";
import { normaliseRow, type TextRow } from "./db-compare.js";

/**
 * What the CDC end-to-end tests do on the real stack besides the sink and the build: read the shop
 * database's rows as text, start a consumer group at the topics' ends, wait for a transaction in raw, and
 * clean up a run's raw tables and objects. Each test uses ids, groups, prefixes and schemas of its own.
 */

export const SHOP_DB_URL =
  process.env.FLOE_SHOP_DB_URL ?? "postgres://floe:floe-local-secret@127.0.0.1:5433/shop";

/**
 * Commits a new consumer group's offsets at the topics' current ends, so a sink in that group reads only
 * the changes made from now on (the shared `db.*` topics hold every other test's changes, and older
 * shapes of the tables). The group must have no member yet.
 */
export async function startGroupAtEnd(groupId: string, topics: readonly string[]): Promise<void> {
  const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** The timestamptz columns of a table of the shop database, which `normaliseRow` compares as instants. */
export async function instantColumns(db: pg.ClientBase, table: string): Promise<Set<string>> {
  const result = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = $1 AND data_type = 'timestamp with time zone'`,
    [table],
  );
  return new Set(result.rows.map((r) => r.column_name));
}

/**
 * The rows of a table whose key starts with `idPrefix`: `columns` as the database's text (`::text`),
 * normalised; key → row. Inside an open transaction it sees that transaction's changes.
 */
export async function databaseRows(
  db: pg.ClientBase,
  table: string,
  columns: readonly string[],
  instants: ReadonlySet<string>,
  idPrefix: string,
): Promise<Map<string, TextRow>> {
  const key = columns[0] as string;
  const list = columns.map((c) => `${db.escapeIdentifier(c)}::text AS ${db.escapeIdentifier(c)}`).join(", ");
  const result = await db.query<Record<string, string | null>>(
    `SELECT ${list} FROM ${db.escapeIdentifier(table)} WHERE starts_with(${db.escapeIdentifier(key)}, $1)`,
    [idPrefix],
  );
  return new Map(result.rows.map((r) => [String(r[key]), normaliseRow(r, columns, instants)]));
}

/** Waits until raw `db_<table>` holds a change of transaction `xid` (Trino errors count as not yet). */
export async function waitForTransaction(
  schema: string,
  table: string,
  xid: string,
  timeoutMs: number,
): Promise<void> {
  const sql = `SELECT count(*) FROM hive.${schema}.db_${table} WHERE _tx_id = ${BigInt(xid)}`;
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const rows = await trinoQuery(sql).catch(() => [[0]]);
    if (Number(rows[0]?.[0]) > 0) return;
    if (Date.now() > deadline)
      throw new Error(`transaction ${xid} did not reach raw db_${table} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** Drops a run's raw CDC tables (external: the files stay) and then its Hive schema. */
export async function dropCdcRawTables(schema: string, tables: readonly string[]): Promise<void> {
  for (const t of tables)
    await testTrino.query(`DROP TABLE IF EXISTS hive.${schema}.db_${t}`).catch(() => {});
  await testTrino.query(`DROP SCHEMA IF EXISTS hive.${schema}`).catch(() => {});
}

/** Deletes every object under a test run's prefix (raw files and the sink's column markers). */
export async function deleteTestObjects(prefix: string): Promise<void> {
  if (!prefix.startsWith("test-raw/") || prefix.length <= "test-raw/".length)
    throw new Error(`refusing to delete outside a test run's prefix: ${prefix}`);
  const endpoints = endpointsFromEnv();
  const s3 = s3Client(endpoints);
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: endpoints.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: endpoints.bucket, Delete: { Objects: keys } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
