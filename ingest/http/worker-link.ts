import { Worker } from "node:worker_threads";
import { z } from "zod";
import type { ForwardLink } from "./forwarder.js";
import type { LinkReply, LinkRequest, LinkWorkerData } from "./worker-link-protocol.js";

/**
 * The forwarder's Kafka link run on a worker thread (kafka-link-worker.ts): the forwarder, the spool and
 * every guarantee stay on the HTTP thread unchanged (order, acknowledgement after Kafka's, reconciliation
 * before a resend, the breaker); only kafkajs, whose synchronous batch encoding held the HTTP responses
 * back (README, "The ingestion API"), moves. A thread that dies fails the calls waiting on it like a Kafka
 * error (the forwarder then resets and reconciles), and the next call starts a new one.
 */

const sendReply = z.record(z.string(), z.number());
const deliveredReply = z.object({ seqs: z.set(z.bigint()), from: z.record(z.string(), z.number()) });

type Op = LinkRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** `workerUrl`: the built kafka-link-worker.js (the link needs compiled JavaScript to start a thread). */
export function workerForwardLink(data: LinkWorkerData, workerUrl: URL): ForwardLink {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function failAll(error: Error): void {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  }

  function started(): Worker {
    if (worker) return worker;
    const made = new Worker(workerUrl, { workerData: data });
    made.unref();
    made.on("message", (reply: LinkReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) made.unref();
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(reply.message));
    });
    made.on("error", (error) => {
      if (worker === made) worker = undefined;
      failAll(error);
    });
    made.on("exit", (code) => {
      if (worker === made) worker = undefined;
      failAll(new Error(`the Kafka link thread exited with code ${code}`));
    });
    worker = made;
    return made;
  }

  function call(op: Op, fields: Record<string, unknown> = {}): Promise<unknown> {
    const thread = started();
    const id = nextId++;
    // Referenced while a call waits, so a drain after the server closed keeps the process alive.
    thread.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread.postMessage({ id, op, ...fields } as LinkRequest);
    });
  }

  return {
    async send(records, spoolId) {
      return sendReply.parse(await call("send", { records, spoolId }));
    },
    async delivered(spoolId, afterSeq, from, scan) {
      return deliveredReply.parse(await call("delivered", { spoolId, afterSeq, from, scan }));
    },
    async reset() {
      if (worker) await call("reset");
    },
    async close() {
      const thread = worker;
      if (!thread) return;
      try {
        await call("close");
      } finally {
        worker = undefined;
        await thread.terminate();
      }
    },
  };
}
