import { writeFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

/**
 * Writes a compile's new SQL files off the main thread (see `writeFiles` in write-artifacts.ts). A failed
 * write throws here, which rejects the main thread's promise with the same error.
 */
const { writes } = workerData as { writes: readonly { path: string; content: string }[] };
for (const write of writes) writeFileSync(write.path, write.content);
parentPort?.postMessage("done");
