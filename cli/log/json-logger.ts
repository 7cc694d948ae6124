import type { RunEvent, RunLogger } from "./events.js";
import { jsonLine, textOf } from "./json-line.js";
import { textLogger } from "./text-logger.js";

/**
 * `--log-format json`: one JSON object per event and line (see `json-line.ts`), whose `msg` is the line the
 * text log prints for it.
 */
export function jsonLogger(write: (line: string) => void): RunLogger {
  return {
    event(event: RunEvent) {
      const level =
        (event.code === "NODE_FINISHED" &&
          (event.result.status === "error" || event.result.status === "fail")) ||
        (event.code === "HOOK_FINISHED" && event.status === "error") ||
        (event.code === "BATCH_FINISHED" && event.status === "error")
          ? "error"
          : event.code === "NODE_FINISHED" && event.result.status === "warn"
            ? "warn"
            : "info";
      write(jsonLine(level, { ...event, msg: textOf((to) => textLogger(to).event(event)) }));
    },
  };
}
