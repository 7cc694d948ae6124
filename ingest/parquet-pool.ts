import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { encodeParquet, type ParquetFileInput } from "./parquet-file.js";

/**
 * Parquet encoding is the sink's largest CPU cost (~15 µs a row with hyparquet-writer), so it runs on a
 * worker thread while the main thread keeps consuming and validating. Rows cross by structured clone and
 * the file comes back as a transferred buffer. Where no compiled worker exists (running the TypeScript
 * sources, e.g. under vitest) or `threads` is 0, files are encoded inline.
 */
export class ParquetEncoder {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private turn = 0;

  constructor(threads = 1) {
    const script = fileURLToPath(new URL("./parquet-worker.js", import.meta.url));
    if (threads <= 0 || !existsSync(script)) return;
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(script);
      worker.on("message", (m: { id: number; body?: Uint8Array; error?: string }) => {
        const waiting = this.pending.get(m.id);
        if (!waiting) return;
        this.pending.delete(m.id);
        if (m.body) waiting.resolve(m.body);
        else waiting.reject(new Error(`Parquet encoding failed: ${m.error}`));
      });
      worker.on("error", (error) => {
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  get threaded(): boolean {
    return this.workers.length > 0;
  }

  encode(input: ParquetFileInput): Promise<Uint8Array> {
    const worker = this.workers[this.turn++ % Math.max(1, this.workers.length)];
    if (!worker) return Promise.resolve(encodeParquet(input));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
