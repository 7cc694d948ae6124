import { parentPort } from "node:worker_threads";
import { encodeParquet, type ParquetFileInput } from "./parquet-file.js";

/** Worker-thread entry: encodes Parquet files off the consume loop's thread (see parquet-pool.ts). */
parentPort?.on("message", (message: { id: number; input: ParquetFileInput }) => {
  try {
    const body = encodeParquet(message.input);
    parentPort?.postMessage({ id: message.id, body }, [body.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: String(error) });
  }
});
