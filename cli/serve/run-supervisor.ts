import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  initialSupervisor,
  reduce,
  type SupervisorEffect,
  type SupervisorEvent,
  type SupervisorState,
} from "./supervisor.js";

/**
 * What a supervised child gets: the signal that asks it to stop, and how to say it is up or degraded.
 * Its `run` resolves when it has stopped after `signal` aborted; a rejection (or a return without being
 * asked) is a crash, and the supervisor restarts it with backoff.
 */
export interface ChildContext {
  readonly signal: AbortSignal;
  running(): void;
  degraded(reason: string): void;
  recovered(): void;
}

export interface ChildSpec {
  readonly name: string;
  run(context: ChildContext): Promise<void>;
}

/** Time as the supervisor sees it: injected so tests drive it by hand. */
export interface Clock {
  now(): number;
  /** Calls `fn` every `ms`; returns the cancel. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};

export interface SupervisorOptions {
  readonly clock?: Clock;
  readonly policy?: BackoffPolicy;
  readonly tickMs?: number;
  /** Every event and the state it led to (serve logs child transitions from here). */
  readonly onTransition?: (event: SupervisorEvent | { type: "init" }, state: SupervisorState) => void;
}

/** Runs the reducer's effects against real children: the one impure half of the supervisor. */
export class SupervisorRuntime {
  #state: SupervisorState;
  readonly #children: ReadonlyMap<string, ChildSpec>;
  readonly #controllers = new Map<string, AbortController>();
  readonly #options: SupervisorOptions;
  readonly #clock: Clock;
  #cancelTick: () => void = () => {};
  #resolveDone: (code: number) => void = () => {};
  /** Resolves with the exit code: 0 after a clean stop, 130 after a second signal. */
  readonly done: Promise<number>;

  constructor(children: readonly ChildSpec[], options: SupervisorOptions = {}) {
    this.#children = new Map(children.map((c) => [c.name, c]));
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    const first = initialSupervisor(
      children.map((c) => c.name),
      options.policy ?? DEFAULT_BACKOFF,
    );
    this.#state = first.state;
    options.onTransition?.({ type: "init" }, this.#state);
    this.#cancelTick = this.#clock.every(options.tickMs ?? 250, () =>
      this.dispatch({ type: "tick", at: this.#clock.now() }),
    );
    this.#apply(first.effects);
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** SIGTERM/SIGINT: the first stops the children in order, a second exits at once with 130. */
  signal(): void {
    this.dispatch({ type: "signal", at: this.#clock.now() });
  }

  dispatch(event: SupervisorEvent): void {
    const { state, effects } = reduce(this.#state, event, this.#options.policy ?? DEFAULT_BACKOFF);
    const changed = state !== this.#state;
    this.#state = state;
    if (changed && event.type !== "tick") this.#options.onTransition?.(event, state);
    this.#apply(effects);
  }

  #apply(effects: readonly SupervisorEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === "start-child") this.#start(effect.child);
      else if (effect.kind === "stop-child") this.#controllers.get(effect.child)?.abort();
      else {
        this.#cancelTick();
        // A second signal: ask whatever still runs to stop, without waiting for it.
        for (const controller of this.#controllers.values()) controller.abort();
        this.#resolveDone(effect.code);
      }
    }
  }

  #start(name: string): void {
    const spec = this.#children.get(name);
    if (!spec) return;
    const controller = new AbortController();
    this.#controllers.set(name, controller);
    const live = () => this.#controllers.get(name) === controller;
    const context: ChildContext = {
      signal: controller.signal,
      running: () => live() && this.dispatch({ type: "child-running", child: name, at: this.#clock.now() }),
      degraded: (reason) => live() && this.dispatch({ type: "child-degraded", child: name, reason }),
      recovered: () => live() && this.dispatch({ type: "child-recovered", child: name }),
    };
    // Deferred a turn so a child that throws synchronously is still a crash, not a throw out of dispatch.
    Promise.resolve()
      .then(() => spec.run(context))
      .then(
        () => live() && this.dispatch({ type: "child-exited", child: name, at: this.#clock.now() }),
        (error: unknown) =>
          live() &&
          this.dispatch({
            type: "child-crashed",
            child: name,
            error: error instanceof Error ? error.message : String(error),
            at: this.#clock.now(),
          }),
      );
  }
}
