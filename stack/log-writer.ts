import { StringDecoder } from "node:string_decoder";
import { LineMasker, LOG_KEEP, LOG_MAX_BYTES, RotatingLog } from "./log-file.js";

/**
 * A service's log writer: `node log-writer.js <log file> [maxBytes] [keep]`, the service's stdout and
 * stderr on stdin, the secrets to mask as a JSON list in FLOE_LOG_SECRETS (the environment, not argv:
 * argv is readable by every user through /proc). Runs detached beside the service and ends when the
 * service does (end of its output). See `log-file.ts`.
 */
const [file, maxBytes, keep] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: log-writer <log file> [maxBytes] [keep]\n");
  process.exit(2);
}
const secrets = JSON.parse(process.env.FLOE_LOG_SECRETS ?? "[]") as string[];
delete process.env.FLOE_LOG_SECRETS;
const log = new RotatingLog(file, Number(maxBytes) || LOG_MAX_BYTES, Number(keep) || LOG_KEEP);
const masker = new LineMasker(secrets);
const decoder = new StringDecoder("utf8");

function write(text: string): void {
  try {
    log.write(text);
  } catch {
    // A full disk must not end the writer: the service would lose its output pipe. The line is dropped.
  }
}

process.stdin.on("data", (chunk: Buffer) => write(masker.push(decoder.write(chunk))));
process.stdin.on("end", () => {
  write(masker.push(decoder.end()));
  write(masker.end());
  log.close();
});
