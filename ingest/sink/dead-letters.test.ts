import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import {
  DLQ_PRODUCER_CONFIG,
  deadLetterRecord,
  TRUNCATED_VALUE_BYTES,
  truncatedRecord,
} from "./dead-letters.js";

const letter = (key: Buffer | null, value: Buffer | null, reason: string) => ({
  offset: 41n,
  reason,
  message: { key, value, offset: "41", timestamp: "0", attributes: 0 } as KafkaMessage,
});

describe("dead letters", () => {
  it("go through a producer that is not idempotent and keeps one request in flight", () => {
    // kafkajs 2.2.4's idempotent producer loses or stalls letters after a partly failed send (see the config).
    expect(DLQ_PRODUCER_CONFIG.idempotent).toBe(false);
    expect(DLQ_PRODUCER_CONFIG.maxInFlightRequests).toBe(1);
  });

  it("carry the original key and bytes, the reason and the source coordinates", () => {
    const record = deadLetterRecord(
      "orders",
      2,
      letter(Buffer.from("k"), Buffer.from("{bad"), "invalid JSON"),
    );
    expect(record).toEqual({
      key: Buffer.from("k"),
      value: Buffer.from("{bad"),
      headers: { error: "invalid JSON", source_topic: "orders", source_partition: "2", source_offset: "41" },
    });
  });

  it("truncate to about 10 KiB whatever the size of the key, the value and the reason, keeping the coordinates", () => {
    const value = Buffer.alloc(4 * 1024 * 1024, "v");
    const key = Buffer.alloc(2 * 1024 * 1024, "k");
    const record = deadLetterRecord("orders", 2, letter(key, value, "r".repeat(100_000)));
    const copy = truncatedRecord(record);
    const headerBytes = Object.entries(copy.headers).reduce(
      (n, [k, v]) => n + k.length + Buffer.byteLength(v),
      0,
    );
    expect((copy.key?.length ?? 0) + (copy.value?.length ?? 0) + headerBytes).toBeLessThan(11 * 1024);
    expect(copy.value?.equals(value.subarray(0, TRUNCATED_VALUE_BYTES))).toBe(true);
    expect(copy.headers).toMatchObject({
      source_topic: "orders",
      source_partition: "2",
      source_offset: "41",
      truncated: "true",
      original_value_bytes: String(value.length),
      original_key_bytes: String(key.length),
    });
    expect(copy.headers.error?.startsWith("rrr")).toBe(true);
  });

  it("keep a small letter's value whole when truncating (a null value stays null)", () => {
    const copy = truncatedRecord(
      deadLetterRecord("orders", 0, letter(null, null, "empty message (no value)")),
    );
    expect(copy.value).toBeNull();
    expect(copy.key).toBeNull();
    expect(copy.headers.original_value_bytes).toBe("0");
  });
});
