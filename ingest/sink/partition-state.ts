import type { SinkKind } from "../cdc/cdc-topics.js";
import { RowBuffer } from "../row-buffer.js";

/**
 * The bookkeeping of one Kafka partition inside the sink, kept pure so the exactly-once rules can be unit
 * tested without Kafka or S3.
 *
 * Exactly-once raw files (ingest/README.md "Sink", after Confluent's conditional writes and Lenses'
 * per-writer watermarks):
 * - one open file per (event_date, event_type) of the partition; its object key is fixed by its first
 *   offset, and the upload is `If-None-Match: *`, so an object, once written, never changes;
 * - a file rolls on records, bytes or age. Age is wall clock, so after a crash a file with the same first
 *   offset may end elsewhere. Correctness does not depend on the boundaries: on 412 the sink adopts the
 *   existing object's end offset (from its metadata) as this writer's durable watermark, drops buffered
 *   rows up to it and re-keys the rest from the next row;
 * - the Kafka commit is the lowest first offset still buffered or uploading (or the next offset when
 *   nothing is), and it carries in its metadata every writer watermark at or above it, so a restart skips
 *   rows that already sit in a file written after the committed offset.
 */

export interface OpenFile {
  readonly writer: string;
  readonly eventDate: string;
  readonly eventType: string;
  readonly startOffset: bigint;
  endOffset: bigint;
  /** The buffered rows (JSON lines, see parquet-duckdb.ts) with their offsets and Kafka timestamps. */
  readonly rows: RowBuffer;
  bytes: number;
  readonly openedAt: number;
}

export interface RollLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
}

export const writerKey = (eventDate: string, eventType: string) => `${eventDate}/${eventType}`;

export class PartitionState {
  /** One past the last offset handled (written, skipped or dead-lettered). */
  nextOffset: bigint | undefined;
  readonly open = new Map<string, OpenFile>();
  /** Sealed files not yet durable (uploading, or waiting after failed attempts). */
  readonly sealed: OpenFile[] = [];
  /** Offsets dead-lettered but not yet acknowledged by the DLQ topic. */
  readonly deadLetters: bigint[] = [];
  /** Highest offset the DLQ topic acknowledged; a replay does not dead-letter it again. */
  dlqDurable: bigint | undefined;
  /** Writer → last offset known to be in a durable object. */
  readonly durable = new Map<string, bigint>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly kind: SinkKind,
  ) {}

  /** Restores watermarks from the committed offset's metadata (written by `commitMetadata`). */
  restore(metadata: string | null | undefined): void {
    if (!metadata) return;
    try {
      const parsed = JSON.parse(metadata) as { w?: Record<string, string>; d?: string };
      for (const [writer, offset] of Object.entries(parsed.w ?? {})) this.raise(writer, BigInt(offset));
      if (parsed.d !== undefined) this.dlqDurable = BigInt(parsed.d);
    } catch {
      // Metadata written by another tool: no watermarks, the committed offset alone applies.
    }
  }

  raise(writer: string, offset: bigint): void {
    const current = this.durable.get(writer);
    if (current === undefined || offset > current) this.durable.set(writer, offset);
  }

  /** Buffers one row; false when it already sits in a durable file (a replay after a crash or a 412). */
  append(
    offset: bigint,
    eventDate: string,
    eventType: string,
    row: string,
    bytes: number,
    ts: number,
    now: number,
  ): boolean {
    this.handled(offset);
    const writer = writerKey(eventDate, eventType);
    const durable = this.durable.get(writer);
    if (durable !== undefined && offset <= durable) return false;
    let file = this.open.get(writer);
    if (!file) {
      file = {
        writer,
        eventDate,
        eventType,
        startOffset: offset,
        endOffset: offset,
        rows: new RowBuffer(),
        bytes: 0,
        openedAt: now,
      };
      this.open.set(writer, file);
    }
    file.rows.append(offset, ts, row);
    file.endOffset = offset;
    file.bytes += bytes;
    return true;
  }

  /** Marks an offset handled without a row (dead-lettered). */
  handled(offset: bigint): void {
    if (this.nextOffset === undefined || offset + 1n > this.nextOffset) this.nextOffset = offset + 1n;
  }

  /** Writers due to roll now. `all` rolls everything (shutdown, idle, rebalance). */
  due(now: number, limits: RollLimits, all = false): string[] {
    const due: string[] = [];
    for (const [writer, file] of this.open) {
      if (
        all ||
        file.rows.length >= limits.maxRecords ||
        file.bytes >= limits.maxBytes ||
        now - file.openedAt >= limits.maxAgeMs
      ) {
        due.push(writer);
      }
    }
    return due;
  }

  /**
   * When the oldest open file reaches its age limit (ms since epoch), undefined with none open: the sink
   * wakes then rather than on its next tick, so a file rolls at its interval and not up to a tick later.
   */
  rollDeadline(maxAgeMs: number): number | undefined {
    let oldest: number | undefined;
    for (const file of this.open.values())
      if (oldest === undefined || file.openedAt < oldest) oldest = file.openedAt;
    return oldest === undefined ? undefined : oldest + maxAgeMs;
  }

  seal(writer: string): OpenFile | undefined {
    const file = this.open.get(writer);
    if (!file) return undefined;
    this.open.delete(writer);
    this.sealed.push(file);
    return file;
  }

  /** The file is durable (uploaded, or an identical-key object already existed and ends at `durableEnd`). */
  durableFile(file: OpenFile, durableEnd: bigint): OpenFile | undefined {
    const i = this.sealed.indexOf(file);
    if (i >= 0) this.sealed.splice(i, 1);
    this.raise(file.writer, durableEnd);
    this.trimOpen(file.writer, durableEnd);
    if (durableEnd >= file.endOffset) return undefined;
    // A previous attempt wrote a shorter file under this key: the rest becomes a new file starting at the
    // first row after it, exactly as the previous attempt's next file would have.
    const first = firstRowAfter(file.rows, durableEnd);
    if (first >= file.rows.length) return undefined;
    const rows = file.rows.from(first);
    const next: OpenFile = {
      ...file,
      rows,
      startOffset: rows.offset(0),
      bytes: Math.round((file.bytes * rows.length) / file.rows.length),
    };
    this.sealed.push(next);
    return next;
  }

  /** Drops rows of a still-open file that an adopted object already holds. */
  private trimOpen(writer: string, durableEnd: bigint): void {
    const open = this.open.get(writer);
    if (!open || open.startOffset > durableEnd) return;
    this.open.delete(writer);
    const first = firstRowAfter(open.rows, durableEnd);
    if (first >= open.rows.length) return;
    const rows = open.rows.from(first);
    this.open.set(writer, {
      ...open,
      rows,
      startOffset: rows.offset(0),
      bytes: Math.round((open.bytes * rows.length) / open.rows.length),
    });
  }

  /** The offset safe to commit: nothing below it is only in memory. Undefined before the first message. */
  safeOffset(): bigint | undefined {
    let safe = this.nextOffset;
    for (const file of [...this.open.values(), ...this.sealed]) {
      if (safe === undefined || file.startOffset < safe) safe = file.startOffset;
    }
    for (const offset of this.deadLetters) if (safe === undefined || offset < safe) safe = offset;
    return safe;
  }

  /** Watermarks a restart from `committed` needs: writers with durable rows at or after it. */
  commitMetadata(committed: bigint): string {
    const w: Record<string, string> = {};
    for (const [writer, offset] of this.durable) {
      if (offset >= committed) w[writer] = offset.toString();
      else this.durable.delete(writer);
    }
    const d =
      this.dlqDurable !== undefined && this.dlqDurable >= committed ? this.dlqDurable.toString() : undefined;
    return JSON.stringify(d === undefined ? { w } : { w, d });
  }

  /** True when this offset was already acknowledged by the DLQ (a replay): it is only marked handled. */
  alreadyDeadLettered(offset: bigint): boolean {
    return this.dlqDurable !== undefined && offset <= this.dlqDurable;
  }

  deadLettered(offsets: readonly bigint[]): void {
    for (const offset of offsets) {
      const i = this.deadLetters.indexOf(offset);
      if (i >= 0) this.deadLetters.splice(i, 1);
      if (this.dlqDurable === undefined || offset > this.dlqDurable) this.dlqDurable = offset;
    }
  }

  bufferedRecords(): number {
    let n = 0;
    for (const file of [...this.open.values(), ...this.sealed]) n += file.rows.length;
    return n;
  }
}

/** Index of the first row whose offset is above `offset` (rows are in offset order). */
function firstRowAfter(rows: RowBuffer, offset: bigint): number {
  let i = 0;
  while (i < rows.length && rows.offset(i) <= offset) i++;
  return i;
}
