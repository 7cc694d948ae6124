import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import type { RetryPolicy } from "../../core/retry.js";
import { decodeMessage } from "../contracts.js";
import type { FileInput } from "../parquet-duckdb.js";
import type { DeadLetter } from "./dead-letters.js";
import {
  type DeadLetterRecord,
  DeadLetterTooLarge,
  type ObjectMetadata,
  type PartitionIO,
} from "./partition-io.js";
import {
  changeObjectKey,
  type Decoder,
  objectKey,
  PartitionWorker,
  type WorkerConfig,
  type WorkerObserver,
} from "./partition-worker.js";
import type { DurableFile } from "./types.js";

const TOPIC = "t-user-events";
const PREFIX = "raw/";
const PAUSE_MS = 10_000;
/** Five attempts as in production, without the backoff waits. */
const RETRY: RetryPolicy = { attempts: 5, baseMs: 0, maxMs: 0 };

const keyAt = (start: number) => objectKey(PREFIX, TOPIC, 0, "2026-03-01", "product_view", BigInt(start));

function message(offset: number, value?: string): KafkaMessage {
  const event = {
    event_id: `00000000-0000-4000-8000-${String(offset).padStart(12, "0")}`,
    event_type: "product_view",
    event_time: "2026-03-01T10:00:00.000Z",
    user_id: "u1",
    session_id: "s1",
    product_id: "p1",
  };
  return {
    key: null,
    value: Buffer.from(value ?? JSON.stringify(event)),
    offset: String(offset),
    timestamp: "1772359200000",
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

const transient = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

/**
 * A recording fake of the worker's I/O. `log` keeps every call in order; the object store checks, at each
 * commit, that every offset below the committed one sits in a stored object or was dead-lettered.
 */
class FakeIO implements PartitionIO {
  readonly log: string[] = [];
  readonly objects = new Map<string, ObjectMetadata>();
  readonly commits: { offset: bigint; metadata: { w: Record<string, string>; d?: string } }[] = [];
  readonly letters: DeadLetterRecord[] = [];
  /** Offsets a commit passed that were neither in a stored object nor in the DLQ. */
  readonly uncovered: bigint[] = [];
  putAttempts = 0;
  /** The DLQ topic's size limit: a send whose letters add up to more is refused as too large. */
  dlqMaxBytes = Number.POSITIVE_INFINITY;
  /** DLQ sends that fail (with a retriable error) before one succeeds. */
  failDlq = 0;
  /** Puts that fail (with a retriable error) before one succeeds. */
  failPuts = 0;
  /** When set, a put waits for it (an upload in flight). */
  putGate: Promise<void> | undefined;
  onPut: (() => void) | undefined;

  /** Column-marker writes that fail (with a retriable error) before one succeeds. */
  failColumns = 0;

  async ensureColumns(columns: readonly string[]): Promise<void> {
    this.log.push(`columns ${columns.join(",")}`);
    if (this.failColumns > 0) {
      this.failColumns--;
      throw transient();
    }
  }

  async encode(input: FileInput): Promise<Uint8Array> {
    this.log.push(`encode ${input.metadata["floe.start_offset"]}-${input.metadata["floe.end_offset"]}`);
    return input.rows.data()[0] ?? Buffer.alloc(0);
  }

  async put(key: string, _body: Uint8Array, metadata: ObjectMetadata): Promise<"written" | "exists"> {
    this.putAttempts++;
    this.log.push(`put ${key}`);
    this.onPut?.();
    await this.putGate;
    if (this.failPuts > 0) {
      this.failPuts--;
      throw transient();
    }
    if (this.objects.has(key)) return "exists";
    this.objects.set(key, metadata);
    return "written";
  }

  async head(key: string): Promise<ObjectMetadata> {
    this.log.push(`head ${key}`);
    const metadata = this.objects.get(key);
    if (!metadata) throw new Error(`no object ${key}`);
    return metadata;
  }

  async sendDeadLetters(letters: readonly DeadLetterRecord[]): Promise<void> {
    this.log.push(`dlq ${letters.map((l) => l.headers.source_offset).join(",")}`);
    if (this.failDlq > 0) {
      this.failDlq--;
      throw transient();
    }
    const bytes = letters.reduce((n, l) => n + (l.key?.length ?? 0) + (l.value?.length ?? 0), 0);
    if (bytes > this.dlqMaxBytes) throw new DeadLetterTooLarge("dlq", new Error("MESSAGE_TOO_LARGE"));
    this.letters.push(...letters);
  }

  async commit(offset: bigint, metadata: string): Promise<void> {
    this.log.push(`commit ${offset}`);
    this.commits.push({ offset, metadata: JSON.parse(metadata) });
    for (let o = 0n; o < offset; o++) if (!this.covers(o)) this.uncovered.push(o);
  }

  pause(): void {
    this.log.push("pause");
  }

  resume(): void {
    this.log.push("resume");
  }

  private covers(offset: bigint): boolean {
    if (this.letters.some((l) => l.headers.source_offset === offset.toString())) return true;
    for (const m of this.objects.values()) {
      if (BigInt(m["start-offset"] ?? -1) <= offset && offset <= BigInt(m["end-offset"] ?? -1)) return true;
    }
    return false;
  }
}

class RecordingObserver implements WorkerObserver {
  readonly files: DurableFile[] = [];
  readonly pauses: { resumeInMs: number; first: boolean }[] = [];
  resumes = 0;
  readonly dlq: string[] = [];
  readonly truncatedOffsets: string[] = [];
  skipped() {}
  retry() {}
  durable(file: DurableFile) {
    this.files.push(file);
  }
  deadLettered(letters: readonly DeadLetter[]) {
    this.dlq.push(...letters.map((l) => l.offset.toString()));
  }
  truncated(letter: DeadLetter) {
    this.truncatedOffsets.push(letter.offset.toString());
  }
  paused(_error: unknown, resumeInMs: number, first: boolean) {
    this.pauses.push({ resumeInMs, first });
  }
  resumed() {
    this.resumes++;
  }
}

function setup(overrides: Partial<WorkerConfig> = {}) {
  const clock = { now: 1_000_000 };
  const io = new FakeIO();
  const observer = new RecordingObserver();
  const worker = new PartitionWorker(
    {
      topic: TOPIC,
      partition: 0,
      kind: "user-events",
      prefix: PREFIX,
      limits: { maxRecords: 1_000, maxBytes: 1e9, maxAgeMs: 60_000 },
      retry: RETRY,
      pauseMs: PAUSE_MS,
      clock: () => clock.now,
      ...overrides,
    },
    io,
    observer,
  );
  worker.restore(undefined);
  const route = (...offsets: number[]) => {
    for (const o of offsets) worker.route(message(o), clock.now);
  };
  return { clock, io, observer, worker, route };
}

describe("PartitionWorker", () => {
  it("commits an offset only once the rows below it are in a durable object", async () => {
    const { clock, io, worker, route } = setup();
    route(0, 1, 2, 3, 4);
    io.failPuts = 5; // the whole first round of attempts fails
    await worker.drain();
    expect(io.commits).toEqual([]);

    clock.now += PAUSE_MS;
    expect(worker.wantsCycle(clock.now)).toBe(true);
    await worker.requestCycle();
    expect(io.uncovered).toEqual([]);
    expect(io.log.slice(-3)).toEqual([`put ${keyAt(0)}`, "commit 5", "resume"]);
    expect(io.commits.map((c) => c.offset)).toEqual([5n]);
  });

  it("wakes at its oldest file's age deadline, not while a cycle waits, at a pause's end, never once revoked", async () => {
    const { clock, io, worker, route } = setup();
    expect(worker.nextWake()).toBeUndefined();
    const opened = clock.now;
    route(0);
    clock.now += 30_000;
    route(1);
    expect(worker.nextWake()).toBe(opened + 60_000);
    expect(worker.wantsCycle(opened + 59_999)).toBe(false);
    expect(worker.wantsCycle(opened + 60_000)).toBe(true);

    clock.now = opened + 60_000;
    const cycle = worker.requestCycle();
    // The waiting cycle seals what is due when it starts: waking for it again would only spin.
    expect(worker.nextWake()).toBeUndefined();
    await cycle;
    expect(io.log).toEqual(["encode 0-1", `put ${keyAt(0)}`, "commit 2"]);
    expect(worker.nextWake()).toBeUndefined();
    route(2);
    expect(worker.nextWake()).toBe(clock.now + 60_000);

    io.failPuts = 5;
    await worker.drain();
    expect(worker.nextWake()).toBe(clock.now + PAUSE_MS);
    worker.revoke();
    route(3);
    expect(worker.nextWake()).toBeUndefined();
  });

  it("adopts the object an earlier attempt wrote (412 → head → its end offset) and re-keys the rest", async () => {
    const { io, observer, worker, route } = setup();
    // Before a crash, an earlier attempt made offsets 0–2 durable under the same first offset.
    io.objects.set(keyAt(0), { "start-offset": "0", "end-offset": "2", records: "3" });
    route(0, 1, 2, 3, 4);
    await worker.drain();
    expect(io.log).toEqual([
      "encode 0-4",
      `put ${keyAt(0)}`,
      `head ${keyAt(0)}`,
      "encode 3-4",
      `put ${keyAt(3)}`,
      "commit 5",
    ]);
    expect(observer.files.map((f) => [f.key, f.outcome, f.records])).toEqual([
      [keyAt(0), "existing", 3],
      [keyAt(3), "written", 2],
    ]);
    expect(io.objects.get(keyAt(3))).toMatchObject({ "start-offset": "3", "end-offset": "4", records: "2" });
    expect(io.uncovered).toEqual([]);
  });

  it("pauses the partition after the fifth failed attempt and resumes it when a later cycle succeeds", async () => {
    const { clock, io, observer, worker, route } = setup();
    route(0, 1, 2);
    io.failPuts = 100;
    await worker.drain();
    expect(io.putAttempts).toBe(5);
    expect(io.log.filter((l) => l === "pause")).toHaveLength(1);
    expect(worker.lifecycleState).toEqual({ kind: "paused", until: clock.now + PAUSE_MS });
    expect(worker.accepting).toBe(false);
    expect(observer.pauses).toEqual([{ resumeInMs: PAUSE_MS, first: true }]);

    // Still failing on the next round: paused a while longer, fetching was already stopped.
    expect(worker.wantsCycle(clock.now + PAUSE_MS - 1)).toBe(false);
    clock.now += PAUSE_MS;
    await worker.requestCycle();
    expect(io.putAttempts).toBe(10);
    expect(observer.pauses).toEqual([
      { resumeInMs: PAUSE_MS, first: true },
      { resumeInMs: PAUSE_MS, first: false },
    ]);
    expect(io.log).not.toContain("resume");

    io.failPuts = 0;
    clock.now += PAUSE_MS;
    await worker.requestCycle();
    expect(io.log.slice(-3)).toEqual([`put ${keyAt(0)}`, "commit 3", "resume"]);
    expect(io.log.filter((l) => l === "pause")).toHaveLength(1);
    expect(observer.resumes).toBe(1);
    expect(worker.lifecycleState).toEqual({ kind: "active" });
    expect(worker.accepting).toBe(true);
  });

  it("never commits after a revoke that comes while its upload is in flight", async () => {
    const { io, observer, worker, route } = setup();
    route(0, 1, 2);
    let release: () => void = () => {};
    io.putGate = new Promise((resolve) => {
      release = resolve;
    });
    const putStarted = new Promise<void>((resolve) => {
      io.onPut = resolve;
    });
    const cycle = worker.drain();
    await putStarted;
    worker.revoke();
    release();
    await cycle;
    // The upload itself may finish (same key, If-None-Match): only the commit is the new owner's.
    expect(io.objects.has(keyAt(0))).toBe(true);
    expect(observer.files).toHaveLength(1);
    expect(io.commits).toEqual([]);
    expect(io.log).not.toContain("pause");
    expect(io.log).not.toContain("resume");
    expect(worker.lifecycleState).toEqual({ kind: "revoked" });
  });

  it("resumes a paused partition as it is revoked, and a revoked one neither pauses nor commits again", async () => {
    const { clock, io, worker, route, observer } = setup();
    route(0, 1);
    io.failPuts = 5;
    await worker.drain();
    expect(io.log.at(-1)).toBe("pause");
    expect(observer.resumes).toBe(0);
    worker.revoke();
    expect(io.log.at(-1)).toBe("resume");
    // Reported too, so the member's sink_paused alert for it resolves.
    expect(observer.resumes).toBe(1);
    io.failPuts = 5;
    clock.now += PAUSE_MS;
    await worker.requestCycle();
    expect(io.log.filter((l) => l === "pause" || l === "resume")).toEqual(["pause", "resume"]);
    io.failPuts = 0;
    await worker.drain();
    expect(io.commits).toEqual([]);
  });

  it("commits the DLQ watermark right after each DLQ send, before any upload of the cycle", async () => {
    const { clock, io, worker } = setup();
    const send = (offset: number, bad: boolean) =>
      worker.route(message(offset, bad ? "{not json" : undefined), clock.now);
    send(0, false);
    send(1, true);
    io.failPuts = 5; // the upload after the DLQ send fails: the watermark must be committed already
    await worker.drain();
    expect(io.log.slice(0, 3)).toEqual(["dlq 1", "commit 0", "encode 0-0"]);
    expect(io.commits).toEqual([{ offset: 0n, metadata: { w: {}, d: "1" } }]);

    clock.now += PAUSE_MS;
    send(2, true);
    send(3, false);
    send(4, true);
    await worker.drain();
    const i = io.log.indexOf("dlq 2,4");
    expect(io.log.slice(i, i + 3)).toEqual(["dlq 2,4", "commit 0", "encode 0-0"]);
    expect(io.commits[1]).toEqual({ offset: 0n, metadata: { w: {}, d: "4" } });
    expect(io.commits.at(-1)?.offset).toBe(5n);
    expect(io.uncovered).toEqual([]);
  });
});

describe("PartitionWorker with hostile messages", () => {
  it("dead-letters a message the decoder throws on, with the error as its reason, and routes the ones after it", async () => {
    const decode: Decoder = (kind, value) => {
      if (value?.toString() === "deep") throw new RangeError("Maximum call stack size exceeded");
      return decodeMessage(kind, value);
    };
    const { clock, io, observer, worker, route } = setup({ decode });
    route(0);
    worker.route(message(1, "deep"), clock.now);
    route(2, 3);
    await worker.drain();
    expect(io.letters.map((l) => [l.headers.source_offset, l.headers.error])).toEqual([
      ["1", "the message could not be decoded: RangeError: Maximum call stack size exceeded"],
    ]);
    expect(observer.files.map((f) => f.records)).toEqual([3]);
    expect(io.commits.at(-1)?.offset).toBe(4n);
    expect(io.uncovered).toEqual([]);
  });

  it("dead-letters an event whose unknown field is JSON 5,000 levels deep", async () => {
    const { clock, io, worker, route } = setup();
    const nested = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    const deep = JSON.stringify(JSON.parse(message(1).value?.toString() ?? "")).replace(
      /}$/,
      `,"extra":${nested}}`,
    );
    route(0);
    worker.route(message(1, deep), clock.now);
    route(2);
    await worker.drain();
    expect(io.letters.map((l) => l.headers.source_offset)).toEqual(["1"]);
    expect(io.letters[0]?.headers.error?.length).toBeGreaterThan(0);
    expect(io.commits.at(-1)?.offset).toBe(3n);
  });

  it("sends a letter the DLQ topic refuses as too large as a truncated copy with its reason and coordinates", async () => {
    const { clock, io, observer, worker, route } = setup();
    io.dlqMaxBytes = 20_000;
    route(0);
    worker.route(message(1, "{small"), clock.now);
    worker.route(message(2, `{${"x".repeat(50_000)}`), clock.now);
    worker.route(message(3, "{small too"), clock.now);
    route(4);
    await worker.drain();
    // All three at once were refused; one at a time, only the big one needed truncating.
    expect(io.log.filter((l) => l.startsWith("dlq"))).toEqual([
      "dlq 1,2,3",
      "dlq 1",
      "dlq 2",
      "dlq 2",
      "dlq 3",
    ]);
    const letters = io.letters.map((l) => ({
      offset: l.headers.source_offset,
      bytes: l.value?.length,
      truncated: l.headers.truncated,
    }));
    expect(letters).toEqual([
      { offset: "1", bytes: 6, truncated: undefined },
      { offset: "2", bytes: 8_192, truncated: "true" },
      { offset: "3", bytes: 10, truncated: undefined },
    ]);
    expect(io.letters[1]?.headers).toMatchObject({
      source_topic: TOPIC,
      source_partition: "0",
      source_offset: "2",
      original_value_bytes: "50001",
    });
    expect(io.letters[1]?.headers.error).toMatch(/^invalid JSON/);
    expect(observer.truncatedOffsets).toEqual(["2"]);
    expect(observer.dlq).toEqual(["1", "2", "3"]);
    expect(io.log).not.toContain("pause");
    expect(observer.files.map((f) => f.records)).toEqual([2]);
    expect(io.commits.at(-1)?.offset).toBe(5n);
    expect(io.uncovered).toEqual([]);
  });

  it("keeps letters the DLQ could not take for another reason, pauses, and sends them whole once it is back", async () => {
    const { clock, io, worker, route } = setup();
    io.failDlq = 5;
    route(0);
    worker.route(message(1, "{bad"), clock.now);
    await worker.drain();
    expect(io.log.at(-1)).toBe("pause");
    expect(io.letters).toEqual([]);
    expect(io.commits).toEqual([]);
    clock.now += PAUSE_MS;
    await worker.drain();
    expect(io.letters.map((l) => [l.headers.source_offset, l.headers.truncated])).toEqual([["1", undefined]]);
    expect(io.commits.at(-1)?.offset).toBe(2n);
    expect(io.uncovered).toEqual([]);
  });
});

describe("PartitionWorker on a CDC topic", () => {
  const change = (offset: number, op: string, row: Record<string, unknown>, commit: string) =>
    ({
      key: null,
      value: Buffer.from(
        JSON.stringify({
          before: op === "d" ? row : null,
          after: op === "d" ? null : row,
          source: { lsn: 100 + offset, txId: 7, ts_ms: Date.parse(commit), snapshot: "false" },
          op,
          ts_ms: Date.parse(commit) + 5,
        }),
      ),
      offset: String(offset),
      timestamp: "1772359200000",
      attributes: 0,
      headers: {},
    }) as KafkaMessage;

  it("files changes by commit date, marks their columns before the upload, dead-letters a non-envelope", async () => {
    const { io, observer, worker } = setup({ topic: "t-db.products", kind: "cdc" });
    worker.route(change(0, "c", { product_id: "p-1", name: "Lamp" }, "2026-12-05T23:59:59Z"), 0);
    worker.route(
      change(1, "u", { product_id: "p-1", name: "Lamp", color: "red" }, "2026-12-06T00:00:01Z"),
      0,
    );
    worker.route(message(2, '{"op":"c"}'), 0);
    worker.route(change(3, "d", { product_id: "p-1" }, "2026-12-06T08:00:00Z"), 0);
    await worker.drain();
    const key = (date: string, start: number) =>
      changeObjectKey(PREFIX, "t-db.products", 0, date, BigInt(start));
    expect(key("2026-12-06", 1)).toBe("raw/t-db.products/event_date=2026-12-06/t-db.products+0+1.parquet");
    expect(io.log).toEqual([
      "dlq 2",
      "commit 0",
      "columns product_id,name",
      "encode 0-0",
      `put ${key("2026-12-05", 0)}`,
      "columns product_id,name,color",
      "encode 1-3",
      `put ${key("2026-12-06", 1)}`,
      "commit 4",
    ]);
    expect(observer.files.map((f) => [f.eventDate, f.eventType, f.records])).toEqual([
      ["2026-12-05", "", 1],
      ["2026-12-06", "", 2],
    ]);
    expect(io.letters[0]?.headers.error).toMatch(/^Debezium envelope: /);
    expect(io.uncovered).toEqual([]);
  });

  it("retries the column markers and pauses, uploading nothing, while they cannot be written", async () => {
    const { io, worker } = setup({ topic: "t-db.products", kind: "cdc" });
    worker.route(change(0, "c", { product_id: "p-1" }, "2026-12-06T10:00:00Z"), 0);
    io.failColumns = 5;
    await worker.drain();
    expect(io.log).toEqual([...Array(5).fill("columns product_id"), "pause"]);
    expect(io.commits).toEqual([]);
  });
});
