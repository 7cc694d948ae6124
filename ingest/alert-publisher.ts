import type { Kafka, Producer } from "kafkajs";
import { ALERTS_TOPIC, type Alert, alertKey, alertSchema } from "../core/alert.js";
import { ensureTopics, idempotentProducer } from "./producer.js";

/** Where alerts go: Kafka in `floe serve`, a recording fake in unit tests. */
export interface AlertPublisher {
  publish(alert: Alert): Promise<void>;
  close(): Promise<void>;
}

/**
 * Publishes each alert, validated against core/alert.ts, as one JSON message keyed by its subject on the
 * `alerts` topic (created with one partition when missing). Connects on the first alert, so a serve whose
 * SLO never burns opens no producer; a failed send rejects and the caller logs it (the alert's log line is
 * the record that never depends on Kafka).
 */
export function kafkaAlertPublisher(kafka: Kafka, topic: string = ALERTS_TOPIC): AlertPublisher {
  let producer: Promise<Producer> | undefined;
  const connect = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, { sources: [topic] }, 1);
    } finally {
      await admin.disconnect();
    }
    const p = idempotentProducer(kafka);
    await p.connect();
    return p;
  };
  return {
    async publish(alert) {
      const value = JSON.stringify(alertSchema.parse(alert));
      producer ??= connect().catch((error: unknown) => {
        producer = undefined;
        throw error;
      });
      await (await producer).send({ topic, acks: -1, messages: [{ key: alertKey(alert), value }] });
    },
    async close() {
      const p = producer;
      producer = undefined;
      if (p) await (await p.catch(() => undefined))?.disconnect();
    },
  };
}
