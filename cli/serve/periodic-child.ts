import type { ChildContext, ChildSpec } from "./run-supervisor.js";
import type { ProbeResult } from "./serve-status.js";

/** One run of a periodic job (a build, a maintenance pass): ok or not, and why not. */
export interface JobOutcome {
  readonly ok: boolean;
  readonly error?: string;
}

export interface PeriodicOptions {
  readonly name: string;
  readonly everyMs: number;
  /** Wait before the first run (maintenance waits a period; builds start at once). */
  readonly firstAfterMs?: number;
  /** A failed run is retried after this, doubling up to `everyMs`. */
  readonly retryBaseMs: number;
  /** Checked before each run: when it fails the child is degraded and waits, the run is not attempted. */
  readonly probe?: () => Promise<ProbeResult>;
  readonly job: (signal: AbortSignal) => Promise<JobOutcome>;
  /** Resolves after `ms`, or early when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * A supervised child that runs `job` every `everyMs`, one run at a time (the next waits for the last to
 * finish, so runs never overlap). A failed run is retried with backoff; an unreachable Trino degrades the
 * child until a probe passes again. Stops between runs, or cancels the running one through the signal.
 */
export function periodicChild(options: PeriodicOptions): ChildSpec {
  const sleep = options.sleep ?? abortableSleep;
  return {
    name: options.name,
    async run({ signal, running, degraded, recovered }: ChildContext) {
      running();
      const backoff = (failures: number) =>
        Math.min(
          options.retryBaseMs * 2 ** Math.max(failures - 1, 0),
          Math.max(options.everyMs, options.retryBaseMs),
        );
      let failures = 0;
      if (options.firstAfterMs) await sleep(options.firstAfterMs, signal);
      while (!signal.aborted) {
        const probe = await options.probe?.();
        if (probe && !probe.ok) {
          degraded(`Trino unreachable: ${probe.error ?? "probe failed"}`);
          failures++;
          await sleep(backoff(failures), signal);
          continue;
        }
        recovered();
        const outcome = await options.job(signal);
        if (signal.aborted) break;
        failures = outcome.ok ? 0 : failures + 1;
        await sleep(outcome.ok ? options.everyMs : backoff(failures), signal);
      }
    },
  };
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
