import { randomBytes } from "node:crypto";
import { constants, existsSync, mkdirSync, read, readdirSync, readFileSync, write } from "node:fs";
import { type FileHandle, open, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { FloeError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { decodeFrames, encodeFrames, frameBytes, type NewRecord, type SpoolRecord } from "./spool-format.js";

/**
 * The API's durable local spool: append-only segment files of CRC-framed records (spool-format.ts) and a
 * cursor file. An accepted request is answered only once `append` resolves, which is after its frames were
 * written and fdatasync'ed; appends that arrive while a sync runs are written together by the next one
 * (group commit: one fsync for every request waiting). The spool is bounded by the bytes not yet
 * acknowledged by Kafka: beyond `maxBytes` an append fails with `SpoolFull` (the API's 503), so a long
 * Kafka outage fills a known amount of disk and then refuses instead of accepting what it cannot keep.
 *
 * `cursor.json` holds the spool's id (sent as a Kafka header, so a restart can recognise its own
 * messages), the last sequence number Kafka acknowledged, and the forwarder's Kafka offsets (from where
 * a restart looks for records that reached Kafka after the cursor was written). Segments wholly at or
 * below the cursor are deleted.
 */

export class SpoolFull extends FloeError {
  constructor(pendingBytes: number, maxBytes: number) {
    super("SPOOL_FULL", `The spool holds ${pendingBytes} bytes not yet in Kafka (limit ${maxBytes}).`, {
      hint: "Kafka is unreachable or slow; retry after the Retry-After delay",
      exitCode: 2,
      retriable: true,
    });
  }
}

export class SpoolClosed extends FloeError {
  constructor() {
    super("SPOOL_CLOSED", "The spool is closed (the API is shutting down).", {
      hint: "retry against a running instance",
      exitCode: 2,
      retriable: true,
    });
  }
}

const cursorSchema = z.object({
  id: z.string().min(1),
  acked: z.string().regex(/^\d+$/),
  /** topic:partition → the offset after the last message this spool is known to have there. */
  offsets: z.record(z.string(), z.number().int().nonnegative()),
});
export type SpoolCursor = z.infer<typeof cursorSchema>;

export interface SpoolOptions {
  readonly dir: string;
  /** Bound on bytes appended but not yet acknowledged (default 256 MiB). */
  readonly maxBytes?: number;
  /** A segment rolls once it is this large (default 16 MiB). */
  readonly segmentBytes?: number;
  /** false skips fdatasync (benchmarks of everything else only; never in the API). */
  readonly sync?: boolean;
  /** How long an acknowledgement may wait before the cursor file is rewritten (default 200 ms). */
  readonly cursorSaveMs?: number;
}

interface Segment {
  readonly firstSeq: bigint;
  readonly path: string;
  /** Bytes of valid frames. */
  bytes: number;
  lastSeq: bigint;
}

interface Waiter {
  readonly frames: Buffer;
  readonly lastSeq: bigint;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const SEGMENT_SUFFIX = ".spool";
const segmentName = (firstSeq: bigint) => `${firstSeq.toString().padStart(20, "0")}${SEGMENT_SUFFIX}`;

export class Spool {
  private readonly segments: Segment[] = [];
  private current: FileHandle | undefined;
  private queue: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private nextSeq: bigint;
  private durable: bigint;
  private pending: number;
  /** Where `read` continues: the next sequence number, its segment and byte position. */
  private readSeq: bigint;
  private readSegment = 0;
  private readPosition = 0;
  private closed = false;
  /** Writes (each one fdatasync) so far: fewer than appends when group commit works. */
  syncs = 0;
  private appended: (() => void)[] = [];
  /** The segment being read, kept open between reads. */
  private reader: { path: string; handle: FileHandle } | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  /** The cursor save running, if any (saves are chained). */
  private saving: Promise<void> = Promise.resolve();
  private readonly cursorSaveMs: number;
  readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly sync: boolean;

  private constructor(
    private readonly dir: string,
    private cursorValue: SpoolCursor,
    options: SpoolOptions,
    recovered: { segments: Segment[]; pendingBytes: number },
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    this.sync = options.sync ?? true;
    this.cursorSaveMs = options.cursorSaveMs ?? 200;
    this.segments = recovered.segments;
    const acked = BigInt(cursorValue.acked);
    const last = this.segments.at(-1)?.lastSeq ?? acked;
    this.nextSeq = (last > acked ? last : acked) + 1n;
    this.durable = this.nextSeq - 1n;
    this.pending = recovered.pendingBytes;
    this.readSeq = acked + 1n;
  }

  /** Opens (or creates) the spool in `dir`, truncating a torn tail left by a crash. */
  static async open(options: SpoolOptions): Promise<Spool> {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const cursorPath = join(options.dir, "cursor.json");
    const cursor: SpoolCursor = existsSync(cursorPath)
      ? cursorSchema.parse(JSON.parse(readFileSync(cursorPath, "utf8")))
      : { id: randomBytes(8).toString("hex"), acked: "0", offsets: {} };
    if (!existsSync(cursorPath)) writeFileAtomic(cursorPath, JSON.stringify(cursor));
    const acked = BigInt(cursor.acked);
    const segments: Segment[] = [];
    let pendingBytes = 0;
    const names = readdirSync(options.dir)
      .filter((n) => n.endsWith(SEGMENT_SUFFIX))
      .sort();
    for (const name of names) {
      const path = join(options.dir, name);
      const firstSeq = BigInt(name.slice(0, -SEGMENT_SUFFIX.length));
      const scan = await scanSegment(path, acked);
      pendingBytes += scan.pendingBytes;
      if (scan.records === 0) {
        await rm(path, { force: true });
        continue;
      }
      segments.push({ firstSeq, path, bytes: scan.bytes, lastSeq: scan.lastSeq });
    }
    const spool = new Spool(options.dir, cursor, options, { segments, pendingBytes });
    return spool;
  }

  get id(): string {
    return this.cursorValue.id;
  }

  get cursor(): SpoolCursor {
    return this.cursorValue;
  }

  /** Bytes and records appended but not yet acknowledged. */
  depth(): { bytes: number; records: number } {
    return { bytes: this.pending, records: Number(this.nextSeq - 1n - BigInt(this.cursorValue.acked)) };
  }

  /** Whether an append of `bytes` more would be refused. */
  wouldOverflow(bytes: number): boolean {
    return this.pending + bytes > this.maxBytes;
  }

  /**
   * Appends records; resolves once they are on disk (fdatasync), with their sequence numbers. Throws
   * `SpoolFull` at once when they do not fit: nothing of a refused call is written.
   */
  append(records: readonly NewRecord[]): Promise<{ first: bigint; last: bigint }> {
    if (this.closed) return Promise.reject(new SpoolClosed());
    if (records.length === 0) return Promise.resolve({ first: this.nextSeq, last: this.nextSeq - 1n });
    let bytes = 0;
    for (const r of records) bytes += frameBytes(r);
    if (this.wouldOverflow(bytes)) return Promise.reject(new SpoolFull(this.pending, this.maxBytes));
    // Numbers are given here, synchronously, so the file's order is the order of the calls.
    const first = this.nextSeq;
    const frames = encodeFrames(records, first);
    this.nextSeq += BigInt(records.length);
    this.pending += bytes;
    const last = this.nextSeq - 1n;
    return new Promise((resolve, reject) => {
      this.queue.push({ frames, lastSeq: last, resolve: () => resolve({ first, last }), reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Group commit: everything queued since the last sync goes out in one write and one fdatasync. */
  private async writeQueued(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const handle = await this.segmentFor();
      const data =
        batch.length === 1 ? (batch[0] as Waiter).frames : Buffer.concat(batch.map((w) => w.frames));
      // With sync the segment is open with O_DSYNC: a write returns once its data is on stable storage, as
      // write + fdatasync did, in one call to the thread pool instead of two.
      let written = 0;
      while (written < data.length) written += await writeAt(handle.fd, data, written);
      this.syncs++;
      const segment = this.segments.at(-1) as Segment;
      segment.bytes += data.length;
      segment.lastSeq = (batch.at(-1) as Waiter).lastSeq;
      this.durable = segment.lastSeq;
    } catch (error) {
      // A failed write or sync leaves the file's tail unknown: refuse everything from here on (the API
      // answers 503) rather than acknowledge records that may sit after a hole.
      this.closed = true;
      for (const w of batch) w.reject(error);
      for (const w of this.queue.splice(0)) w.reject(error);
      return;
    }
    for (const w of batch) w.resolve();
    for (const notify of this.appended.splice(0)) notify();
  }

  /** The segment to append to: the open one, or a new one named by the batch's first number. */
  private async segmentFor(): Promise<FileHandle> {
    const last = this.segments.at(-1);
    if (this.current && last && last.bytes < this.segmentBytes) return this.current;
    await this.current?.close();
    // Batches are written one after another, so the batch's first record follows the last durable one.
    const firstSeq = this.durable + 1n;
    const path = join(this.dir, segmentName(firstSeq));
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;
    this.current = await open(path, this.sync ? flags | constants.O_DSYNC : flags, 0o600);
    this.segments.push({ firstSeq, path, bytes: 0, lastSeq: this.durable });
    return this.current;
  }

  /** Resolves once something new is durable (or at once when records wait to be read). */
  whenReadable(): Promise<void> {
    if (this.readSeq <= this.durable || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.appended.push(resolve));
  }

  /** Durable records not read yet. */
  readable(): number {
    return Number(this.durable - this.readSeq + 1n);
  }

  /** The next durable records after those already read, in order: at most `maxRecords` / about `maxBytes`. */
  async read(maxRecords: number, maxBytes = 1024 * 1024): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    let bytes = 0;
    while (out.length < maxRecords && bytes < maxBytes && this.readSeq <= this.durable) {
      const segment = this.segments[this.readSegment];
      if (!segment) break;
      if (this.readPosition >= segment.bytes) {
        if (this.readSegment === this.segments.length - 1) break;
        this.readSegment++;
        this.readPosition = 0;
        continue;
      }
      const chunk = await this.readAt(
        segment.path,
        this.readPosition,
        Math.min(segment.bytes - this.readPosition, maxBytes),
      );
      let decoded = decodeFrames(chunk, maxRecords - out.length);
      if (decoded.records.length === 0 && chunk.length >= 4) {
        // One frame larger than the chunk (an event near the 1 MiB limit): read it whole.
        const whole = await this.readAt(segment.path, this.readPosition, 8 + chunk.readUInt32BE(0));
        decoded = decodeFrames(whole, 1);
      }
      if (decoded.records.length === 0)
        throw new Error(`spool segment ${segment.path} is corrupt at byte ${this.readPosition}`);
      this.readPosition += decoded.consumed;
      for (const record of decoded.records) {
        if (record.seq < this.readSeq) continue; // at or below the cursor (the first segment after a restart)
        out.push(record);
        bytes += Buffer.byteLength(record.value);
        this.readSeq = record.seq + 1n;
      }
    }
    return out;
  }

  private async readAt(path: string, position: number, length: number): Promise<Buffer> {
    if (this.reader?.path !== path) {
      await this.reader?.handle.close();
      this.reader = undefined;
      this.reader = { path, handle: await open(path, "r") };
    }
    const buffer = Buffer.allocUnsafe(length);
    const bytesRead = await readInto(this.reader.handle.fd, buffer, position);
    return buffer.subarray(0, bytesRead);
  }

  /**
   * Records up to `seq` reached Kafka: the cursor moves (with the forwarder's offsets) and their bytes
   * leave the bound. The cursor file is rewritten at most every `cursorSaveMs` (a rename per tiny batch
   * cost more CPU than the HTTP handling of one-event requests); a restart from an older cursor is still
   * exact, because reconciliation reads Kafka from the older offsets and finds the records sent since.
   * Segments are deleted only once a saved cursor is past them.
   */
  async ack(seq: bigint, bytes: number, offsets: Readonly<Record<string, number>>): Promise<void> {
    this.cursorValue = {
      id: this.cursorValue.id,
      acked: seq.toString(),
      offsets: { ...this.cursorValue.offsets, ...offsets },
    };
    this.pending = Math.max(0, this.pending - bytes);
    if (this.closed) await this.saveCursor();
    else this.saveTimer ??= setTimeout(() => void this.saveCursor(), this.cursorSaveMs);
  }

  /**
   * Replaces the forwarder's offsets of these partitions without moving the cursor (reconciliation). Saved
   * with the next acknowledgement: the offsets saved before are lower, so they remain a correct start.
   */
  setOffsets(offsets: Readonly<Record<string, number>>): void {
    this.cursorValue = { ...this.cursorValue, offsets: { ...this.cursorValue.offsets, ...offsets } };
  }

  /**
   * Writes the cursor file off the event loop (written synchronously, its write and rename held the HTTP
   * responses for milliseconds every 200 ms on a busy disk), one save at a time: they share a temporary
   * name, and a later save must not be overtaken by an earlier one.
   */
  private saveCursor(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const save = this.saving.then(async () => {
      const saved = this.cursorValue;
      const path = join(this.dir, "cursor.json");
      const temporary = `${path}.tmp-${process.pid}`;
      await writeFile(temporary, JSON.stringify(saved));
      await rename(temporary, path);
      await this.dropAcked(BigInt(saved.acked));
    });
    // A failed save leaves the older cursor, which is still a correct start; the next save tries again.
    this.saving = save.catch(() => {});
    return save;
  }

  private async dropAcked(acked: bigint): Promise<void> {
    // Only segments the reader has left: never the one appended to, nor one still being read.
    while (this.readSegment > 0 && (this.segments[0] as Segment).lastSeq <= acked) {
      const [gone] = this.segments.splice(0, 1);
      this.readSegment--;
      await rm((gone as Segment).path, { force: true });
    }
  }

  /**
   * Stops accepting appends; resolves once the ones accepted are on disk and the cursor is saved. The
   * forwarder may still drain and acknowledge after this (each acknowledgement then saves at once).
   */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
    await this.current?.close();
    this.current = undefined;
    await this.saveCursor();
    for (const notify of this.appended.splice(0)) notify();
  }

  /** Closes the file the reader holds (after the forwarder stopped). */
  async release(): Promise<void> {
    if (this.closed) await this.saveCursor();
    await this.reader?.handle.close();
    this.reader = undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Every record appended has been acknowledged. */
  drained(): boolean {
    return BigInt(this.cursorValue.acked) >= this.nextSeq - 1n;
  }
}

// The hot path uses fs's callback functions on the handle's descriptor: FileHandle's promise methods cost
// noticeably more main-thread CPU per call (writes and syncs were ~13 % of a one-event-request profile).
function writeAt(fd: number, data: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    write(fd, data, offset, data.length - offset, null, (error, bytes) =>
      error ? reject(error) : resolve(bytes),
    ),
  );
}

function readInto(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buffer, 0, buffer.length, position, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  );
}

/** Checks a segment's frames; truncates it after the last valid one (a torn, never acknowledged tail). */
async function scanSegment(
  path: string,
  acked: bigint,
): Promise<{ records: number; bytes: number; lastSeq: bigint; pendingBytes: number }> {
  const handle = await open(path, "r+");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(size);
    await handle.read(buffer, 0, size, 0);
    const decoded = decodeFrames(buffer);
    if (decoded.consumed < size) {
      await handle.truncate(decoded.consumed);
      await handle.datasync();
    }
    let pendingBytes = 0;
    for (const r of decoded.records) if (r.seq > acked) pendingBytes += frameBytes(r);
    return {
      records: decoded.records.length,
      bytes: decoded.consumed,
      lastSeq: decoded.records.at(-1)?.seq ?? 0n,
      pendingBytes,
    };
  } finally {
    await handle.close();
  }
}
