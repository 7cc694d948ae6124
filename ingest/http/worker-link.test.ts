import { afterEach, describe, expect, it } from "vitest";
import type { ForwardLink } from "./forwarder.js";
import type { SpoolRecord } from "./spool-format.js";
import { workerForwardLink } from "./worker-link.js";

// A stand-in for kafka-link-worker.js speaking the same protocol: `send` answers the last record's seq as
// an offset, "fail" as a value fails the call, "die" ends the thread; `delivered` answers afterSeq + 1.
const FAKE_THREAD = `
import { parentPort } from "node:worker_threads";
parentPort.on("message", (m) => {
  if (m.op === "send") {
    if (m.records[0].value === "die") process.exit(3);
    if (m.records[0].value === "fail") return parentPort.postMessage({ id: m.id, ok: false, message: "broker down" });
    return parentPort.postMessage({ id: m.id, ok: true, value: { [m.spoolId + ":0"]: Number(m.records.at(-1).seq) } });
  }
  if (m.op === "delivered")
    return parentPort.postMessage({ id: m.id, ok: true, value: { seqs: new Set([m.afterSeq + 1n]), from: m.from } });
  parentPort.postMessage({ id: m.id, ok: true, value: undefined });
});`;
const fakeUrl = new URL(`data:text/javascript,${encodeURIComponent(FAKE_THREAD)}`);
const data = {
  endpoints: { brokers: ["127.0.0.1:1"] },
  topics: ["t"],
};
const record = (seq: bigint, value = "{}"): SpoolRecord => ({
  seq,
  topic: "t",
  traceId: "x",
  key: "k",
  value,
});

let link: ForwardLink | undefined;
afterEach(async () => {
  await link?.close();
});

describe("workerForwardLink", () => {
  it("carries records, bigints and Sets across the thread and answers each call", async () => {
    link = workerForwardLink(data, fakeUrl);
    expect(await link.send([record(1n), record(7n)], "sp")).toEqual({ "sp:0": 7 });
    const found = await link.delivered("sp", 41n, { "t:0": 5 }, true);
    expect([...found.seqs]).toEqual([42n]);
    expect(found.from).toEqual({ "t:0": 5 });
  });

  it("rejects a call the thread failed, with its message", async () => {
    link = workerForwardLink(data, fakeUrl);
    await expect(link.send([record(1n, "fail")], "sp")).rejects.toThrow("broker down");
    expect(await link.send([record(2n)], "sp")).toEqual({ "sp:0": 2 });
  });

  it("fails the waiting call when the thread dies, and starts a new thread for the next", async () => {
    link = workerForwardLink(data, fakeUrl);
    await expect(link.send([record(1n, "die")], "sp")).rejects.toThrow(/exited with code 3/);
    await link.reset();
    expect(await link.send([record(3n)], "sp")).toEqual({ "sp:0": 3 });
  });
});
