import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTopic, sinkTargets, tableOf, topicMessageCount, trinoQuery, uniqueRun } from "../int-helpers.js";
import { runSink } from "../sink.js";
import { builtLinkWorker, keysWith, orderPaid, postEvents, productView, tempDir } from "./api-int-helpers.js";
import { type IngestApi, startIngestApi } from "./server.js";

/** The ingestion API over loopback with Node's fetch, forwarding into the real stack's Kafka. */
describe("floe ingest api", () => {
  const run = uniqueRun("api");
  const dir = tempDir("status");
  const { file, secrets } = keysWith(dir, [
    { name: "all", rate: 100_000 },
    { name: "orders-only", topics: ["orders"], rate: 100_000 },
    { name: "slow", rate: 1 },
  ]);
  let api: IngestApi;

  beforeAll(async () => {
    api = await startIngestApi({
      port: 0,
      keysFile: file,
      spoolDir: join(dir, "spool"),
      topicPrefix: run.topicPrefix,
      linkWorkerUrl: builtLinkWorker(),
    });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("401 without a key and with an unknown one", async () => {
    const none = await postEvents(api.url, undefined, productView(1));
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    const unknown = await postEvents(api.url, `${secrets.all}x`, productView(1));
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toMatch(/unknown or revoked/);
  });

  it("403 for a topic the key may not send to", async () => {
    const forbidden = await postEvents(api.url, secrets["orders-only"], [orderPaid(1), productView(1)]);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toMatch(/may not send to user-events/);
    expect((await postEvents(api.url, secrets["orders-only"], orderPaid(2))).status).toBe(202);
  });

  it("400 with a reason per event when nothing is valid; 202 for a mixed batch with the bad index rejected", async () => {
    const bad = await postEvents(api.url, secrets.all, [
      { ...productView(1), user_id: 42 },
      { event_type: "x" },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.accepted).toBe(0);
    const reasons = bad.body.rejected as { index: number; reason: string }[];
    expect(reasons.map((r) => r.index)).toEqual([0, 1]);
    expect(reasons[0]?.reason).toMatch(/user_id/);
    expect(reasons[1]?.reason).toMatch(/unknown event_type/);

    const mixed = await postEvents(api.url, secrets.all, [
      productView(2),
      { ...productView(3), event_time: "soon" },
      orderPaid(3),
    ]);
    expect(mixed.status).toBe(202);
    expect(mixed.body.accepted).toBe(2);
    expect((mixed.body.rejected as { index: number }[]).map((r) => r.index)).toEqual([1]);
    expect((await postEvents(api.url, secrets.all, "{not json")).status).toBe(400);
  });

  it("413 over the events-per-request and body-size limits", async () => {
    const many = await postEvents(
      api.url,
      secrets.all,
      Array.from({ length: 10_001 }, () => ({})),
    );
    expect(many.status).toBe(413);
    expect(many.body.error).toMatch(/limit is 10000/);
    const huge = await postEvents(api.url, secrets.all, `[${"0,".repeat(4.5 * 1024 * 1024)}0]`);
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatch(/limit is 8388608/);
  });

  it("429 with Retry-After once a key's token bucket is empty", async () => {
    const events = Array.from({ length: 10 }, (_, i) => productView(i));
    expect((await postEvents(api.url, secrets.slow, events)).status).toBe(202);
    // 1 event/s: the batch of 10 passed on a full bucket and left it 9 events in debt, so the next event
    // waits about 10 s, far longer than a round trip even on a loaded machine.
    const limited = await postEvents(api.url, secrets.slow, productView(11));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(5);
  });

  it("an accepted batch reaches Kafka with its trace id, and the sink stores the trace id in _trace_id", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const events = Array.from({ length: 25 }, (_, i) => productView(100 + i));
    const ndjson = events.map((e) => JSON.stringify(e)).join("\n");
    const accepted = await postEvents(api.url, secrets.all, ndjson, {
      "content-type": "application/x-ndjson",
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ accepted: 25, rejected: [], trace_id: traceId });
    for (let i = 0; i < 300 && api.pending() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(api.pending()).toBe(0);

    const userEvents = run.topics.find((t) => t.endsWith("user-events")) as string;
    const messages = await readTopic(userEvents, (m) => ({
      id: (JSON.parse(String(m.value)) as { event_id: string }).event_id,
      traceparent: String(m.headers?.traceparent ?? ""),
      seq: String(m.headers?.["floe-seq"] ?? ""),
    }));
    const ours = messages.filter((m) => events.some((e) => e.event_id === m.id));
    expect(ours).toHaveLength(25);
    expect(ours.every((m) => m.traceparent.startsWith(`00-${traceId}-`))).toBe(true);
    expect(new Set(ours.map((m) => m.seq)).size).toBe(25);

    const summary = await runSink({ ...sinkTargets(run), untilIdle: true, idleMs: 3_000, metricsPort: null });
    let inKafka = 0;
    for (const topic of run.topics) inKafka += await topicMessageCount(topic);
    expect(summary.records).toBe(inKafka);
    const rows = await trinoQuery(
      `SELECT count(*), count(DISTINCT event_id) FROM ${tableOf(userEvents)} WHERE _trace_id = '${traceId}'`,
    );
    expect(rows).toEqual([[25, 25]]);
  });

  it("serves /healthz, /readyz and Prometheus /metrics", async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, breaker: "closed" });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/floe_api_requests_total\{route="\/v1\/events",status="401"\} 2/);
    expect(metrics).toMatch(/floe_api_request_seconds_bucket\{le="0\.05",route="\/v1\/events"\}/);
    expect(metrics).toMatch(/floe_api_spool_bytes 0/);
    expect(metrics).toMatch(/floe_api_breaker_state 0/);
    expect(metrics).toMatch(/floe_api_events_total\{outcome="accepted"\} \d+/);
  });
});
