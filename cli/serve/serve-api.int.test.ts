import { describe, expect, it } from "vitest";
import { endpointsFromEnv } from "../../ingest/connection-settings.js";
import { kafkaClient } from "../../ingest/endpoints.js";
import {
  keysWith,
  orderPaid,
  postEvents,
  productView,
  tempDir,
  waitFor,
} from "../../ingest/http/api-int-helpers.js";
import { sinkTargets, tableOf, trinoQuery, uniqueRun } from "../../ingest/int-helpers.js";
import { topicName } from "../../ingest/producer.js";
import { loadProject } from "../compile/compile.js";
import { connectTarget } from "../runner/connect.js";
import { writeRunnerProject } from "../testing/run-fixture.js";
import type { ServeStatus } from "./serve-status.js";
import { startServe } from "./start-serve.js";

/**
 * `floe serve` with its ingestion API child on the real stack: an event POSTed to the API's port goes
 * through the spool into Kafka, and serve's sink lands it in the raw tables; /api/status shows the API.
 */
describe("floe serve's ingestion API", () => {
  it("takes a POSTed event through the spool, Kafka and serve's sink into the raw tables", {
    timeout: 300_000,
  }, async () => {
    const run = uniqueRun("serveapi");
    const admin = kafkaClient(endpointsFromEnv(), "floe-test").admin();
    await admin.connect();
    await admin.createTopics({ topics: run.topics.map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
    const dir = tempDir("serve");
    const { file, secrets } = keysWith(dir, [{ name: "shop" }]);
    const project = loadProject({
      projectDir: writeRunnerProject("unused", { "models/answer.sql": "select 42 as answer\n" }),
      env: process.env,
    });
    const lines: string[] = [];
    const handle = await startServe({
      host: "127.0.0.1",
      port: 0,
      project,
      selected: new Set(),
      connection: connectTarget(project.target),
      buildLogger: { event: () => {} },
      sink: { ...sinkTargets(run), flushIntervalMs: 2_000 },
      api: {
        host: "127.0.0.1",
        port: 0,
        topicPrefix: run.topicPrefix,
        keysFile: file,
        spoolDir: `${dir}/spool`,
      },
      probeEveryMs: 2_000,
      log: (line) => lines.push(line),
    });
    const status = async () => (await (await fetch(`${handle.url}/api/status`)).json()) as ServeStatus;
    try {
      await waitFor("the API child running", async () => Boolean((await status()).api), 60_000);
      const api = (await status()).api;
      if (!api) throw new Error("the API child stopped running");
      const view = productView(1);
      const paid = orderPaid(2);
      const posted = await postEvents(api.url, secrets.shop, [view, paid]);
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      expect(posted.body.accepted).toBe(2);

      // False until the sink has registered the table and the file holding the event.
      const landed = (kind: "user-events" | "orders", eventId: unknown) =>
        trinoQuery(
          `SELECT count(*) FROM ${tableOf(topicName({ prefix: run.topicPrefix }, kind))} WHERE event_id = '${String(eventId)}'`,
        ).then(
          (rows) => Number(rows[0]?.[0]) === 1,
          () => false,
        );
      await waitFor(
        "the product view in the raw user-events table",
        () => landed("user-events", view.event_id),
        180_000,
      );
      await waitFor("the paid order in the raw orders table", () => landed("orders", paid.event_id), 60_000);

      const shown = await status();
      expect(shown.children.map((c) => [c.name, c.state])).toEqual([
        ["sink", "running"],
        ["api", "running"],
      ]);
      expect(shown.api?.pending).toBe(0);
      expect(await (await fetch(`${handle.url}/metrics`)).text()).toMatch(/floe_api_forwarded_total 2/);
    } finally {
      handle.signal();
    }
    expect(await handle.done, lines.join("\n")).toBe(0);
    expect(lines.some((l) => l.startsWith("api: listening on"))).toBe(true);
  });
});
