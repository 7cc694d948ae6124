import { describe, expect, it } from "vitest";
import type { Alert } from "../../core/alert.js";
import type { AlertPublisher, SourceBatch, StreamSource, StreamStore, Watermarks } from "./ports.js";
import { type Phase, StreamProcessor } from "./processor.js";
import type { WritePlan } from "./write-plan.js";

const NOW = Date.parse("2026-12-06T10:00:50Z");
const INVENTORY = "db.inventory";
const EVENTS = "user-events";

/** Redis as the processor sees it, in memory, recording every apply. */
class FakeStore implements StreamStore {
  offsets: Map<string, number> | undefined;
  stock = new Map<string, number>();
  below = new Set<string>();
  counters = new Map<string, number>();
  outboxed: Alert[] = [];
  applies: WritePlan[] = [];

  async readOffsets() {
    return this.offsets ? new Map(this.offsets) : undefined;
  }
  async readBelow(ids: readonly string[]) {
    return new Set(ids.filter((id) => this.below.has(id)));
  }
  async apply(plan: WritePlan, expectOffsets: boolean): Promise<"applied" | "stale"> {
    if ((this.offsets !== undefined) !== expectOffsets) return "stale";
    this.applies.push(plan);
    for (const [id, s] of plan.stock) {
      if (s) this.stock.set(id, s.quantity);
      else this.stock.delete(id);
      if (s?.below) this.below.add(id);
      else this.below.delete(id);
    }
    for (const [k, c] of plan.counters) this.counters.set(k, (this.counters.get(k) ?? 0) + c.count);
    this.outboxed.push(...plan.alerts);
    this.offsets ??= new Map();
    for (const [k, v] of plan.offsets) this.offsets.set(k, v);
    return "applied";
  }
  async outbox() {
    return { alerts: [...this.outboxed], length: this.outboxed.length };
  }
  async ackOutbox(count: number) {
    this.outboxed.splice(0, count);
  }
  /** FLUSHDB */
  flush() {
    this.offsets = undefined;
    this.stock.clear();
    this.below.clear();
    this.counters.clear();
    this.outboxed = [];
  }
  async close() {}
}

class FakeSource implements StreamSource {
  seeks: string[] = [];
  constructor(public marks: Map<string, Watermarks>) {}
  async watermarks() {
    return new Map(this.marks);
  }
  async start() {}
  async stopped() {}
  seek(topic: string, partition: number, offset: number) {
    this.seeks.push(`${topic}:${partition}@${offset}`);
  }
  async stop() {}
  fail() {}
}

class FakeAlerts implements AlertPublisher {
  published: Alert[] = [];
  async publish(alerts: readonly Alert[]) {
    this.published.push(...alerts);
  }
  async close() {}
}

const inventoryValue = (productId: string, quantity: number) =>
  Buffer.from(
    JSON.stringify({
      before: null,
      after: { product_id: productId, quantity, low_stock_threshold: 10 },
      source: { lsn: 1, txId: 1, ts_ms: NOW - 200, snapshot: "false" },
      op: "u",
      ts_ms: NOW - 100,
    }),
  );
const viewValue = (user: string) =>
  Buffer.from(
    JSON.stringify({
      event_id: crypto.randomUUID(),
      event_type: "product_view",
      event_time: "2026-12-06T10:00:30Z",
      user_id: user,
      session_id: "s-1",
      product_id: "p-1",
      country: "US",
      device: "web",
    }),
  );

const inventoryBatch = (first: number, quantities: readonly [string, number][]): SourceBatch => ({
  topic: INVENTORY,
  partition: 0,
  highWatermark: first + quantities.length,
  messages: quantities.map(([id, q], i) => ({ offset: first + i, value: inventoryValue(id, q) })),
});

function setup(marks: Record<string, Watermarks>, onInvalid?: (topic: string, reason: string) => void) {
  const store = new FakeStore();
  const source = new FakeSource(new Map(Object.entries(marks)));
  const alerts = new FakeAlerts();
  const phases: Phase[] = [];
  const processor = new StreamProcessor({
    store,
    source,
    alerts,
    topics: { inventory: INVENTORY, events: new Map([[EVENTS, "user-events"]]) },
    keyPrefix: "",
    now: () => NOW,
    observer: { onPhase: (phase) => phases.push(phase), ...(onInvalid ? { onInvalid } : {}) },
  });
  return { store, source, alerts, phases, processor };
}

describe("the stream processor", () => {
  it("rebuilds from the earliest offsets when Redis has none, silent until caught up, then alerts", async () => {
    const { store, source, alerts, phases, processor } = setup({ "db.inventory:0": { low: 0, high: 3 } });
    await processor.sync();
    expect(phases).toEqual(["syncing", "rebuilding"]);
    expect(source.seeks).toEqual(["db.inventory:0@0"]);
    // History: p-1 went low at offset 1 — announced back then, not again.
    await processor.handle(
      inventoryBatch(0, [
        ["p-1", 20],
        ["p-1", 5],
        ["p-2", 30],
      ]),
    );
    expect(processor.phase).toBe("running");
    expect(alerts.published).toEqual([]);
    expect(store.stock).toEqual(
      new Map([
        ["p-1", 5],
        ["p-2", 30],
      ]),
    );
    // New changes: p-1 recovers, p-2 goes low: two alerts, each once.
    await processor.handle(
      inventoryBatch(3, [
        ["p-1", 15],
        ["p-2", 9],
        ["p-2", 4],
      ]),
    );
    expect(alerts.published.map((a) => (a.kind === "low_stock" ? `${a.product_id}:${a.state}` : ""))).toEqual(
      ["p-1:recovered", "p-2:below"],
    );
    expect(store.outboxed).toEqual([]);
    expect(store.offsets?.get("db.inventory:0")).toBe(6);
  });

  it("resumes from Redis' offsets: messages it already holds are not applied twice", async () => {
    const { store, source, processor } = setup({ "user-events:0": { low: 0, high: 10 } });
    store.offsets = new Map([["user-events:0", 2]]);
    await processor.sync();
    expect(processor.phase).toBe("running");
    expect(source.seeks).toEqual(["user-events:0@2"]);
    const batch: SourceBatch = {
      topic: EVENTS,
      partition: 0,
      highWatermark: 4,
      messages: [0, 1, 2, 3].map((offset) => ({ offset, value: viewValue(`u-${offset}`) })),
    };
    await processor.handle(batch);
    expect(store.counters.get("metric:events:1m:2026-12-06T10:00:00Z")).toBe(2);
    await processor.handle(batch); // redelivered (a rebalance): nothing new
    expect(store.applies).toHaveLength(1);
    expect(store.offsets?.get("user-events:0")).toBe(4);
  });

  it("seeks back when Kafka hands over a batch past Redis' position", async () => {
    const { store, source, processor } = setup({ "db.inventory:0": { low: 0, high: 10 } });
    store.offsets = new Map([["db.inventory:0", 3]]);
    await processor.sync();
    await processor.handle(inventoryBatch(3, [["p-1", 50]])); // the seek landed
    await processor.handle(inventoryBatch(7, [["p-1", 40]])); // a gap of 4..6
    expect(source.seeks).toEqual(["db.inventory:0@3", "db.inventory:0@4"]);
    expect(store.stock.get("p-1")).toBe(50);
    await processor.handle(inventoryBatch(4, [["p-1", 45]]));
    expect(store.stock.get("p-1")).toBe(45);
  });

  it("notices Redis lost its data mid-run and rebuilds instead of writing onto nothing", async () => {
    const { store, source, phases, processor } = setup({ "db.inventory:0": { low: 0, high: 2 } });
    await processor.sync();
    await processor.handle(
      inventoryBatch(0, [
        ["p-1", 20],
        ["p-2", 3],
      ]),
    );
    expect(processor.phase).toBe("running");
    store.flush();
    source.marks.set("db.inventory:0", { low: 0, high: 3 });
    await processor.handle(inventoryBatch(2, [["p-1", 19]]));
    expect(store.applies).toHaveLength(1); // the stale apply wrote nothing
    expect(phases).toEqual(["syncing", "rebuilding", "running", "syncing", "rebuilding"]);
    expect(source.seeks.at(-1)).toBe("db.inventory:0@0");
    await processor.handle(
      inventoryBatch(0, [
        ["p-1", 20],
        ["p-2", 3],
        ["p-1", 19],
      ]),
    );
    expect(store.stock).toEqual(
      new Map([
        ["p-1", 19],
        ["p-2", 3],
      ]),
    );
    expect(processor.phase).toBe("running");
  });

  it("rebuilds an idle view whose Redis lost its data, at the next verify", async () => {
    const { store, source, processor } = setup({ "db.inventory:0": { low: 0, high: 1 } });
    await processor.sync();
    await processor.handle(inventoryBatch(0, [["p-1", 20]]));
    await processor.verify();
    expect(processor.phase).toBe("running");
    store.flush();
    await processor.verify();
    expect(processor.phase).toBe("rebuilding");
    expect(source.seeks.at(-1)).toBe("db.inventory:0@0");
  });

  it("publishes what the outbox still holds after a crash, at the next start", async () => {
    const { store, alerts, processor } = setup({});
    store.offsets = new Map();
    const left: Alert = {
      kind: "low_stock",
      at: new Date(NOW).toISOString(),
      severity: "warning",
      summary: "p-9 is low",
      product_id: "p-9",
      quantity: 2,
      threshold: 10,
      state: "below",
    };
    store.outboxed = [left];
    await processor.sync();
    expect(alerts.published).toEqual([left]);
    expect(store.outboxed).toEqual([]);
  });

  it("skips messages that are not changes or events, and says so", async () => {
    const invalid: string[] = [];
    const { store, processor: p } = setup({ "db.inventory:0": { low: 0, high: 1 } }, (topic, reason) =>
      invalid.push(`${topic}: ${reason}`),
    );
    await p.sync();
    await p.handle({
      topic: INVENTORY,
      partition: 0,
      highWatermark: 1,
      messages: [{ offset: 0, value: Buffer.from("{") }],
    });
    expect(invalid).toEqual([expect.stringContaining("db.inventory: invalid JSON")]);
    expect(store.offsets?.get("db.inventory:0")).toBe(1);
  });
});
