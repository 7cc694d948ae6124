import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stackUp } from "../../stack/launcher.js";
import { killStackService } from "../../testing/faults.js";
import { sinkTargets, tableOf, trinoQuery, uniqueRun } from "../int-helpers.js";
import { runSink } from "../sink.js";
import {
  builtLinkWorker,
  keysWith,
  loadUntil,
  postEvents,
  productView,
  spooledRecords,
  tempDir,
  waitFor,
} from "./api-int-helpers.js";
import { type IngestApiEvent, startIngestApi } from "./server.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kafka SIGKILLed for ~30 s while clients keep posting. The API keeps answering 202 while its spool has
 * room, then 503 (and /readyz says not ready) once the spool is full; when Kafka is back the forwarder
 * drains the spool, and the sink puts every accepted event in the raw table exactly once.
 *
 * It kills the shared stack's Kafka (and brings it back with `stackUp()`), which disturbs other tests
 * running against the same stack: one short outage only.
 */
describe("floe ingest api through a Kafka outage", () => {
  const run = uniqueRun("apiout");
  const dir = tempDir("outage");
  const { file, secrets } = keysWith(dir, [{ name: "load", rate: 1_000_000 }]);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("every event answered 202 reaches the raw table exactly once; a full spool answers 503", {
    timeout: 600_000,
  }, async () => {
    const events: IngestApiEvent[] = [];
    const api = await startIngestApi({
      port: 0,
      keysFile: file,
      spoolDir: join(dir, "spool"),
      topicPrefix: run.topicPrefix,
      linkWorkerUrl: builtLinkWorker(),
      // ~12,000 events: full after a few seconds of the load below.
      spoolMaxBytes: 3 * 1024 * 1024,
      breaker: { failures: 3, openMs: 1_000, maxOpenMs: 4_000 },
      onEvent: (e) => events.push(e),
    });
    try {
      // The topics exist and forwarding works before the fault.
      const warm = [productView(0)];
      expect((await postEvents(api.url, secrets.load, warm)).status).toBe(202);
      await waitFor("the first event forwarded", async () => api.pending() === 0, 60_000);

      const stop = new AbortController();
      const load = loadUntil(() => api.url, secrets.load as string, stop.signal, {
        batch: 20,
        workers: 4,
        pauseMs: 20,
      });
      const readiness: number[] = [];
      const watching = (async () => {
        while (!stop.signal.aborted) {
          readiness.push((await fetch(`${api.url}/readyz`)).status);
          await sleep(250);
        }
      })();
      await sleep(3_000);
      const pid = await killStackService("kafka");
      await sleep(30_000);
      const spooledInOutage = await spooledRecords(api.url);
      await stackUp();
      await sleep(5_000);
      stop.abort();
      const result = await load;
      await watching;
      await waitFor("the spool drained into Kafka", async () => api.pending() === 0, 180_000);
      await api.close();

      const failures = events.filter((e) => e.kind === "forward-failed");
      const summary = await runSink({
        ...sinkTargets(run),
        untilIdle: true,
        idleMs: 5_000,
        metricsPort: null,
      });
      const userEvents = run.topics.find((t) => t.endsWith("user-events")) as string;
      const rows = await trinoQuery(
        `SELECT event_id, count(*) FROM ${tableOf(userEvents)} GROUP BY event_id`,
      );
      const counts = new Map(rows.map(([id, n]) => [String(id), Number(n)]));
      const accepted = [...warm.map((e) => e.event_id as string), ...result.accepted];
      process.stderr.write(
        `[api-outage.int] Kafka pid ${pid} killed 30 s; ${accepted.length} accepted, statuses ${JSON.stringify(result.statuses)}, ` +
          `${spooledInOutage} spooled at the end of the outage, ${failures.length} forward failures, ` +
          `readyz 503 ${readiness.filter((s) => s === 503).length} of ${readiness.length} polls; sink ${summary.records} rows\n`,
      );
      expect(result.statuses[503] ?? 0).toBeGreaterThan(0);
      expect(readiness).toContain(503);
      expect(failures.some((e) => e.kind === "forward-failed" && e.breaker === "open")).toBe(true);
      expect(spooledInOutage).toBeGreaterThan(1_000);
      expect(accepted.filter((id) => !counts.has(id))).toEqual([]);
      expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
      const sent = new Set([...accepted, ...result.unanswered]);
      expect([...counts.keys()].filter((id) => !sent.has(id))).toEqual([]);
      expect(counts.size).toBe(summary.records);
    } finally {
      await api.close();
    }
  });
});
