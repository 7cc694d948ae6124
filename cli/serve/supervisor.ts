/**
 * `floe serve`'s supervisor as an explicit state machine: a pure reducer from (state, event) to (state,
 * effects). The runtime (run-supervisor.ts) feeds it the clock and the children's fates and carries out the
 * effects, so every decision here (restart when, back off how long, stop in which order, exit with what)
 * is testable with a fake clock and no processes.
 */

export type ChildState = "starting" | "running" | "degraded" | "restarting" | "stopping" | "stopped";

export interface ChildStatus {
  readonly name: string;
  readonly state: ChildState;
  readonly restarts: number;
  readonly lastError?: string;
  /** Why a running child is degraded (e.g. Trino unreachable): it is alive but cannot do its work. */
  readonly degradedReason?: string;
  /** The wait before the next restart after a crash. */
  readonly backoffMs: number;
  readonly runningSince?: number;
  readonly restartAt?: number;
}

export type Phase = "running" | "stopping" | "stopped";

export interface SupervisorState {
  readonly phase: Phase;
  /** In start order; stopped in the reverse order (the scheduler before the sink, so the sink drains last). */
  readonly children: readonly ChildStatus[];
  readonly exitCode?: number;
}

export type SupervisorEvent =
  | { readonly type: "child-running"; readonly child: string; readonly at: number }
  | { readonly type: "child-crashed"; readonly child: string; readonly error: string; readonly at: number }
  /** The child's run returned: after a stop that is its clean exit; otherwise it counts as a crash. */
  | { readonly type: "child-exited"; readonly child: string; readonly at: number }
  | { readonly type: "child-degraded"; readonly child: string; readonly reason: string }
  | { readonly type: "child-recovered"; readonly child: string }
  | { readonly type: "tick"; readonly at: number }
  /** SIGTERM/SIGINT (or a programmatic stop): the first drains and stops; a second exits at once. */
  | { readonly type: "signal"; readonly at: number };

export type SupervisorEffect =
  | { readonly kind: "start-child"; readonly child: string }
  | { readonly kind: "stop-child"; readonly child: string }
  | { readonly kind: "exit"; readonly code: number };

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A child running this long since its last (re)start has its backoff reset to `initialMs`. */
  readonly healthyAfterMs: number;
}

/** 1 s doubling to 60 s; a minute of healthy running forgives earlier crashes. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, healthyAfterMs: 60_000 };

export interface Transition {
  readonly state: SupervisorState;
  readonly effects: readonly SupervisorEffect[];
}

/** The first state and its effects: every child starting, in order. */
export function initialSupervisor(
  children: readonly string[],
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): Transition {
  return {
    state: {
      phase: "running",
      children: children.map((name) => ({
        name,
        state: "starting",
        restarts: 0,
        backoffMs: policy.initialMs,
      })),
    },
    effects: children.map((child) => ({ kind: "start-child", child })),
  };
}

export function reduce(
  state: SupervisorState,
  event: SupervisorEvent,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): Transition {
  if (state.phase === "stopped") return { state, effects: [] };
  switch (event.type) {
    case "child-running":
      return same(
        update(state, event.child, (c) =>
          c.state === "starting"
            ? { ...c, state: "running", runningSince: event.at, restartAt: undefined }
            : c,
        ),
      );
    case "child-degraded":
      return same(
        update(state, event.child, (c) =>
          c.state === "running" || c.state === "degraded"
            ? { ...c, state: "degraded", degradedReason: event.reason }
            : c,
        ),
      );
    case "child-recovered":
      return same(
        update(state, event.child, (c) =>
          c.state === "degraded" ? { ...c, state: "running", degradedReason: undefined } : c,
        ),
      );
    case "child-crashed":
      return ended(state, event.child, event.error, event.at, policy);
    case "child-exited":
      return ended(state, event.child, "exited without being asked to stop", event.at, policy);
    case "tick":
      return tick(state, event.at, policy);
    case "signal":
      if (state.phase === "stopping") {
        return {
          state: { ...state, phase: "stopped", exitCode: 130 },
          effects: [{ kind: "exit", code: 130 }],
        };
      }
      return stopNext({ ...state, phase: "stopping" });
  }
}

/** A child's run ended: while running that is a crash (restart later); while stopping, its clean exit. */
function ended(
  state: SupervisorState,
  name: string,
  error: string,
  at: number,
  policy: BackoffPolicy,
): Transition {
  const child = state.children.find((c) => c.name === name);
  if (!child) return same(state);
  if (state.phase === "stopping") {
    const stopped = update(state, name, (c) => ({
      ...c,
      state: "stopped",
      runningSince: undefined,
      ...(c.state === "stopping" ? {} : { lastError: error }),
    }));
    return stopNext(stopped);
  }
  return same(
    update(state, name, (c) => ({
      ...c,
      state: "restarting",
      restarts: c.restarts + 1,
      lastError: error,
      degradedReason: undefined,
      runningSince: undefined,
      restartAt: at + c.backoffMs,
      backoffMs: Math.min(c.backoffMs * 2, policy.maxMs),
    })),
  );
}

function tick(state: SupervisorState, at: number, policy: BackoffPolicy): Transition {
  if (state.phase !== "running") return same(state);
  const effects: SupervisorEffect[] = [];
  const children = state.children.map((c): ChildStatus => {
    if (c.state === "restarting" && c.restartAt !== undefined && at >= c.restartAt) {
      effects.push({ kind: "start-child", child: c.name });
      return { ...c, state: "starting", restartAt: undefined };
    }
    const healthy = c.state === "running" || c.state === "degraded";
    if (healthy && c.runningSince !== undefined && at - c.runningSince >= policy.healthyAfterMs) {
      if (c.backoffMs !== policy.initialMs) return { ...c, backoffMs: policy.initialMs };
    }
    return c;
  });
  return { state: { ...state, children }, effects };
}

/**
 * One child at a time, last started first: the next live child is asked to stop; one that is not running
 * (waiting to restart) is simply marked stopped. When none is left, exit 0.
 */
function stopNext(state: SupervisorState): Transition {
  let current = state;
  for (let i = current.children.length - 1; i >= 0; i--) {
    const child = current.children[i] as ChildStatus;
    if (child.state === "stopped") continue;
    if (child.state === "stopping") return same(current);
    if (child.state === "restarting") {
      current = update(current, child.name, (c) => ({ ...c, state: "stopped", restartAt: undefined }));
      continue;
    }
    return {
      state: update(current, child.name, (c) => ({ ...c, state: "stopping" })),
      effects: [{ kind: "stop-child", child: child.name }],
    };
  }
  return { state: { ...current, phase: "stopped", exitCode: 0 }, effects: [{ kind: "exit", code: 0 }] };
}

function update(
  state: SupervisorState,
  name: string,
  change: (child: ChildStatus) => ChildStatus,
): SupervisorState {
  let changed = false;
  const children = state.children.map((c) => {
    if (c.name !== name) return c;
    const next = change(c);
    changed ||= next !== c;
    return next;
  });
  // The same state when nothing changed, so the runtime logs only real transitions.
  return changed ? { ...state, children } : state;
}

function same(state: SupervisorState): Transition {
  return { state, effects: [] };
}
