import { hash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

/**
 * A compiled-SQL writer thread (see compiled-sql-writer.ts): writes each batch of files it is sent, in
 * order, and answers `end` once all are written — with each file's md5 (base64), in the order received,
 * when started with `hashing` (a compile without an index, which compares nothing). A failed write
 * throws here, which rejects the main thread's promise with the same error.
 */
type Message = { readonly writes: readonly { path: string; content: string }[] } | { readonly end: true };

const hashing = (workerData as { hashing?: boolean } | undefined)?.hashing === true;
const digests: string[] = [];

parentPort?.on("message", (message: Message) => {
  if ("end" in message) {
    parentPort?.postMessage(hashing ? { digests } : {});
    parentPort?.close();
    return;
  }
  for (const write of message.writes) {
    writeFileSync(write.path, write.content);
    if (hashing) digests.push(hash("md5", write.content, "base64"));
  }
});
