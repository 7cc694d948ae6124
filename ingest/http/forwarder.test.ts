import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Forwarder, type ForwarderObserver, type ForwardLink } from "./forwarder.js";
import { Spool } from "./spool.js";
import type { NewRecord, SpoolRecord } from "./spool-format.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const spoolDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "floe-forwarder-test-"));
  dirs.push(dir);
  return dir;
};
const record = (i: number): NewRecord => ({
  topic: "t",
  key: `k${i}`,
  traceId: "a".repeat(32),
  value: `{"n":${i}}`,
});

/** A Kafka that records what it was sent, fails when told to, and may keep part of a failed send. */
class FakeKafka implements ForwardLink {
  readonly log: string[] = [];
  /** What "Kafka" holds: spool seqs in arrival order. */
  readonly topic: bigint[] = [];
  failNext = 0;
  /** On a failing send, how many of its records still land (a partly failed send). */
  landOnFailure = 0;
  deliveredCalls: { afterSeq: bigint; scan: boolean }[] = [];

  async send(records: readonly SpoolRecord[]): Promise<Record<string, number>> {
    if (this.failNext > 0) {
      this.failNext--;
      this.topic.push(...records.slice(0, this.landOnFailure).map((r) => r.seq));
      this.log.push(`fail ${records.length}`);
      throw new Error("broker down");
    }
    const base = this.topic.length;
    this.topic.push(...records.map((r) => r.seq));
    this.log.push(`send ${records.map((r) => r.seq).join(",")}`);
    return { "t:0": base };
  }

  async delivered(_id: string, afterSeq: bigint, _from: Readonly<Record<string, number>>, scan: boolean) {
    this.deliveredCalls.push({ afterSeq, scan });
    return { seqs: new Set(scan ? this.topic.filter((s) => s > afterSeq) : []), from: { "t:0": 0 } };
  }

  async reset(): Promise<void> {
    this.log.push("reset");
  }

  async close(): Promise<void> {
    this.log.push("close");
  }
}

const quiet: ForwarderObserver = { forwarded() {}, failed() {}, reconciled() {} };
const noSleep = async () => {};
const until = async (check: () => boolean) => {
  for (let i = 0; i < 2_500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

describe("Forwarder", () => {
  it("forwards spooled records in order and acknowledges them in the spool", async () => {
    const spool = await Spool.open({ dir: spoolDir() });
    const kafka = new FakeKafka();
    const forwarder = new Forwarder(spool, kafka, quiet, { sleep: noSleep });
    forwarder.start();
    await spool.append([record(1), record(2)]);
    await spool.append([record(3)]);
    await until(() => spool.drained());
    expect(kafka.topic).toEqual([1n, 2n, 3n]);
    expect(spool.cursor.acked).toBe("3");
    await spool.close();
    await forwarder.stop("drain");
    expect(kafka.log.at(-1)).toBe("close");
  });

  it("after a partly failed send, recreates the producer and sends only what Kafka lacks, once", async () => {
    const spool = await Spool.open({ dir: spoolDir() });
    const kafka = new FakeKafka();
    kafka.failNext = 1;
    kafka.landOnFailure = 2;
    const reconciled: number[] = [];
    const forwarder = new Forwarder(
      spool,
      kafka,
      { ...quiet, reconciled: (n) => reconciled.push(n) },
      { sleep: noSleep },
    );
    await spool.append([record(1), record(2), record(3), record(4)]);
    forwarder.start();
    await until(() => spool.drained());
    expect(kafka.topic).toEqual([1n, 2n, 3n, 4n]);
    expect(kafka.log).toEqual(["fail 4", "reset", "send 3,4"]);
    expect(reconciled).toEqual([2]);
    await spool.close();
    await forwarder.stop("drain");
  });

  it("opens the breaker after consecutive failures and waits before the probe", async () => {
    const spool = await Spool.open({ dir: spoolDir() });
    const kafka = new FakeKafka();
    kafka.failNext = 3;
    let now = 0;
    const sleeps: number[] = [];
    const forwarder = new Forwarder(spool, kafka, quiet, {
      breaker: { failures: 3, openMs: 1_000, maxOpenMs: 1_000 },
      lingerMs: 0,
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    await spool.append([record(1)]);
    forwarder.start();
    await until(() => spool.drained());
    // Two short retries while closed, then the breaker opens: one wait of its full open time.
    expect(sleeps).toEqual([200, 200, 1_000]);
    expect(kafka.log.filter((l) => l.startsWith("fail"))).toHaveLength(3);
    expect(forwarder.breakerState()).toBe("closed");
    await spool.close();
    await forwarder.stop("drain");
  });

  it("a start with a backlog reconciles by scanning before it sends; an empty start only takes a baseline", async () => {
    const dir = spoolDir();
    const first = await Spool.open({ dir });
    await first.append([record(1), record(2)]);
    await first.close();
    // The previous process sent seq 1 and died before writing the cursor.
    const kafka = new FakeKafka();
    kafka.topic.push(1n);
    const spool = await Spool.open({ dir });
    const forwarder = new Forwarder(spool, kafka, quiet, { sleep: noSleep });
    forwarder.start();
    await until(() => spool.drained());
    expect(kafka.deliveredCalls).toEqual([{ afterSeq: 0n, scan: true }]);
    expect(kafka.topic).toEqual([1n, 2n]);
    await spool.close();
    await forwarder.stop("drain");

    const fresh = new FakeKafka();
    const empty = await Spool.open({ dir: spoolDir() });
    const other = new Forwarder(empty, fresh, quiet, { sleep: noSleep });
    other.start();
    await empty.append([record(1)]);
    await until(() => empty.drained());
    expect(fresh.deliveredCalls).toEqual([{ afterSeq: 0n, scan: false }]);
    await empty.close();
    await other.stop("drain");
  });

  it("a drain that outlives its deadline stops and leaves the rest spooled", async () => {
    const spool = await Spool.open({ dir: spoolDir() });
    const kafka = new FakeKafka();
    kafka.failNext = Number.POSITIVE_INFINITY;
    const forwarder = new Forwarder(spool, kafka, quiet, {
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))),
    });
    await spool.append([record(1)]);
    forwarder.start();
    await spool.close();
    await forwarder.stop("drain", 50);
    expect(spool.drained()).toBe(false);
    expect(kafka.topic).toEqual([]);
  });
});

describe("Forwarder batching", () => {
  it("lingers briefly when little is spooled, so one-event appends share a send", async () => {
    const spool = await Spool.open({ dir: spoolDir() });
    const kafka = new FakeKafka();
    const forwarder = new Forwarder(spool, kafka, quiet, { lingerMs: 200 });
    forwarder.start();
    // One after another, each durable before the next: without the linger, each would be its own send.
    for (let i = 0; i < 5; i++) await spool.append([record(i)]);
    await until(() => spool.drained());
    expect(kafka.topic).toHaveLength(5);
    expect(kafka.log.filter((l) => l.startsWith("send")).length).toBeLessThan(5);
    await spool.close();
    await forwarder.stop("drain");
  });
});

describe("Forwarder reconciliation across batches", () => {
  it("skips records found in Kafka in every later batch, not only the first (the cursor file lags)", async () => {
    const dir = spoolDir();
    const first = await Spool.open({ dir });
    await first.append(Array.from({ length: 12 }, (_, i) => record(i)));
    await first.close();
    // The previous process had sent seqs 1–10, in several batches, before it died; its cursor says 0.
    const kafka = new FakeKafka();
    kafka.topic.push(...Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
    const spool = await Spool.open({ dir });
    const reconciled: number[] = [];
    const forwarder = new Forwarder(
      spool,
      kafka,
      { ...quiet, reconciled: (n) => reconciled.push(n) },
      { sleep: noSleep, batchRecords: 3 },
    );
    forwarder.start();
    await until(() => spool.drained());
    expect(kafka.topic).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    expect(kafka.log).toEqual(["send 11,12"]);
    expect(reconciled).toEqual([10]);
    await spool.close();
    await forwarder.stop("drain");
  });
});
