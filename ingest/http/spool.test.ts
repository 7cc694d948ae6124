import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Spool, SpoolFull } from "./spool.js";
import { decodeFrames, encodeFrames, frameBytes, type NewRecord } from "./spool-format.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "floe-spool-test-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const record = (i: number, value = `{"n":${i}}`): NewRecord => ({
  topic: "user-events",
  key: `u${i}`,
  traceId: "0af7651916cd43dd8448eb211c80319c",
  value,
});

describe("spool frames", () => {
  it("round-trips records and stops at a frame whose CRC does not match", () => {
    const frames = encodeFrames([record(1), record(2, '{"é":"ü"}')], 7n);
    const decoded = decodeFrames(frames);
    expect(decoded.records.map((r) => [r.seq, r.key, r.value])).toEqual([
      [7n, "u1", '{"n":1}'],
      [8n, "u2", '{"é":"ü"}'],
    ]);
    expect(decoded.consumed).toBe(frames.length);
    const damaged = Buffer.from(frames);
    damaged.writeUInt8((damaged.at(-1) as number) ^ 0xff, damaged.length - 1);
    const after = decodeFrames(damaged);
    expect(after.records).toHaveLength(1);
    expect(after.corrupt).toBe(true);
    expect(frameBytes(record(1))).toBe(decodeFrames(frames, 1).consumed);
  });
});

describe("Spool", () => {
  it("numbers appends in call order, reads them back in order, and shares fsyncs between concurrent appends", async () => {
    const spool = await Spool.open({ dir: tempDir() });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => spool.append([record(i)])));
    expect(results.map((r) => r.first)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
    // Group commit: the first append syncs alone, the 49 that queued behind it share later syncs.
    expect(spool.syncs).toBeLessThan(10);
    const read = await spool.read(1_000);
    expect(read.map((r) => r.key)).toEqual(Array.from({ length: 50 }, (_, i) => `u${i}`));
    expect(spool.depth().records).toBe(50);
    await spool.close();
  });

  it("refuses an append past its byte bound, writing nothing of it, and frees room on ack", async () => {
    const one = frameBytes(record(0));
    const spool = await Spool.open({ dir: tempDir(), maxBytes: one * 3 });
    await spool.append([record(1), record(2)]);
    await expect(spool.append([record(3), record(4)])).rejects.toBeInstanceOf(SpoolFull);
    expect(spool.depth()).toEqual({ bytes: one * 2, records: 2 });
    const read = await spool.read(10);
    await spool.ack((read.at(-1) as { seq: bigint }).seq, one * 2, {});
    await spool.append([record(3), record(4)]);
    expect((await spool.read(10)).map((r) => r.key)).toEqual(["u3", "u4"]);
    await spool.close();
  });

  it("after a restart reads only what was not acknowledged, and drops a torn tail", async () => {
    const dir = tempDir();
    const first = await Spool.open({ dir });
    await first.append([record(1), record(2), record(3)]);
    await first.read(2);
    await first.ack(2n, frameBytes(record(1)) * 2, { "user-events:0": 41 });
    await first.close();
    // A crash in the middle of a write leaves half a frame (never acknowledged to anyone).
    const segment = readdirSync(dir).find((n) => n.endsWith(".spool")) as string;
    const sizeBefore = statSync(join(dir, segment)).size;
    appendFileSync(join(dir, segment), encodeFrames([record(9)], 4n).subarray(0, 10));
    const second = await Spool.open({ dir });
    expect(statSync(join(dir, segment)).size).toBe(sizeBefore);
    expect(second.cursor.offsets).toEqual({ "user-events:0": 41 });
    expect(second.id).toBe(first.id);
    expect(second.depth().records).toBe(1);
    expect((await second.read(10)).map((r) => [r.seq, r.key])).toEqual([[3n, "u3"]]);
    const next = await second.append([record(4)]);
    expect(next.first).toBe(4n);
    await second.close();
  });

  it("rolls segments and deletes the ones wholly acknowledged", async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, segmentBytes: frameBytes(record(0)) * 2 });
    for (let i = 0; i < 6; i++) await spool.append([record(i)]);
    expect(readdirSync(dir).filter((n) => n.endsWith(".spool")).length).toBeGreaterThanOrEqual(3);
    const read = await spool.read(100);
    expect(read).toHaveLength(6);
    await spool.ack(6n, frameBytes(record(0)) * 6, {});
    expect(spool.drained()).toBe(true);
    // Deleted only once a saved cursor is past them (the save waits up to cursorSaveMs; close saves).
    expect(readdirSync(dir).filter((n) => n.endsWith(".spool")).length).toBeGreaterThanOrEqual(3);
    await spool.close();
    expect(readdirSync(dir).filter((n) => n.endsWith(".spool"))).toHaveLength(1);
  });
});
