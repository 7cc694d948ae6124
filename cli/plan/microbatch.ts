import { ConfigError, UsageError } from "../../core/errors.js";
import { quoteIdentifier } from "../../trino/dialect.js";
import type { BATCH_SIZES } from "../manifest/config.js";

/**
 * Microbatch (dbt 1.9's `incremental_strategy: microbatch`), the pure part: which time slices a run builds
 * and how an input is filtered to one of them. A batch is a half-open UTC range [start, end) of one
 * `batch_size`. Times are kept as ISO strings without a zone (`2026-12-01T00:00:00`), read and written as UTC,
 * so batches print, compare and record in run_results.json the same everywhere.
 */

export type BatchSize = (typeof BATCH_SIZES)[number];

export interface Batch {
  /** Inclusive, `YYYY-MM-DDTHH:MM:SS` in UTC. */
  readonly start: string;
  /** Exclusive. */
  readonly end: string;
}

export interface MicrobatchConfig {
  readonly event_time?: string | undefined;
  readonly batch_size?: BatchSize | undefined;
  /** How many batches before the current one an incremental run rebuilds (late data); dbt's default 1. */
  readonly lookback?: number | undefined;
  readonly begin?: string | undefined;
}

/** The config keys microbatch needs, checked when the model is planned. */
export interface ResolvedMicrobatch {
  readonly eventTime: string;
  readonly batchSize: BatchSize;
  readonly lookback: number;
  readonly begin: Date;
}

export function resolveMicrobatch(config: MicrobatchConfig, model: string): ResolvedMicrobatch {
  const missing = (["event_time", "batch_size", "begin"] as const).filter((k) => config[k] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `Microbatch model ${model} has no ${missing.join(", ")} (incremental_strategy: microbatch needs event_time, batch_size and begin).`,
      {
        hint: `set ${missing.map((k) => EXAMPLES[k]).join(", ")} in its config.`,
      },
    );
  }
  const begin = parseUtc(config.begin!);
  if (begin === undefined) {
    throw new ConfigError(`Microbatch model ${model}: begin '${config.begin}' is not a date.`, {
      hint: "write begin as a date like '2026-01-01' or a timestamp like '2026-01-01 06:00:00' (UTC).",
    });
  }
  return {
    eventTime: config.event_time!,
    batchSize: config.batch_size!,
    lookback: config.lookback ?? 1,
    begin,
  };
}

const EXAMPLES = {
  event_time: "event_time: <column>",
  batch_size: "batch_size: day",
  begin: "begin: '2026-01-01'",
};

/** `2026-12-01`, `2026-12-01 05:00`, `2026-12-01T05:00:00Z` → that instant in UTC; undefined if not a date. */
export function parseUtc(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|\+00:?00)?$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0"] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Date.UTC rolls 2026-02-31 over into March: a date that does not exist is not a date.
  return date.getUTCDate() === Number(d) && date.getUTCMonth() === Number(mo) - 1 ? date : undefined;
}

/** The start of the batch holding `t`. */
export function truncate(t: Date, size: BatchSize): Date {
  const y = t.getUTCFullYear();
  switch (size) {
    case "hour":
      return new Date(Date.UTC(y, t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()));
    case "day":
      return new Date(Date.UTC(y, t.getUTCMonth(), t.getUTCDate()));
    case "month":
      return new Date(Date.UTC(y, t.getUTCMonth(), 1));
    case "year":
      return new Date(Date.UTC(y, 0, 1));
  }
}

/** `t` moved by `n` batches (n may be negative); `t` is a batch start. */
export function offset(t: Date, size: BatchSize, n: number): Date {
  switch (size) {
    case "hour":
      return new Date(t.getTime() + n * 3_600_000);
    case "day":
      return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + n, t.getUTCHours()));
    case "month":
      return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + n, 1));
    case "year":
      return new Date(Date.UTC(t.getUTCFullYear() + n, 0, 1));
  }
}

/** The end of the batch holding `t`: `t` itself when it starts a batch. */
function ceiling(t: Date, size: BatchSize): Date {
  const start = truncate(t, size);
  return start.getTime() === t.getTime() ? start : offset(start, size, 1);
}

export interface BatchWindow {
  /** Now, for the default range; passed in so planning stays pure. */
  readonly now: Date;
  /** `--event-time-start` / `--event-time-end`: a backfill of exactly this range. */
  readonly eventTimeStart?: Date | undefined;
  readonly eventTimeEnd?: Date | undefined;
  /** True when the table exists and this is not a full refresh: then start = now's batch − lookback. */
  readonly incremental: boolean;
}

/** Caps one run's batches; a typo'd begin (0001-01-01 by the hour) fails fast instead of planning millions. */
export const MAX_BATCHES = 100_000;

/**
 * The batches a run builds, oldest first, as dbt 1.9 chooses them: from `--event-time-start` (truncated to its
 * batch), or else from `begin` on a first run / full refresh, or else from the current batch minus `lookback`
 * batches; up to `--event-time-end`, or else to the end of the current batch (now rounded up). The last batch
 * ends at the range's end, so a backfill never writes past what was asked.
 */
export function planBatches(mb: ResolvedMicrobatch, window: BatchWindow): Batch[] {
  const { batchSize } = mb;
  const end = window.eventTimeEnd ?? ceiling(window.now, batchSize);
  const start =
    window.eventTimeStart !== undefined
      ? truncate(window.eventTimeStart, batchSize)
      : window.incremental
        ? offset(truncate(window.now, batchSize), batchSize, -mb.lookback)
        : truncate(mb.begin, batchSize);
  const batches: Batch[] = [];
  for (let t = start; t < end; ) {
    const next = offset(t, batchSize, 1);
    batches.push({ start: iso(t), end: iso(new Date(Math.min(next.getTime(), end.getTime()))) });
    if (batches.length > MAX_BATCHES) {
      throw new UsageError(
        `Microbatch range ${iso(start)} → ${iso(end)} by ${batchSize} is more than ${MAX_BATCHES} batches.`,
        { hint: "narrow --event-time-start/--event-time-end, use a larger batch_size, or fix begin." },
      );
    }
    t = next;
  }
  return batches;
}

/** `YYYY-MM-DDTHH:MM:SS`, UTC. */
export function iso(t: Date): string {
  return t.toISOString().slice(0, 19);
}

/** A batch bound as a Trino literal: `TIMESTAMP '2026-12-01 00:00:00'`. */
export function timestampLiteral(isoTime: string): string {
  return `TIMESTAMP '${isoTime.replace("T", " ")}'`;
}

/** `"col" >= TIMESTAMP '…' AND "col" < TIMESTAMP '…'`, optionally qualified (`DEST."col"`). */
export function slicePredicate(column: string, batch: Batch, qualifier?: string): string {
  const col = `${qualifier === undefined ? "" : `${qualifier}.`}${quoteIdentifier(column)}`;
  return `${col} >= ${timestampLiteral(batch.start)} AND ${col} < ${timestampLiteral(batch.end)}`;
}

/**
 * An input with an `event_time`, read for one batch: dbt's filter as a subquery in place of the relation.
 * No alias, so `from {{ref "x"}} e` keeps its own (Trino needs none on a subquery in FROM).
 */
export function filteredRelation(relationSql: string, column: string, batch: Batch): string {
  return `(select * from ${relationSql} where ${slicePredicate(column, batch)})`;
}
