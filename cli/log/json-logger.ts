import type { RunEvent, RunLogger } from "./events.js";
import { jsonLine } from "./json-line.js";
import { textLogger } from "./text-logger.js";

/**
 * `--log-format json`: one JSON object per event and line (see `json-line.ts`), whose `msg` is the line the
 * text log prints for it, so both formats say the same thing.
 */
export function jsonLogger(write: (line: string) => void): RunLogger {
  const rendered: string[] = [];
  const text = textLogger((t) => rendered.push(t), { colour: false });
  return {
    event(event: RunEvent) {
      const level =
        event.code === "NODE_FINISHED" && (event.result.status === "error" || event.result.status === "fail")
          ? "error"
          : event.code === "NODE_FINISHED" && event.result.status === "warn"
            ? "warn"
            : "info";
      rendered.length = 0;
      text.event(event);
      const msg = rendered
        .join("")
        .replace(/^\d\d:\d\d:\d\d {2}/gm, "")
        .trim();
      write(jsonLine(level, { ...event, msg }));
    },
  };
}
