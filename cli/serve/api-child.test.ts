import { afterEach, describe, expect, it } from "vitest";
import { ApiMetrics } from "../../ingest/http/metrics.js";
import type { IngestApi, IngestApiOptions } from "../../ingest/http/server.js";
import { createTrinoConnection } from "../../trino/connection.js";
import { loadProject } from "../compile/compile.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import { type ServeHandle, startServe } from "./start-serve.js";

/**
 * The ingestion API as serve's supervised child, with a recording fake in place of `startIngestApi`
 * (no Kafka, no port): started with serve's options, shown in /api/status and /metrics, restarted after a
 * failed start, closed (its spool drained) when serve stops.
 */
interface FakeApi extends IngestApi {
  closed: boolean;
}

function fakeStarter(failures: number) {
  const calls: IngestApiOptions[] = [];
  const apis: FakeApi[] = [];
  const start = async (options: IngestApiOptions): Promise<IngestApi> => {
    calls.push(options);
    if (calls.length <= failures) throw new Error("listen EADDRINUSE: address already in use 127.0.0.1:8686");
    const metrics = new ApiMetrics({ spool: () => ({ bytes: 0, records: 3 }), breaker: () => "closed" });
    metrics.forwarded.inc(5);
    const api: FakeApi = {
      address: { host: "127.0.0.1", port: 8686 },
      url: "http://127.0.0.1:8686",
      metrics,
      pending: () => 3,
      closed: false,
      close: async () => {
        api.closed = true;
      },
    };
    apis.push(api);
    options.onEvent?.({ kind: "listening", url: api.url, spoolDir: "/spool", pending: 3 });
    return api;
  };
  return { start, calls, apis };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("serve's ingestion API child", () => {
  const handles: ServeHandle[] = [];
  afterEach(async () => {
    for (const handle of handles.splice(0)) {
      handle.signal();
      await handle.done;
    }
  });

  async function serveWith(failures: number) {
    const fake = fakeStarter(failures);
    const lines: string[] = [];
    const dir = writeRunnerProject("unused", { "models/answer.sql": "select 42 as answer\n" }, { port: 1 });
    const project = loadProject({ projectDir: dir, env: {} });
    const handle = await startServe({
      host: "127.0.0.1",
      port: 0,
      project,
      selected: new Set(Object.keys(project.manifest.nodes)),
      connection: createTrinoConnection({ host: "127.0.0.1", port: 1, user: "floe-test" }),
      buildLogger: { event: () => {} },
      api: { host: "127.0.0.1", port: 8686, topicPrefix: "t1-", keysFile: "/keys.json", spoolDir: "/spool" },
      startApi: fake.start,
      policy: { initialMs: 50, maxMs: 100, healthyAfterMs: 60_000 },
      probeEveryMs: 60_000,
      log: (line) => lines.push(line),
    });
    handles.push(handle);
    return { handle, fake, lines };
  }

  async function untilRunning(handle: ServeHandle) {
    for (let i = 0; i < 100; i++) {
      if (handle.status().children.find((c) => c.name === "api")?.state === "running") return;
      await sleep(50);
    }
    throw new Error(`api never running: ${JSON.stringify(handle.status().children)}`);
  }

  it("starts the API with serve's options, shows it in /api/status and /metrics, and closes it on stop", async () => {
    const { handle, fake, lines } = await serveWith(0);
    await untilRunning(handle);
    expect(fake.calls[0]).toMatchObject({
      port: 8686,
      topicPrefix: "t1-",
      keysFile: "/keys.json",
      spoolDir: "/spool",
    });
    const status = (await (await fetch(`${handle.url}/api/status`)).json()) as Record<string, unknown>;
    expect(status.api).toEqual({ url: "http://127.0.0.1:8686", pending: 3 });
    expect(await (await fetch(`${handle.url}/metrics`)).text()).toContain("floe_api_forwarded_total 5");
    expect(lines).toContain(
      "api: listening on http://127.0.0.1:8686 (POST /v1/events; 3 spooled events waiting for Kafka)",
    );
    handles.pop()?.signal();
    expect(await handle.done).toBe(0);
    expect(fake.apis[0]?.closed).toBe(true);
    expect(handle.status().api).toBeNull();
    expect(handle.status().children.find((c) => c.name === "api")?.state).toBe("stopped");
  });

  it("restarts the API with backoff after a failed start, counting the restart", async () => {
    const { handle, fake } = await serveWith(1);
    await untilRunning(handle);
    expect(fake.calls).toHaveLength(2);
    const api = handle.status().children.find((c) => c.name === "api");
    expect(api?.restarts).toBe(1);
    expect(api?.lastError).toContain("EADDRINUSE");
  });
});
