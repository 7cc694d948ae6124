/**
 * Comparing the shop database with what its CDC staging models built (pure; the end-to-end tests read both
 * sides). Values are compared as the database's own text (`column::text`), which is what Debezium sends and
 * raw keeps for text, numeric (decimal.handling.mode=string keeps the scale: `12.50`), integer and boolean
 * (`true`/`false`) columns. Instants are the exception: PostgreSQL prints a timestamptz in the session's
 * zone (`2026-12-06 15:34:39.1234+00`), Debezium as ISO-8601 UTC (`2026-12-06T15:34:39.1234Z`) and Trino a
 * warehouse timestamp(3|6) without a zone (`2026-12-06 15:34:39.123400`, UTC), so both sides go through
 * `canonicalInstant`: the same instant, to the microsecond, in one spelling.
 */

/** A row as compared: column → text, null for SQL NULL. */
export type TextRow = Readonly<Record<string, string | null>>;

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Microseconds since the epoch of a timestamp's text. No zone means UTC (the warehouse's timestamps).
 * More than microsecond precision is an error unless the extra digits are zeros: neither PostgreSQL nor
 * Debezium's PostgreSQL connector has it, so such text is not what these tests expect to read.
 */
export function epochMicros(text: string): number {
  const m = INSTANT.exec(text.trim());
  if (!m) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, fraction = "", zone = "Z"] = m;
  if (/[1-9]/.test(fraction.slice(6))) throw new Error(`finer than microseconds: ${JSON.stringify(text)}`);
  const micros = Number(fraction.slice(0, 6).padEnd(6, "0"));
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const sign = zone.startsWith("-") ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
  }
  const seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  return (seconds - offsetMinutes * 60) * 1_000_000 + micros;
}

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ` of a timestamp's text (see `epochMicros`). */
export function canonicalInstant(text: string): string {
  const micros = epochMicros(text);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000).padStart(6, "0");
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** The columns of a row, each as text, instants (`instantColumns`) canonical. A missing column is null. */
export function normaliseRow(
  row: Readonly<Record<string, unknown>>,
  columns: readonly string[],
  instantColumns: ReadonlySet<string>,
): TextRow {
  const out: Record<string, string | null> = {};
  for (const column of columns) {
    const value = row[column];
    if (value === null || value === undefined) out[column] = null;
    else out[column] = instantColumns.has(column) ? canonicalInstant(String(value)) : String(value);
  }
  return out;
}

/** One committed transaction of a script, as the history needs it. */
export interface CommittedTransaction {
  /** PostgreSQL's transaction id (the 32-bit xid, as Debezium's `source.txId`). */
  readonly xid: string;
  /** The keys of one table the transaction changed (inserted, updated or deleted). */
  readonly touched: ReadonlySet<string>;
  /** Those keys' rows as the transaction left them; a key it deleted is absent. */
  readonly after: ReadonlyMap<string, TextRow>;
}

/** One version of a key, as the history model should hold it. */
export interface ExpectedVersion {
  readonly row: TextRow;
  readonly xid: string;
  readonly valid_from: string;
  readonly valid_to: string | null;
  readonly is_current: boolean;
}

/**
 * The SCD2 history the database's transactions imply for one table: per key, one version per transaction
 * that changed the key and left it existing, valid from that transaction's commit time until the commit of
 * the key's next transaction (whatever it did: update, delete, delete and re-insert), open for the last.
 * `commitTime(xid)` is the commit time of a transaction, in canonical form.
 */
export function expectedHistory(
  transactions: readonly CommittedTransaction[],
  commitTime: (xid: string) => string,
): Map<string, ExpectedVersion[]> {
  const history = new Map<string, ExpectedVersion[]>();
  const open = new Map<string, { row: TextRow; xid: string }>();
  const close = (key: string, validTo: string | null) => {
    const version = open.get(key);
    if (!version) return;
    const versions = history.get(key) ?? [];
    versions.push({
      row: version.row,
      xid: version.xid,
      valid_from: commitTime(version.xid),
      valid_to: validTo,
      is_current: validTo === null,
    });
    history.set(key, versions);
    open.delete(key);
  };
  for (const tx of transactions) {
    for (const key of tx.touched) {
      close(key, commitTime(tx.xid));
      const row = tx.after.get(key);
      if (row) open.set(key, { row, xid: tx.xid });
    }
  }
  for (const key of [...open.keys()]) close(key, null);
  return history;
}
