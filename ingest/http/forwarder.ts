import { type BreakerOptions, type BreakerState, CircuitBreaker, DEFAULT_BREAKER } from "./breaker.js";
import type { Spool } from "./spool.js";
import { frameBytes, type SpoolRecord } from "./spool-format.js";

/**
 * Drains the spool into Kafka in spool order, one batch in flight, behind a circuit breaker. A batch is
 * acknowledged in the spool (the cursor moves) only after Kafka acknowledged all of it (acks=all).
 *
 * Exactly once after a crash or a failed send: every message carries the spool's id and its sequence
 * number as headers. Kafka may hold part of a batch whose send failed (or that was in flight when the
 * process died), so before sending again the forwarder *reconciles*: it reads each partition from the
 * offset where this spool's unacknowledged messages can start (kept in the cursor) to the end, and drops
 * from the batch every record Kafka already has. The link recreates its producer after a failure, since
 * kafkajs 2.2.4's idempotent producer rolls back every partition's sequence numbers after a partly failed
 * send.
 */

/** Kafka, as the forwarder needs it (kafka-link.ts; tests pass a recording fake). */
export interface ForwardLink {
  /** Sends in order; resolves with topic:partition → offset after the last message sent there. */
  send(records: readonly SpoolRecord[], spoolId: string): Promise<Record<string, number>>;
  /**
   * This spool's records with a sequence number above `afterSeq` that Kafka holds at or after `from`
   * (a partition missing there is read from its start), and new `from` offsets: per partition the first
   * such message's offset, else the end of the partition.
   */
  delivered(
    spoolId: string,
    afterSeq: bigint,
    from: Readonly<Record<string, number>>,
    scan: boolean,
  ): Promise<{ seqs: ReadonlySet<bigint>; from: Record<string, number> }>;
  /** Drops the producer; the next send makes a new one. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface ForwarderObserver {
  forwarded(records: number): void;
  failed(error: unknown, state: BreakerState): void;
  reconciled(alreadyInKafka: number): void;
}

export interface ForwarderOptions {
  readonly batchRecords?: number;
  readonly batchBytes?: number;
  readonly breaker?: BreakerOptions;
  /** Pause after a failure while the breaker is still closed. */
  readonly retryMs?: number;
  /**
   * How long to wait for more records when fewer than a tenth of a batch are spooled (default 25 ms): a
   * kafkajs send cost ~450 µs of CPU plus ~18 µs a record (sequential sends to the local stack, load
   * average 20), so one-event requests forwarded a few at a time cost more in sends than in HTTP. It
   * delays events on their way to Kafka, never a response.
   */
  readonly lingerMs?: number;
  readonly clock?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

const NEVER = new AbortController().signal;

export class Forwarder {
  readonly breaker: CircuitBreaker;
  private batch: SpoolRecord[] = [];
  /** The unfiltered batch's last number and bytes: what the spool is acknowledged with. */
  private batchLast = 0n;
  private batchBytes = 0;
  /** Before the next send: look in Kafka for records already there (after a start with a backlog, a failure). */
  private reconcile: "scan" | "baseline" | "none";
  /**
   * Records the last reconciliation found in Kafka, until the batches holding them are acknowledged: after
   * a restart they may span many batches, since the cursor file lags the acknowledgements.
   */
  private inKafka = new Set<bigint>();
  private readonly wake = new AbortController();
  private readonly woken: Promise<void>;
  private stopping: "no" | "drain" | "now" = "no";
  private loop: Promise<void> | undefined;
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    private readonly spool: Spool,
    private readonly link: ForwardLink,
    private readonly observer: ForwarderObserver,
    private readonly options: ForwarderOptions = {},
  ) {
    this.breaker = new CircuitBreaker(options.breaker ?? DEFAULT_BREAKER);
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    // A backlog at start may have been in flight when the last process died.
    this.reconcile = spool.drained() ? "baseline" : "scan";
    this.woken = new Promise((resolve) => this.wake.signal.addEventListener("abort", () => resolve()));
  }

  start(): void {
    this.loop ??= this.run();
  }

  breakerState(): BreakerState {
    return this.breaker.state(this.clock());
  }

  /**
   * Stops the loop. `drain`: once every durable record is in Kafka, or when `deadlineMs` passes (what is
   * left stays spooled for the next start). Close the spool first, so nothing new arrives.
   */
  async stop(mode: "drain" | "now", deadlineMs = 30_000): Promise<void> {
    this.stopping = mode;
    this.wake.abort();
    this.start();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.stopping = "now";
        resolve();
      }, deadlineMs);
    });
    await Promise.race([this.loop, deadline]);
    clearTimeout(timer);
    await this.loop;
    await this.link.close();
  }

  private async run(): Promise<void> {
    while (this.stopping !== "now") {
      if (this.batch.length === 0) {
        await this.fill();
        if (this.batch.length === 0) {
          // Everything durable was read and acknowledged.
          if (this.stopping === "drain") return;
          if (this.spool.isClosed) await this.sleep(100, this.wake.signal);
          else await Promise.race([this.spool.whenReadable(), this.woken]);
          continue;
        }
      }
      const wait = this.breaker.waitMs(this.clock());
      if (wait > 0) {
        // A drain keeps waiting for Kafka (until its deadline); a plain stop does not.
        await this.sleep(wait, this.stopping === "no" ? this.wake.signal : NEVER);
        continue;
      }
      await this.attempt();
    }
  }

  private async fill(): Promise<void> {
    const batchRecords = this.options.batchRecords ?? 1_000;
    const linger = this.options.lingerMs ?? 25;
    if (linger > 0 && this.stopping === "no" && this.spool.readable() < batchRecords / 10) {
      await this.sleep(linger, this.wake.signal);
    }
    // Modest batches: kafkajs encodes a batch synchronously on the event loop (its encoder, CRC and buffer
    // copies were ~20 % of the API's CPU profile under load), so a smaller batch is a shorter pause for
    // the HTTP requests waiting; one round trip per 1,000 records still leaves Kafka far from the limit.
    const records = await this.spool.read(batchRecords, this.options.batchBytes ?? 512 * 1024);
    this.batch = records;
    this.batchLast = records.at(-1)?.seq ?? 0n;
    this.batchBytes = 0;
    for (const r of records) this.batchBytes += frameBytes(r);
  }

  private async attempt(): Promise<void> {
    try {
      if (this.reconcile !== "none") {
        const acked = BigInt(this.spool.cursor.acked);
        const scan = this.reconcile === "scan";
        const found = await this.link.delivered(this.spool.id, acked, this.spool.cursor.offsets, scan);
        // Saved with the next acknowledgement; until then the older, lower offsets are a correct start.
        this.spool.setOffsets(found.from);
        this.inKafka = new Set(found.seqs);
        if (scan) this.observer.reconciled(found.seqs.size);
        this.reconcile = "none";
      }
      if (this.inKafka.size > 0) this.batch = this.batch.filter((r) => !this.inKafka.has(r.seq));
      const ends = this.batch.length > 0 ? await this.link.send(this.batch, this.spool.id) : {};
      this.breaker.success();
      await this.spool.ack(this.batchLast, this.batchBytes, ends);
      this.observer.forwarded(this.batch.length);
      for (const seq of this.inKafka) if (seq <= this.batchLast) this.inKafka.delete(seq);
      this.batch = [];
    } catch (error) {
      this.breaker.failure(this.clock());
      this.reconcile = "scan";
      this.observer.failed(error, this.breaker.state(this.clock()));
      await this.link.reset().catch(() => {});
      if (this.breaker.state(this.clock()) === "closed") {
        await this.sleep(this.options.retryMs ?? 200, this.stopping === "no" ? this.wake.signal : NEVER);
      }
    }
  }
}
