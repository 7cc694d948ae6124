import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keysWith, postEvents, productView, tempDir } from "./api-int-helpers.js";
import type { ForwardLink } from "./forwarder.js";
import { startIngestApi } from "./server.js";
import type { SpoolRecord } from "./spool-format.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A Kafka that holds every send until `open()` is called, recording what it was given. */
function gatedKafka() {
  const sent: SpoolRecord[] = [];
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const link: ForwardLink = {
    async send(records) {
      await gate;
      sent.push(...records);
      return {};
    },
    async delivered() {
      return { seqs: new Set(), from: {} };
    },
    async reset() {},
    async close() {},
  };
  return { link, sent, open: () => open() };
}

describe("startIngestApi's graceful close", () => {
  it("refuses new requests, then drains every accepted event before it resolves", async () => {
    const dir = tempDir("close");
    dirs.push(dir);
    const { file, secrets } = keysWith(dir, [{ name: "k" }]);
    const kafka = gatedKafka();
    const api = await startIngestApi({
      port: 0,
      keysFile: file,
      spoolDir: join(dir, "spool"),
      link: kafka.link,
    });
    const events = Array.from({ length: 30 }, (_, i) => productView(i));
    expect((await postEvents(api.url, secrets.k, events)).status).toBe(202);
    expect(api.pending()).toBe(30);

    let closed = false;
    const closing = api.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    // Stopped listening: a new request is refused (connection error), never accepted.
    const late = await postEvents(api.url, secrets.k, productView(99)).catch(() => ({ status: 0 }));
    expect(late.status).not.toBe(202);
    expect(closed).toBe(false);

    kafka.open();
    await closing;
    expect(api.pending()).toBe(0);
    expect(kafka.sent.map((r) => JSON.parse(r.value).event_id)).toEqual(events.map((e) => e.event_id));
  });
});
