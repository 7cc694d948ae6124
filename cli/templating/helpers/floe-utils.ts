import { ConfigError } from "../../../core/errors.js";
import { renderLibraryMacro } from "../floe-utils/library.js";
import { splitArgs, stateOf } from "../render-state.js";

/**
 * `{{floe_utils "star" from=from ...}}`: the body of each `floe_utils/<name>` partial. The partial's own
 * context holds the arguments its caller passed (a call with arguments gets a context of its own whose
 * prototype is the caller's), so those names are checked for typos and nothing leaks in from the caller.
 */
export function floeUtilsHelper(this: unknown, ...args: unknown[]): string {
  const { params, options } = splitArgs(args);
  const [name] = params;
  if (typeof name !== "string") {
    throw new ConfigError("{{floe_utils}} takes a macro name.", {
      hint: 'call {{> floe_utils/star from=(ref "x")}}.',
    });
  }
  const given = passedArguments(this);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.hash)) {
    if (given === undefined || given.includes(key)) values[key] = value;
  }
  const state = stateOf(options, "floe_utils");
  return renderLibraryMacro(name, values, given ?? [], {
    columnsOf: (relation) => state.columnsOf(relation),
  });
}

function passedArguments(context: unknown): string[] | undefined {
  if (typeof context !== "object" || context === null) return undefined;
  const proto = Object.getPrototypeOf(context);
  return proto === Object.prototype || proto === null ? undefined : Object.keys(context);
}

/** `(list "a" "b")`: a list value, for macro arguments that take several relations or columns. */
export function listHelper(...args: unknown[]): unknown[] {
  return splitArgs(args).params;
}
