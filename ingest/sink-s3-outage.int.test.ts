import { describe, expect, it } from "vitest";
import { alertSchema } from "../core/alert.js";
import { CuttableProxy } from "../testing/faults.js";
import { endpointsFromEnv } from "./endpoints.js";
import { readDlq, readTopic, sinkTargets, testShop, uniqueRun, verifyRawTables } from "./int-helpers.js";
import { defaultTopicNames, publishShop } from "./producer.js";
import { runSink, type SinkEvent } from "./sink.js";

const SHOP = testShop(90_000, 5, 2);

describe("floe ingest sink with S3 unavailable", () => {
  it("retries, pauses and resumes through a 20 s S3 outage without losing or duplicating a row", {
    timeout: 900_000,
  }, async () => {
    const run = uniqueRun("s3out");
    const s3 = new URL(endpointsFromEnv().s3Endpoint ?? "");
    const proxy = new CuttableProxy({ host: s3.hostname, port: Number(s3.port) });
    await proxy.open();
    const events: SinkEvent[] = [];
    const sink = runSink({
      ...sinkTargets(run),
      flushRecords: 1_000,
      untilIdle: true,
      idleMs: 5_000,
      pauseMs: 4_000,
      metricsPort: null,
      alertsTopic: `${run.topicPrefix}alerts`,
      endpoints: { ...endpointsFromEnv(), s3Endpoint: `http://127.0.0.1:${proxy.port}` },
      onEvent: (e) => events.push(e),
    });
    // Events arrive over ~30 s while S3 disappears for 20 s in the middle.
    const publishing = publishShop({ ...SHOP, rate: 3_000, topics: defaultTopicNames(run.topicPrefix) });
    // Cut S3 only once the sink has made a file durable: a fixed sleep raced the consumer group's first
    // join on a cold, loaded machine. Bounded, so a sink that never writes still fails below.
    const firstFileBy = Date.now() + 90_000;
    while (!events.some((e) => e.kind === "file") && Date.now() < firstFileBy) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const filesBeforeCut = events.filter((e) => e.kind === "file").length;
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 20_000));
    const filesDuringCut = events.filter((e) => e.kind === "file").length - filesBeforeCut;
    await proxy.open();
    const ledger = await publishing;
    const summary = await sink;
    const retries = events.filter((e) => e.kind === "retry").length;
    const pauses = events.filter((e) => e.kind === "paused").length;
    process.stderr.write(
      `[s3-outage.int] files before cut ${filesBeforeCut}, during ${filesDuringCut}; ${retries} retries, ${pauses} pauses; ` +
        `${summary.records} rows in ${summary.files} files\n`,
    );
    expect(filesBeforeCut).toBeGreaterThan(0);
    expect(filesDuringCut).toBe(0);
    expect(retries).toBeGreaterThan(0);
    expect(pauses).toBeGreaterThan(0);
    expect(events.some((e) => e.kind === "resumed")).toBe(true);
    // Each pause is one sink_paused alert on Kafka however many rounds it lasted, and each resume another.
    const alerts = await readTopic(`${run.topicPrefix}alerts`, (m) =>
      alertSchema.parse(JSON.parse(m.value?.toString() ?? "")),
    );
    const states = alerts.map((a) => (a.kind === "sink_paused" ? a.state : a.kind));
    expect(states.filter((s) => s === "paused").length).toBeGreaterThan(0);
    expect(states.filter((s) => s === "resumed").length).toBe(states.filter((s) => s === "paused").length);
    expect(summary.records).toBe(ledger.messages.valid);

    const { rows, problems } = await verifyRawTables(run.topics, SHOP);
    expect(problems).toEqual([]);
    expect(rows).toBe(ledger.messages.valid);
    const dlq = await readDlq(run.dlq);
    expect(dlq).toHaveLength(ledger.messages.malformed);
  });
});
