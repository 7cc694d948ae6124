import type { Kafka, Producer } from "kafkajs";
import { ALERTS_TOPIC, type Alert, alertKey } from "../../core/alert.js";
import type { AlertPublisher } from "./ports.js";

/** Low-stock alerts onto the `alerts` topic (core/alert.ts), keyed so one product's alerts stay in order. */
export class KafkaAlertPublisher implements AlertPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly topic = ALERTS_TOPIC,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: true,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  async publish(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    this.connected ??= this.producer.connect();
    await this.connected;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: alerts.map((a) => ({ key: alertKey(a), value: JSON.stringify(a) })),
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect().catch(() => {});
  }
}
