import type { RunEvent, RunLogger } from "./events.js";

/**
 * `-q/--quiet`: passes on only what went wrong (nodes that errored or failed) and the run's summary, as
 * dbt's `--quiet` keeps only error-level lines.
 */
export function quietLogger(inner: RunLogger): RunLogger {
  return {
    event(event: RunEvent) {
      if (event.code === "RUN_FINISHED") inner.event(event);
      else if (event.code === "NODE_FINISHED" && isProblem(event.result.status)) inner.event(event);
    },
  };
}

function isProblem(status: string): boolean {
  return status === "error" || status === "fail";
}
