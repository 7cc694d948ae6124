import { splitArgs, stateOf } from "../render-state.js";

/**
 * `{{#if (is_incremental)}}`: true only when the runner renders an incremental model whose table exists
 * and no full refresh is requested. `floe compile` renders the first-run form (false).
 */
export function isIncrementalHelper(...args: unknown[]): boolean {
  return stateOf(splitArgs(args).options, "is_incremental").isIncremental;
}

/** `{{{{raw}}}} {{not a helper}} {{{{/raw}}}}`: its content verbatim. */
export function rawHelper(this: unknown, ...args: unknown[]): string {
  const { options } = splitArgs(args);
  return options.fn ? options.fn(this) : "";
}
