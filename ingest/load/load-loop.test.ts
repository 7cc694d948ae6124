import { describe, expect, it } from "vitest";
import type { EndOffsets } from "../publish-checkpoint.js";
import { type LoadIO, LoadPublishFailed, publishFileRows } from "./load-loop.js";
import type { LoadEntry, LoadMessage } from "./load-messages.js";
import type { LoadCheckpoint, LoadRecord, LoadStore } from "./load-store.js";

const SHA = "a".repeat(64);
const NO_WAIT = { attempts: 3, baseMs: 1, maxMs: 1 };

/** Rows 0..n-1; every fifth is a dead letter. */
function entries(n: number): LoadEntry[] {
  return Array.from({ length: n }, (_, row) => {
    const dead = row % 5 === 4;
    const message: LoadMessage = {
      topic: dead ? "dlq" : "user-events",
      key: dead ? null : `u-${row}`,
      value: `{"row":${row}}`,
      headers: { load_row: `${SHA}:${row}` },
    };
    return { row, message, kind: dead ? undefined : "user-events" };
  });
}

async function* iterate(list: readonly LoadEntry[]): AsyncGenerator<LoadEntry> {
  yield* list;
}

/** A one-partition-per-topic Kafka; `failNext` makes the next send land its first `landFirst` messages, then fail. */
class FakeKafka implements LoadIO {
  readonly log: LoadMessage[] = [];
  sends = 0;
  failNext: { landFirst: number } | undefined;

  async send(messages: readonly LoadMessage[]): Promise<void> {
    this.sends++;
    const fail = this.failNext;
    this.failNext = undefined;
    this.log.push(...(fail ? messages.slice(0, fail.landFirst) : messages));
    if (fail) throw Object.assign(new Error("connection reset"), { code: "ECONNRESET" });
  }

  async endOffsets(): Promise<EndOffsets> {
    const offsets: EndOffsets = { "user-events/0": 0, "dlq/0": 0 };
    for (const m of this.log) offsets[`${m.topic}/0`] = (offsets[`${m.topic}/0`] ?? 0) + 1;
    return offsets;
  }

  async landedRows(sha256: string, from: EndOffsets): Promise<ReadonlySet<number>> {
    const seen: Record<string, number> = {};
    const found = new Set<number>();
    for (const m of this.log) {
      const key = `${m.topic}/0`;
      const offset = seen[key] ?? 0;
      seen[key] = offset + 1;
      const [sha, row] = (m.headers.load_row ?? "").split(":");
      if (offset >= (from[key] ?? 0) && sha === sha256) found.add(Number(row));
    }
    return found;
  }

  rows(): number[] {
    return this.log.map((m) => Number((m.headers.load_row ?? "").split(":")[1]));
  }
}

function memoryStore(
  initial?: LoadCheckpoint,
): LoadStore & { saved: LoadCheckpoint | undefined; writes: LoadCheckpoint[] } {
  const store = {
    where: "memory",
    saved: initial,
    writes: [] as LoadCheckpoint[],
    record: async (): Promise<LoadRecord | undefined> => undefined,
    writeRecord: async () => {},
    checkpoint: async () => store.saved,
    writeCheckpoint: async (c: LoadCheckpoint) => {
      store.saved = c;
      store.writes.push(c);
    },
    clearCheckpoint: async () => {
      store.saved = undefined;
    },
  };
  return store;
}

const sorted = (rows: number[]) => [...rows].sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("publishFileRows", () => {
  it("publishes every row once, in batches, counting events per topic and dead letters", async () => {
    const kafka = new FakeKafka();
    const store = memoryStore();
    const outcome = await publishFileRows(
      { sha256: SHA, batch: 4, retry: NO_WAIT },
      iterate(entries(10)),
      kafka,
      store,
    );
    expect(outcome).toEqual({
      state: "complete",
      resumedFrom: 0,
      rows: 10,
      accepted: { "user-events": 8 },
      deadLettered: 2,
    });
    expect(kafka.rows()).toEqual(range(0, 10));
    expect(kafka.sends).toBe(3);
    // Before each send: what is acknowledged, and the batch as in flight with the offsets it starts after.
    expect(store.writes.map((w) => [w.published, w.inFlight?.to])).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(store.writes[1]?.inFlight?.from).toEqual({ "user-events/0": 4, "dlq/0": 0 });
  });

  it("resends only the rows of a failed batch that did not land", async () => {
    const kafka = new FakeKafka();
    kafka.failNext = { landFirst: 2 };
    const events: string[] = [];
    const outcome = await publishFileRows(
      { sha256: SHA, batch: 5, retry: NO_WAIT, onEvent: (e) => events.push(e.kind) },
      iterate(entries(5)),
      kafka,
      memoryStore(),
    );
    expect(outcome.state).toBe("complete");
    expect(sorted(kafka.rows())).toEqual(range(0, 5));
    expect(events).toContain("retry");
  });

  it("resumes an interrupted load: skips the published rows and the landed part of the batch in flight", async () => {
    const kafka = new FakeKafka();
    const all = entries(12);
    // The killed run: rows 0-3 acknowledged, then rows 4-7 sent, of which 4 and 5 landed; no ack.
    kafka.log.push(...all.slice(0, 4).map((e) => e.message));
    const from = await kafka.endOffsets();
    kafka.log.push(...all.slice(4, 6).map((e) => e.message));
    // Another producer writes to the same topic meanwhile.
    kafka.log.push({ topic: "user-events", key: "x", value: "{}", headers: {} });
    const store = memoryStore({
      version: 1,
      sha256: SHA,
      published: 4,
      accepted: { "user-events": 4 },
      deadLettered: 0,
      inFlight: { to: 8, from },
      updatedAt: "2026-12-06T00:00:00Z",
    });
    const events: unknown[] = [];
    const outcome = await publishFileRows(
      { sha256: SHA, batch: 4, retry: NO_WAIT, onEvent: (e) => events.push(e) },
      iterate(all),
      kafka,
      store,
    );
    expect(events[0]).toEqual({ kind: "resumed", from: 4, landed: 2 });
    expect(outcome).toMatchObject({ state: "complete", resumedFrom: 4, rows: 12, deadLettered: 2 });
    expect(outcome.accepted).toEqual({ "user-events": 10 });
    const rows = kafka.rows().filter((r) => !Number.isNaN(r));
    expect(sorted(rows)).toEqual(range(0, 12));
  });

  it("on a stop request finishes the batch in flight, then stops with a checkpoint to resume from", async () => {
    const kafka = new FakeKafka();
    const controller = new AbortController();
    const send = kafka.send.bind(kafka);
    kafka.send = async (messages) => {
      controller.abort(); // Ctrl-C while the first batch is on the wire
      await send(messages);
    };
    const store = memoryStore();
    const outcome = await publishFileRows(
      { sha256: SHA, batch: 3, retry: NO_WAIT, signal: controller.signal },
      iterate(entries(9)),
      kafka,
      store,
    );
    expect(outcome).toMatchObject({ state: "stopped", rows: 3 });
    expect(kafka.rows()).toEqual([0, 1, 2]);
    expect(store.saved).toMatchObject({ published: 3 });
    expect(store.saved?.inFlight).toBeUndefined();
  });

  it("gives up after the retry policy with what was published and how to resume", async () => {
    const kafka = new FakeKafka();
    kafka.send = async () => {
      throw Object.assign(new Error("broker down"), { code: "ECONNREFUSED" });
    };
    const failure = publishFileRows(
      { sha256: SHA, batch: 5, retry: NO_WAIT },
      iterate(entries(5)),
      kafka,
      memoryStore(),
    );
    await expect(failure).rejects.toBeInstanceOf(LoadPublishFailed);
    await expect(failure).rejects.toMatchObject({ code: "KAFKA_PUBLISH_FAILED", retriable: true });
    await expect(failure).rejects.toThrow(/0 rows are published/);
  });
});
