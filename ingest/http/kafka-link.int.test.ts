import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { endpointsFromEnv, kafkaClient } from "../endpoints.js";
import { readTopic, uniqueRun } from "../int-helpers.js";
import { tempDir, waitFor } from "./api-int-helpers.js";
import { Forwarder } from "./forwarder.js";
import { kafkaForwardLink, SEQ_HEADER, SPOOL_HEADER } from "./kafka-link.js";
import { Spool } from "./spool.js";

/**
 * Reconciliation against the real Kafka: a process sent part of the spool and died before its cursor
 * moved; the next forwarder reads the partitions from the cursor's offsets, finds those records by their
 * spool and sequence headers, and sends only the rest.
 */
describe("the forwarder's Kafka link", () => {
  const dir = tempDir("link");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("after a crash between send and cursor, sends each spooled record exactly once", {
    timeout: 180_000,
  }, async () => {
    const run = uniqueRun("apilink");
    const topic = run.topics.find((t) => t.endsWith("orders")) as string;
    const kafka = kafkaClient(endpointsFromEnv(), "floe-api-link-test");
    const spoolDir = join(dir, "spool");
    const first = await Spool.open({ dir: spoolDir });
    await first.append(
      Array.from({ length: 100 }, (_, i) => ({
        topic,
        key: `o${i % 7}`,
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        value: JSON.stringify({ i }),
      })),
    );
    // The first process: its baseline offsets saved, 60 records sent, no acknowledgement recorded.
    const dead = kafkaForwardLink(kafka, { topics: [topic] });
    const baseline = await dead.delivered(first.id, 0n, {}, false);
    first.setOffsets(baseline.from);
    await dead.send((await first.read(60)).slice(0, 60), first.id);
    await dead.close();
    await first.close();

    const spool = await Spool.open({ dir: spoolDir });
    expect(spool.depth().records).toBe(100);
    const reconciled: number[] = [];
    const forwarder = new Forwarder(spool, kafkaForwardLink(kafka, { topics: [topic] }), {
      forwarded() {},
      failed() {},
      reconciled: (n) => reconciled.push(n),
    });
    forwarder.start();
    await waitFor("the spool drained", async () => spool.drained(), 120_000);
    await spool.close();
    await forwarder.stop("drain");

    expect(reconciled).toEqual([60]);
    const messages = await readTopic(topic, (m) => ({
      spool: String(m.headers?.[SPOOL_HEADER]),
      seq: Number(String(m.headers?.[SEQ_HEADER])),
    }));
    expect(messages).toHaveLength(100);
    expect(messages.every((m) => m.spool === spool.id)).toBe(true);
    expect(new Set(messages.map((m) => m.seq)).size).toBe(100);
  });
});
