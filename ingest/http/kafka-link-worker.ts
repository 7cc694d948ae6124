import { parentPort, workerData } from "node:worker_threads";
import { kafkaClient } from "../endpoints.js";
import type { ForwardLink } from "./forwarder.js";
import { kafkaForwardLink } from "./kafka-link.js";
import { type LinkReply, type LinkRequest, linkWorkerDataSchema } from "./worker-link-protocol.js";

/**
 * The forwarder's Kafka link on its own thread (worker-link.ts starts it): kafkajs encodes every batch
 * synchronously (record encoding, CRC, buffer copies), and on the HTTP event loop that stalled the
 * responses waiting behind it. Here it only answers the link calls the main thread posts, one at a time
 * in the order posted (the forwarder has one call outstanding anyway).
 */

const data = linkWorkerDataSchema.parse(workerData);
const link: ForwardLink = kafkaForwardLink(kafkaClient(data.endpoints, "floe-ingest-api"), {
  topics: data.topics,
});
const port = parentPort;
if (!port) throw new Error("kafka-link-worker.js runs as a worker thread");

async function answer(request: LinkRequest): Promise<unknown> {
  switch (request.op) {
    case "send":
      return link.send(request.records, request.spoolId);
    case "delivered":
      return link.delivered(request.spoolId, request.afterSeq, request.from, request.scan);
    case "reset":
      return link.reset();
    case "close":
      return link.close();
  }
}

port.on("message", (request: LinkRequest) => {
  answer(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies LinkReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies LinkReply),
  );
});
