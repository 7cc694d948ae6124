/**
 * The life of one node in a run, as an explicit state machine. Models and seeds end in success|error,
 * tests in pass|warn|fail|error; anything can be skipped before it starts (an upstream failure, Ctrl-C).
 */
export type NodeStatus = "pending" | "running" | "success" | "error" | "skipped" | "pass" | "warn" | "fail";
export type FinalStatus = Exclude<NodeStatus, "pending" | "running">;

export type NodeEvent =
  | { readonly type: "start" }
  | { readonly type: "finish"; readonly status: Exclude<FinalStatus, "skipped"> }
  | { readonly type: "skip" };

export function transition(status: NodeStatus, event: NodeEvent): NodeStatus {
  switch (event.type) {
    case "start":
      if (status === "pending") return "running";
      break;
    case "skip":
      if (status === "pending") return "skipped";
      break;
    case "finish":
      if (status === "running") return event.status;
      break;
  }
  throw new Error(`node state machine: '${event.type}' is not allowed in state '${status}'`);
}

export function isFinal(status: NodeStatus): status is FinalStatus {
  return status !== "pending" && status !== "running";
}

/** A node in one of these states stops everything downstream of it. (A warning does not.) */
export function blocksDownstream(status: NodeStatus): boolean {
  return status === "error" || status === "fail" || status === "skipped";
}
