import type { RunEvent, RunLogger } from "./events.js";

/** `--log-format json`: one JSON object per event and line, with a timestamp and level. */
export function jsonLogger(write: (line: string) => void): RunLogger {
  return {
    event(event: RunEvent) {
      const level =
        (event.code === "NODE_FINISHED" &&
          (event.result.status === "error" || event.result.status === "fail")) ||
        (event.code === "BATCH_FINISHED" && event.status === "error")
          ? "error"
          : event.code === "NODE_FINISHED" && event.result.status === "warn"
            ? "warn"
            : "info";
      write(`${JSON.stringify({ ts: new Date().toISOString(), level, ...event })}\n`);
    },
  };
}
