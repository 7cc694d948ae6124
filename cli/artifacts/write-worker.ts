import { writeFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";

/**
 * A compiled-SQL writer thread (see compiled-sql-writer.ts): writes each batch of files it is sent, in
 * order, and answers `end` once all are written. A failed write throws here, which rejects the main
 * thread's promise with the same error.
 */
type Message = { readonly writes: readonly { path: string; content: string }[] } | { readonly end: true };

parentPort?.on("message", (message: Message) => {
  if ("end" in message) {
    parentPort?.postMessage("done");
    parentPort?.close();
    return;
  }
  for (const write of message.writes) writeFileSync(write.path, write.content);
});
