import { parentPort, workerData } from "node:worker_threads";
import { compactAstReplacer, parseTemplate } from "./parse-template.js";

/**
 * Parses a share of the templates off the main thread. Replies with each AST as compact JSON (cheaper to
 * pass between threads than a structured clone of the full AST); a file that fails to parse is left out and
 * the main thread re-parses it to raise the proper error.
 */
interface Job {
  readonly files: readonly { hash: string; path: string; text: string }[];
}

const { files } = workerData as Job;
const out: { hash: string; json: string }[] = [];
for (const file of files) {
  try {
    out.push({
      hash: file.hash,
      json: JSON.stringify(parseTemplate(file.text, file.path), compactAstReplacer),
    });
  } catch {
    // reported by the main thread
  }
}
parentPort?.postMessage(out);
