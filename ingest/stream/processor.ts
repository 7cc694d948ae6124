import { decodeMessage, type TopicKind } from "../contracts.js";
import { type InventoryChange, parseInventoryChange } from "./inventory-change.js";
import { type Observation, observe } from "./observations.js";
import {
  type AlertPublisher,
  partitionKey,
  type SourceBatch,
  type StreamSource,
  type StreamStore,
} from "./ports.js";
import { WritePlanBuilder } from "./write-plan.js";

/**
 * The stream processor's loop as an explicit state machine:
 *
 *   idle ─start→ syncing ─offsets in Redis→ running
 *                        └─no offsets─────→ rebuilding ─caught up→ running
 *   running|rebuilding ─a batch finds Redis' offsets changed (FLUSHDB, a Redis restarted empty)→ syncing
 *   any ─stop→ stopped
 *
 * Each batch is applied with its offsets in one MULTI/EXEC (store.apply), and positions come from Redis,
 * never from the consumer group: messages below the stored offset are skipped, a gap is closed by seeking
 * back. Rebuilding replays the topics from their earliest offsets with alerts off until the end offsets seen
 * when the rebuild began (those crossings were announced when they happened); windows already expired are
 * skipped by the write plan.
 */
export type Phase = "idle" | "syncing" | "rebuilding" | "running" | "stopped";

const TRANSITIONS: Readonly<Record<Phase, readonly Phase[]>> = {
  idle: ["syncing", "stopped"],
  syncing: ["running", "rebuilding", "stopped"],
  rebuilding: ["running", "syncing", "stopped"],
  running: ["syncing", "stopped"],
  stopped: [],
};

export interface ProcessorTopics {
  /** The Debezium topic of `inventory` (`db.inventory`). */
  readonly inventory: string;
  /** Event topics and their contract (user-events, orders). */
  readonly events: ReadonlyMap<string, TopicKind>;
}

export interface ProcessorObserver {
  onPhase?(phase: Phase, reason: string): void;
  /** After each applied batch: what it held and how far behind the partition it is. */
  onApplied?(report: AppliedReport): void;
  /** A message that is not a valid event or inventory change: skipped (the sink dead-letters it). */
  onInvalid?(topic: string, reason: string): void;
  onAlerts?(count: number): void;
}

export interface AppliedReport {
  readonly topic: string;
  readonly partition: number;
  readonly messages: number;
  readonly lag: number;
  /** Database commit times (epoch ms) of the inventory changes applied. */
  readonly commitTimes: readonly number[];
  readonly appliedAtMs: number;
}

export interface ProcessorOptions {
  readonly store: StreamStore;
  readonly source: StreamSource;
  readonly alerts: AlertPublisher;
  readonly topics: ProcessorTopics;
  /** Prefix of every Redis key (tests isolate themselves with it); "" in production. */
  readonly keyPrefix: string;
  readonly now?: () => number;
  readonly observer?: ProcessorObserver;
}

type Decoded =
  | { kind: "inventory"; change: InventoryChange; offset: number }
  | { kind: "event"; observations: Observation[] }
  | { kind: "skip" };

export class StreamProcessor {
  private phaseNow: Phase = "idle";
  /** Next offset to apply per partition, as Redis holds it (or the low watermark while rebuilding). */
  private readonly positions = new Map<string, number>();
  /** Partitions we seeked and whose next batch must start there. */
  private readonly seeking = new Map<string, number>();
  /** Whether Redis held offsets at the last sync or since a batch was applied. */
  private offsetsInRedis = false;
  /** While rebuilding: alerts stay off below these offsets. */
  private catchUpTo = new Map<string, number>();
  private readonly below = new Map<string, boolean>();
  private readonly now: () => number;
  /** handle, sync and verify run one at a time (batches come one by one; verify comes from a timer). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProcessorOptions) {
    this.now = options.now ?? Date.now;
  }

  get phase(): Phase {
    return this.phaseNow;
  }

  /** Reads where Redis is, seeks the source there (or to the earliest offsets), and flushes the outbox. */
  sync(reason = "start"): Promise<void> {
    return this.exclusive(() => this.syncNow(reason));
  }

  /** One fetched batch (see handleNow). */
  handle(batch: SourceBatch): Promise<void> {
    return this.exclusive(() => this.handleNow(batch));
  }

  /**
   * Between batches: when Redis lost its offsets (FLUSHDB, a restart without persistence), sync again now
   * rather than at the next message, so an idle view is rebuilt too.
   */
  verify(): Promise<void> {
    return this.exclusive(async () => {
      if (this.phaseNow !== "running" && this.phaseNow !== "rebuilding") return;
      if (!this.offsetsInRedis) return;
      if ((await this.options.store.readOffsets()) === undefined) {
        await this.syncNow("Redis holds no offsets any more (data lost?): syncing again");
      }
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  private async syncNow(reason: string): Promise<void> {
    this.transition("syncing", reason);
    this.positions.clear();
    this.seeking.clear();
    this.below.clear();
    const [offsets, watermarks] = await Promise.all([
      this.options.store.readOffsets(),
      this.options.source.watermarks(),
    ]);
    this.offsetsInRedis = offsets !== undefined;
    for (const [key, marks] of watermarks) {
      // A partition Redis has no offset for (new topic or partition) starts at its beginning.
      const stored = offsets?.get(key);
      const position = Math.max(stored ?? marks.low, marks.low);
      this.positions.set(key, position);
      this.seekTo(key, position);
    }
    await this.flushOutbox();
    if (offsets) {
      this.catchUpTo = new Map();
      this.transition("running", "offsets found in Redis");
    } else {
      this.catchUpTo = new Map([...watermarks].map(([k, m]) => [k, m.high]));
      this.transition(
        "rebuilding",
        "no offsets in Redis: rebuilding the view from the earliest offsets, alerts off until caught up",
      );
      this.checkCaughtUp();
    }
  }

  /** One fetched batch: skip what Redis already holds, close gaps, decode, apply atomically, publish alerts. */
  private async handleNow(batch: SourceBatch): Promise<void> {
    if (this.phaseNow !== "running" && this.phaseNow !== "rebuilding") return;
    const key = partitionKey(batch.topic, batch.partition);
    const first = batch.messages[0]?.offset;
    if (first === undefined) return;
    const expected = this.positions.get(key);
    const target = this.seeking.get(key);
    if (target !== undefined) {
      // After a seek kafkajs may still hand over a batch fetched before it: not ours until the seek lands.
      if (first > target) return;
      this.seeking.delete(key);
    }
    if (expected === undefined) {
      // A partition that appeared after the sync (a topic created later): take it from its start.
      this.positions.set(key, first);
    } else if (first > expected) {
      // A gap: Kafka's position ran ahead of Redis (the group's own offset). Go back to Redis' position.
      this.seekTo(key, expected);
      return;
    }
    const from = this.positions.get(key) ?? first;
    const messages = batch.messages.filter((m) => m.offset >= from);
    const last = batch.messages[batch.messages.length - 1];
    if (messages.length === 0 || !last) return;

    const productIds = new Set<string>();
    const decoded = messages.map((m) => this.decode(batch.topic, m.value, m.offset, productIds));
    const unknown = [...productIds].filter((id) => !this.below.has(id));
    if (unknown.length > 0) {
      const below = await this.options.store.readBelow(unknown);
      for (const id of unknown) this.below.set(id, below.has(id));
    }
    const nowMs = this.now();
    const plan = new WritePlanBuilder(this.options.keyPrefix, nowMs, (id) => this.below.get(id) ?? false);
    const alertsFrom = this.catchUpTo.get(key) ?? 0;
    const commitTimes: number[] = [];
    for (const item of decoded) {
      if (item.kind === "inventory") {
        plan.inventory(item.change, item.offset >= alertsFrom);
        if (item.change.commitMs !== undefined) commitTimes.push(item.change.commitMs);
      } else if (item.kind === "event") {
        for (const observation of item.observations) plan.observe(observation);
      }
    }
    plan.offset(batch.topic, batch.partition, last.offset + 1);
    const built = plan.build();
    const outcome = await this.options.store.apply(built, this.offsetsInRedis);
    if (outcome === "stale") {
      await this.syncNow("Redis' offsets changed under the processor (data lost?): syncing again");
      return;
    }
    this.offsetsInRedis = true;
    this.positions.set(key, last.offset + 1);
    for (const [id, stock] of built.stock) {
      if (stock) this.below.set(id, stock.below);
      else this.below.delete(id);
    }
    if (built.alerts.length > 0) await this.flushOutbox();
    this.options.observer?.onApplied?.({
      topic: batch.topic,
      partition: batch.partition,
      messages: messages.length,
      lag: Math.max(0, batch.highWatermark - (last.offset + 1)),
      commitTimes,
      appliedAtMs: this.now(),
    });
    if (this.phaseNow === "rebuilding") this.checkCaughtUp();
  }

  stop(): void {
    if (this.phaseNow !== "stopped") this.transition("stopped", "stop");
  }

  /** The next offset per partition as applied to Redis (for lag and tests). */
  positionsSnapshot(): ReadonlyMap<string, number> {
    return new Map(this.positions);
  }

  private decode(topic: string, value: Buffer | null, offset: number, productIds: Set<string>): Decoded {
    if (topic === this.options.topics.inventory) {
      const parsed = parseInventoryChange(value);
      if (!parsed.ok) {
        this.options.observer?.onInvalid?.(topic, parsed.reason);
        return { kind: "skip" };
      }
      productIds.add(parsed.change.productId);
      return { kind: "inventory", change: parsed.change, offset };
    }
    const kind = this.options.topics.events.get(topic);
    if (!kind) return { kind: "skip" };
    const decoded = decodeMessage(kind, value);
    if (!decoded.ok) {
      this.options.observer?.onInvalid?.(topic, decoded.reason);
      return { kind: "skip" };
    }
    return { kind: "event", observations: observe(decoded.event) };
  }

  private seekTo(key: string, offset: number): void {
    const at = key.lastIndexOf(":");
    this.seeking.set(key, offset);
    this.options.source.seek(key.slice(0, at), Number(key.slice(at + 1)), offset);
  }

  private checkCaughtUp(): void {
    for (const [key, high] of this.catchUpTo) {
      if ((this.positions.get(key) ?? 0) < high) return;
    }
    this.catchUpTo = new Map();
    this.transition("running", "rebuilt: caught up with the offsets seen when the rebuild began");
  }

  private async flushOutbox(): Promise<void> {
    const { alerts, length } = await this.options.store.outbox();
    if (length === 0) return;
    await this.options.alerts.publish(alerts);
    await this.options.store.ackOutbox(length);
    this.options.observer?.onAlerts?.(alerts.length);
  }

  private transition(next: Phase, reason: string): void {
    if (next === this.phaseNow) return;
    if (!TRANSITIONS[this.phaseNow].includes(next)) {
      throw new Error(`stream processor: no transition ${this.phaseNow} → ${next}`);
    }
    this.phaseNow = next;
    this.options.observer?.onPhase?.(next, reason);
  }
}
