import type { Admin, Consumer, Kafka } from "kafkajs";
import { partitionKey, type SourceBatch, type StreamSource, type Watermarks } from "./ports.js";

/**
 * The real `StreamSource` on kafkajs. The consumer group only spreads partitions and shows up in Kafka's
 * tools: nothing is committed to it, positions come from Redis (the processor seeks), so a crash between
 * Redis and a group commit can never count a message twice.
 */
export class KafkaStreamSource implements StreamSource {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private adminConnected: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly finished: Promise<void>;
  private finish: (error?: unknown) => void = () => {};

  constructor(
    kafka: Kafka,
    private readonly topics: readonly string[],
    groupId: string,
  ) {
    this.consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
    this.admin = kafka.admin();
    this.finished = new Promise<void>((resolve, reject) => {
      this.finish = (error) => (error === undefined ? resolve() : reject(error));
    });
    // A rejection nobody awaits yet must not become an unhandled one.
    this.finished.catch(() => {});
  }

  async watermarks(): Promise<Map<string, Watermarks>> {
    this.adminConnected ??= this.admin.connect();
    await this.adminConnected;
    const out = new Map<string, Watermarks>();
    for (const topic of this.topics) {
      for (const p of await this.admin.fetchTopicOffsets(topic)) {
        out.set(partitionKey(topic, p.partition), { low: Number(p.low), high: Number(p.high) });
      }
    }
    return out;
  }

  async start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.finish(event.payload.error);
      void this.stop();
    });
    this.consumer.on(this.consumer.events.STOP, () => this.finish());
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isRunning, isStale }) => {
        if (!isRunning() || isStale()) return;
        try {
          await onBatch({
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: Number(batch.highWatermark),
            messages: batch.messages.map((m) => ({ offset: Number(m.offset), value: m.value })),
          });
        } catch (error) {
          // Our error, not Kafka's: stop consuming (kafkajs would retry the batch on its own) and fail.
          this.finish(error);
          void this.stop();
        }
      },
    });
  }

  fail(error: unknown): void {
    this.finish(error);
    void this.stop();
  }

  stopped(): Promise<void> {
    return this.finished;
  }

  seek(topic: string, partition: number, offset: number): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.consumer.disconnect().catch(() => {});
      if (this.adminConnected) await this.admin.disconnect().catch(() => {});
      this.finish();
    })();
    return this.stopping;
  }
}
