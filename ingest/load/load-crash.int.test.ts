import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../stack/paths.js";
import { endpointsFromEnv, s3Client } from "../endpoints.js";
import { buildCli, readTopic, topicMessageCount, uniqueRun } from "../int-helpers.js";
import { PUBLISH_RETRY } from "../producer.js";
import { loadFiles } from "./load.js";
import { loadStoreKeyPrefix, s3LoadStore } from "./load-store.js";
import { sha256File } from "./source.js";
import { ndjsonText } from "./test-files.js";

/**
 * `floe ingest load` SIGKILLed mid-publish (the built CLI as a child process): no record, a checkpoint
 * with a batch in flight; the next load reads that batch back and completes the file exactly once.
 */

const dir = mkdtempSync(join(tmpdir(), "floe-load-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 40,000 valid user events in an NDJSON file. */
function bigFile(name: string): { path: string; events: { event_id: string }[] } {
  const day = new Date().toISOString().slice(0, 10);
  const events = Array.from({ length: 40_000 }, (_, i) => ({
    event_id: randomUUID(),
    event_type: "product_view",
    event_time: `${day}T06:00:00.000Z`,
    user_id: `u-${i % 997}`,
    session_id: `s-${i % 97}`,
    product_id: `p-${i % 13}`,
  }));
  const path = join(dir, name);
  writeFileSync(path, ndjsonText(events));
  return { path, events };
}

/** `floe ingest load` as a child; `signal` is sent once it has printed progress at 10,000 rows. */
async function loadAndSignal(path: string, topicPrefix: string, signal: NodeJS.Signals) {
  const child = spawn(
    process.execPath,
    ["bin/floe.js", "ingest", "load", path, "--topic-prefix", topicPrefix, "--batch", "1000"],
    { cwd: packageRoot(), env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  let sent = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, got) => resolve({ code, signal: got })),
  );
  const onData = (d: Buffer) => {
    output += d;
    if (!sent && output.includes("10,000 rows")) {
      sent = true;
      child.kill(signal);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  return { ...(await exited), output };
}

/** The file's record and checkpoint on S3, as the load keeps them. */
async function storeOf(path: string, topicPrefix: string) {
  const { sha256 } = await sha256File(path);
  const endpoints = endpointsFromEnv();
  const s3 = s3Client(endpoints);
  const store = s3LoadStore(s3, endpoints.bucket, loadStoreKeyPrefix(topicPrefix), sha256, PUBLISH_RETRY);
  return { sha256, s3, store };
}

const eventIdsIn = (topic: string) =>
  readTopic(topic, (m) => String((JSON.parse(String(m.value)) as { event_id: unknown }).event_id));

describe("floe ingest load, killed", () => {
  beforeAll(buildCli, 300_000);

  it("SIGKILLed after 10,000 rows: nothing recorded; the next load resumes without a duplicate", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("lc");
    const { path } = bigFile("big.ndjson");
    const { signal, output } = await loadAndSignal(path, run.topicPrefix, "SIGKILL");
    expect(signal).toBe("SIGKILL");
    expect(output).not.toMatch(/loaded /);

    const topic = `${run.topicPrefix}user-events`;
    const published = await topicMessageCount(topic);
    expect(published).toBeGreaterThanOrEqual(10_000);
    expect(published).toBeLessThan(40_000);
    const { sha256, s3, store } = await storeOf(path, run.topicPrefix);
    expect(await store.record()).toBeUndefined();
    const checkpoint = await store.checkpoint();
    expect(checkpoint?.published).toBeGreaterThanOrEqual(9_000);
    expect(checkpoint?.inFlight).toBeDefined();

    const resumed: string[] = [];
    const summary = await loadFiles({
      source: path,
      topicPrefix: run.topicPrefix,
      batch: 1_000,
      onEvent: (e) => {
        if (e.kind === "loop" && e.event.kind === "resumed")
          resumed.push(`${e.event.from}+${e.event.landed}`);
      },
    });
    // The read-back finds exactly the rows beyond the checkpoint that are in Kafka: no more, no fewer.
    const acknowledged = checkpoint?.published ?? 0;
    expect(resumed).toEqual([`${acknowledged}+${published - acknowledged}`]);
    process.stderr.write(`[load-crash] killed with ${published} rows in Kafka; resumed at ${resumed[0]}\n`);
    expect(summary.files[0]).toMatchObject({ state: "loaded", rows: 40_000, deadLettered: 0 });
    expect(summary.files[0]?.accepted).toEqual({ [topic]: 40_000 });
    const ids = await eventIdsIn(topic);
    expect(ids).toHaveLength(40_000);
    expect(new Set(ids).size).toBe(40_000);
    expect(await store.record()).toMatchObject({ sha256, rows: 40_000 });
    expect(await store.checkpoint()).toBeUndefined();
    s3.destroy();
  });

  it("Ctrl-C after 10,000 rows: stops after the batch in flight, exit 130, nothing recorded; the next load resumes", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("li");
    const { path, events } = bigFile("interrupted.ndjson");
    const { code, output } = await loadAndSignal(path, run.topicPrefix, "SIGINT");
    // 130 = 128 + SIGINT: Floe's exit code for an interrupted command (a CancelledError).
    expect(code).toBe(130);
    expect(output).toMatch(/stopping after the batch in flight/);
    expect(output).toMatch(/^stopped .*interrupted\.ndjson: (\d|,)+ rows/m);
    expect(output).toMatch(/\[CANCELLED\] Stopped: the interrupted file is not recorded/);

    const topic = `${run.topicPrefix}user-events`;
    const published = await topicMessageCount(topic);
    const { s3, store } = await storeOf(path, run.topicPrefix);
    expect(await store.record()).toBeUndefined();
    // A clean stop knows what is acknowledged: no batch in flight to read back.
    expect(await store.checkpoint()).toMatchObject({ published });
    expect((await store.checkpoint())?.inFlight).toBeUndefined();

    const resumed: string[] = [];
    await loadFiles({
      source: path,
      topicPrefix: run.topicPrefix,
      onEvent: (e) => {
        if (e.kind === "loop" && e.event.kind === "resumed")
          resumed.push(`${e.event.from}+${e.event.landed}`);
      },
    });
    expect(resumed).toEqual([`${published}+0`]);
    const ids = await eventIdsIn(topic);
    expect(ids).toHaveLength(40_000);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.event_id)));
    s3.destroy();
  });
});
