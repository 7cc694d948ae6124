import { afterEach, describe, expect, it } from "vitest";
import { createTrinoConnection } from "../../trino/connection.js";
import { loadProject } from "../compile/compile.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import { type ServeHandle, startServe } from "./start-serve.js";

/**
 * `startServe` with a Trino that refuses connections (port 1) and no sink: nothing of the stack is needed.
 * The scheduler is degraded rather than crashed, and every endpoint says why serve is not ready.
 */
describe("startServe while Trino is unreachable", () => {
  const handles: ServeHandle[] = [];
  afterEach(async () => {
    for (const handle of handles.splice(0)) {
      handle.signal();
      await handle.done;
    }
  });

  async function start(port = 0) {
    const dir = writeRunnerProject("unused", { "models/answer.sql": "select 42 as answer\n" }, { port: 1 });
    const project = loadProject({ projectDir: dir, env: {} });
    const handle = await startServe({
      host: "127.0.0.1",
      port,
      project,
      selected: new Set(Object.keys(project.manifest.nodes)),
      connection: createTrinoConnection({ host: "127.0.0.1", port: 1, user: "floe-test" }),
      buildLogger: { event: () => {} },
      buildEveryMs: 60_000,
      probeEveryMs: 200,
      log: () => {},
    });
    handles.push(handle);
    return handle;
  }

  it("shows the scheduler degraded, /readyz 503 with reasons, and still stops cleanly", {
    timeout: 60_000,
  }, async () => {
    const handle = await start();
    const get = (path: string) => fetch(`${handle.url}${path}`);
    let readyz: { status: number; body: { ready: boolean; reasons: string[] } } | undefined;
    for (let i = 0; i < 100; i++) {
      const r = await get("/readyz");
      readyz = { status: r.status, body: (await r.json()) as { ready: boolean; reasons: string[] } };
      if (readyz.body.reasons.some((x) => x.startsWith("scheduler is degraded"))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(readyz?.status).toBe(503);
    expect(readyz?.body.ready).toBe(false);
    expect(readyz?.body.reasons.join("\n")).toMatch(/scheduler is degraded \(Trino unreachable: /);
    expect(readyz?.body.reasons.join("\n")).toMatch(/Trino probe failed: /);
    expect((await get("/healthz")).status).toBe(200);
    const status = handle.status();
    expect(status.children).toEqual([
      expect.objectContaining({ name: "scheduler", state: "degraded", restarts: 0 }),
    ]);
    expect(status.builds.total).toBe(0); // no build is attempted while the probe fails
    expect(status.alerts.map((a) => a.severity)).toContain("critical");
    expect(await (await get("/metrics")).text()).toContain("floe_serve_trino_up 0");
    expect((await get("/nowhere")).status).toBe(404);
    handles.pop()?.signal();
    expect(await handle.done).toBe(0);
    expect(handle.status().children[0]?.state).toBe("stopped");
  });

  it("fails with a usage-class error when the port is taken, starting nothing", {
    timeout: 60_000,
  }, async () => {
    const first = await start();
    await expect(start(first.port)).rejects.toMatchObject({ code: "SERVE_LISTEN", exitCode: 2 });
  });
});
