import { crc32 } from "node:zlib";

/**
 * The spool's record framing, pure. A frame is `length u32 | crc32 u32 | body`, the body
 * `seq u64 | topic (u8 length) | trace id (u8 length) | key (u16 length) | value (the rest)`, all
 * big-endian. The CRC lets recovery tell a torn tail (a write cut by a crash, never acknowledged) from
 * records that were fsynced: the first frame that does not check ends the segment.
 */

export interface SpoolRecord {
  /** Position in the spool, from 1, never reused: the forwarder's cursor and the Kafka header. */
  readonly seq: bigint;
  readonly topic: string;
  readonly traceId: string;
  readonly key: string;
  /** The event's JSON, as the Kafka message value. */
  readonly value: string;
}

export type NewRecord = Omit<SpoolRecord, "seq">;

const FRAME_HEAD = 8;

/** Bytes one record takes on disk. */
export function frameBytes(record: NewRecord): number {
  return (
    FRAME_HEAD +
    8 +
    1 +
    Buffer.byteLength(record.topic) +
    1 +
    Buffer.byteLength(record.traceId) +
    2 +
    Buffer.byteLength(record.key) +
    Buffer.byteLength(record.value)
  );
}

/** Writes the frames of `records` (numbered from `firstSeq`) into one buffer. */
export function encodeFrames(records: readonly NewRecord[], firstSeq: bigint): Buffer {
  let total = 0;
  for (const r of records) total += frameBytes(r);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  let seq = firstSeq;
  for (const r of records) {
    const start = at;
    at += FRAME_HEAD;
    out.writeBigUInt64BE(seq, at);
    at += 8;
    at = writeShort(out, at, r.topic, 1);
    at = writeShort(out, at, r.traceId, 1);
    at = writeShort(out, at, r.key, 2);
    at += out.write(r.value, at, "utf8");
    out.writeUInt32BE(at - start - FRAME_HEAD, start);
    out.writeUInt32BE(crc32(out.subarray(start + FRAME_HEAD, at)), start + 4);
    seq++;
  }
  return out;
}

function writeShort(out: Buffer, at: number, text: string, lengthBytes: 1 | 2): number {
  const length = out.write(text, at + lengthBytes, "utf8");
  if (length >= 256 ** lengthBytes) throw new RangeError(`spool field too long: ${length} bytes`);
  if (lengthBytes === 1) out.writeUInt8(length, at);
  else out.writeUInt16BE(length, at);
  return at + lengthBytes + length;
}

export interface DecodedFrames {
  readonly records: SpoolRecord[];
  /** Bytes of `buffer` taken by whole, valid frames. */
  readonly consumed: number;
  /** A frame whose bytes are all there but whose CRC or shape is wrong: the segment ends before it. */
  readonly corrupt: boolean;
}

/** Decodes the whole valid frames at the start of `buffer` (a partial frame at the end is left for later). */
export function decodeFrames(buffer: Buffer, maxRecords = Number.POSITIVE_INFINITY): DecodedFrames {
  const records: SpoolRecord[] = [];
  let at = 0;
  while (records.length < maxRecords && buffer.length - at >= FRAME_HEAD) {
    const length = buffer.readUInt32BE(at);
    if (buffer.length - at - FRAME_HEAD < length) break;
    const body = buffer.subarray(at + FRAME_HEAD, at + FRAME_HEAD + length);
    if (length < 12 || crc32(body) !== buffer.readUInt32BE(at + 4))
      return { records, consumed: at, corrupt: true };
    const record = decodeBody(body);
    if (!record) return { records, consumed: at, corrupt: true };
    records.push(record);
    at += FRAME_HEAD + length;
  }
  return { records, consumed: at, corrupt: false };
}

function decodeBody(body: Buffer): SpoolRecord | undefined {
  let at = 8;
  const seq = body.readBigUInt64BE(0);
  const read = (lengthBytes: 1 | 2): string | undefined => {
    if (at + lengthBytes > body.length) return undefined;
    const length = lengthBytes === 1 ? body.readUInt8(at) : body.readUInt16BE(at);
    at += lengthBytes;
    if (at + length > body.length) return undefined;
    const text = body.toString("utf8", at, at + length);
    at += length;
    return text;
  };
  const topic = read(1);
  const traceId = read(1);
  const key = read(2);
  if (topic === undefined || traceId === undefined || key === undefined) return undefined;
  return { seq, topic, traceId, key, value: body.toString("utf8", at) };
}
