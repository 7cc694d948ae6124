/**
 * One open file's buffered rows: NDJSON bytes in Buffers (off the JS heap) with each row's Kafka offset
 * and timestamp in typed arrays.
 *
 * Why not a `string[]`: with the default 60 s flush interval a sink holds up to a minute of rows, and
 * hundreds of thousands of live strings made the garbage collector copy and mark them on every cycle
 * (35–40 % of the consume loop's time in `node --cpu-prof` of `npm run bench:sink`). Bytes in Buffers are
 * never traced, and the encoder writes them to its NDJSON file as they are.
 *
 * Rows never span chunks; a buffer only ever grows at its end, and `from(i)` shares the bytes of rows
 * `i…` with a new buffer that appends into fresh chunks of its own.
 */

/** Chunks start small (a writer may hold a handful of rows) and double up to 1 MiB. */
const FIRST_CHUNK_BYTES = 16 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

export class RowBuffer {
  private readonly chunks: Buffer[] = [];
  /** The chunk being written (the last of `chunks`, when it still has room) and its write position. */
  private current: Buffer | undefined;
  private position = 0;
  /** Rows' end positions, counted over the chunks' used bytes (so row i is [ends[i-1], ends[i])). */
  private endList = new Uint32Array(256);
  private offsetList = new BigInt64Array(256);
  private timestampList = new Float64Array(256);
  private count = 0;
  private usedBefore = 0;

  get length(): number {
    return this.count;
  }

  /** Total bytes of the rows, newlines included. */
  get byteLength(): number {
    return this.usedBefore + this.position;
  }

  /** Appends one row (its text must hold no newline) and its Kafka offset and timestamp. */
  append(offset: bigint, timestamp: number, line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +1 for the newline.
    const bound = line.length * 3 + 1;
    if (!this.current || this.current.length - this.position < bound) this.newChunk(bound);
    const chunk = this.current as Buffer;
    this.position += chunk.write(line, this.position, "utf8");
    chunk[this.position++] = NEWLINE;
    this.push(offset, timestamp, this.usedBefore + this.position);
  }

  offset(i: number): bigint {
    if (i < 0 || i >= this.count) throw new RangeError(`row ${i} of ${this.count}`);
    return this.offsetList[i] as bigint;
  }

  /** Kafka timestamps (ms) of rows [start, end). */
  timestamps(start = 0, end = this.count): number[] {
    return Array.from(this.timestampList.subarray(start, Math.min(end, this.count)));
  }

  /** The used bytes, chunk by chunk: the NDJSON file, one row a line. */
  data(): Buffer[] {
    const out: Buffer[] = [];
    for (const chunk of this.chunks) {
      const used = chunk === this.current ? this.position : chunk.length;
      if (used > 0) out.push(chunk === this.current ? chunk.subarray(0, used) : chunk);
    }
    return out;
  }

  /** The rows as strings (the fallback encoder and tests). */
  lines(): string[] {
    const text = Buffer.concat(this.data()).toString("utf8");
    return text.length === 0 ? [] : text.slice(0, -1).split("\n");
  }

  /** A new buffer holding rows [start, length): it shares their bytes, and appends to chunks of its own. */
  from(start: number): RowBuffer {
    const rest = new RowBuffer();
    const begin =
      start <= 0 ? 0 : start >= this.count ? this.byteLength : (this.endList[start - 1] as number);
    let skip = begin;
    for (const chunk of this.data()) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      const part = skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
      rest.chunks.push(part);
      rest.usedBefore += part.length;
    }
    for (let i = Math.max(0, start); i < this.count; i++) {
      rest.push(
        this.offsetList[i] as bigint,
        this.timestampList[i] as number,
        (this.endList[i] as number) - begin,
      );
    }
    return rest;
  }

  private newChunk(bound: number): void {
    if (this.current) {
      // Keep only the used part; the rest of a chunk is never written again.
      const used = this.current.subarray(0, this.position);
      this.chunks[this.chunks.length - 1] = used;
      this.usedBefore += used.length;
    }
    const size = Math.min(MAX_CHUNK_BYTES, (this.current?.length ?? FIRST_CHUNK_BYTES / 2) * 2);
    this.current = Buffer.allocUnsafe(Math.max(size, bound));
    this.position = 0;
    this.chunks.push(this.current);
  }

  private push(offset: bigint, timestamp: number, end: number): void {
    if (this.count === this.offsetList.length) this.grow();
    this.offsetList[this.count] = offset;
    this.timestampList[this.count] = timestamp;
    this.endList[this.count] = end;
    this.count++;
  }

  private grow(): void {
    const ends = new Uint32Array(this.endList.length * 2);
    ends.set(this.endList);
    this.endList = ends;
    const offsets = new BigInt64Array(this.offsetList.length * 2);
    offsets.set(this.offsetList);
    this.offsetList = offsets;
    const timestamps = new Float64Array(this.timestampList.length * 2);
    timestamps.set(this.timestampList);
    this.timestampList = timestamps;
  }
}
