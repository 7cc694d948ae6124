/**
 * Whether a partition worker fetches, as an explicit state machine. Pure: `nextLifecycle` returns the new
 * state and the one effect on the consumer's fetching that the transition needs; the worker applies it,
 * so pause and resume happen exactly on the transitions into and out of `paused`.
 *
 *   active ──failed──► paused(until) ──recovered──► active
 *      │                  │  ▲ failed (until moves on)
 *      └──revoked──► revoked ◄──revoked──┘   (a paused partition is resumed as it goes: its next owner,
 *                                             here or in another member, starts from the committed offset)
 *
 * `revoked` is final: the worker's cycle may still finish an upload (same key, If-None-Match) but its
 * failures and recoveries change nothing any more, and it never commits.
 */
export type Lifecycle =
  | { readonly kind: "active" }
  | { readonly kind: "paused"; readonly until: number }
  | { readonly kind: "revoked" };

export type LifecycleEvent =
  /** A cycle step failed after its last attempt: stop fetching, try again at `until`. */
  | { readonly type: "failed"; readonly until: number }
  /** A cycle ran to its end. */
  | { readonly type: "recovered" }
  /** The group rebalanced: the partition belongs to a new worker now. */
  | { readonly type: "revoked" };

export type FetchEffect = "pause" | "resume" | undefined;

export interface Transition {
  readonly state: Lifecycle;
  readonly effect: FetchEffect;
}

export const ACTIVE: Lifecycle = { kind: "active" };
const REVOKED: Lifecycle = { kind: "revoked" };

export function nextLifecycle(state: Lifecycle, event: LifecycleEvent): Transition {
  if (state.kind === "revoked") return { state, effect: undefined };
  const paused = state.kind === "paused";
  switch (event.type) {
    case "failed":
      return { state: { kind: "paused", until: event.until }, effect: paused ? undefined : "pause" };
    case "recovered":
      return paused ? { state: ACTIVE, effect: "resume" } : { state, effect: undefined };
    case "revoked":
      return { state: REVOKED, effect: paused ? "resume" : undefined };
  }
}
