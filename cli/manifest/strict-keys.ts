import { z } from "zod";
import { closestName } from "../../core/closest-name.js";

/**
 * Strict keys for the yml Floe reads. A key Floe does not know is an error, never silently dropped: a
 * misspelled `colums:` would otherwise take its tests with it. The error names the closest known key; a key
 * that dbt has but Floe does not implement yet says so plainly, so a user porting a dbt project knows the
 * difference between a typo and a missing feature. Issues carry their fix in `params.hint` (read by
 * `issueHint`), so every boundary renders the same text.
 */

export interface KeyIssue {
  readonly message: string;
  readonly hint: string;
}

/** What a strict mapping accepts. */
export interface KeyRules {
  readonly known: ReadonlySet<string>;
  /** dbt keys Floe does not read yet → what to do instead ("" when removing the key is all there is). */
  readonly unsupported: ReadonlyMap<string, string>;
  /** Added to the fix when no known key is close (config: "custom keys go under meta:"). */
  readonly otherwise?: string;
}

/** `what`: the mapping as a user calls it ("model 'orders'", "a column entry", "model config"). */
export function keyIssue(key: string, what: string, rules: KeyRules): KeyIssue {
  const dbt = rules.unsupported.get(key);
  if (dbt !== undefined) {
    return {
      message: `dbt's \`${key}\` is not supported by Floe yet (in ${what})`,
      hint: dbt === "" ? `remove \`${key}\`.` : `remove \`${key}\`; ${dbt}`,
    };
  }
  const suggestion = closestName(key, rules.known);
  const known = [...rules.known].map((k) => `'${k}'`).join(", ");
  return {
    message: `unknown key '${key}' in ${what}`,
    hint: suggestion
      ? `did you mean '${suggestion}'?`
      : `remove '${key}'${rules.otherwise ? `; ${rules.otherwise}` : ""} (${what} takes ${known}).`,
  };
}

/** The fix a strict-key issue carries, if the issue is one. */
export function issueHint(issue: z.core.$ZodIssue | undefined): string | undefined {
  const hint = (issue as { params?: { hint?: unknown } } | undefined)?.params?.hint;
  return typeof hint === "string" ? hint : undefined;
}

/** Adds one issue per key of `value` that `rules` do not know, at the key's own path. */
export function checkKeys(
  value: unknown,
  ctx: z.RefinementCtx,
  what: (value: Record<string, unknown>) => string,
  rules: KeyRules,
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (rules.known.has(key)) continue;
    const issue = keyIssue(key, what(record), rules);
    ctx.addIssue({ code: "custom", path: [key], message: issue.message, params: { hint: issue.hint } });
  }
}

/**
 * `z.object(shape)` whose keys are checked first: an unknown key is reported before any other problem of
 * the mapping (a misspelled `nmae:` says "did you mean 'name'", not "every entry needs a name").
 */
export function strictMapping<S extends z.ZodRawShape>(
  what: string | ((value: Record<string, unknown>) => string),
  shape: S,
  unsupported: ReadonlyMap<string, string> = new Map(),
) {
  const rules: KeyRules = { known: new Set(Object.keys(shape)), unsupported };
  const describe = typeof what === "string" ? () => what : what;
  return z
    .unknown()
    .superRefine((value, ctx) => checkKeys(value, ctx, describe, rules))
    .pipe(z.object(shape));
}

/** A named entry in messages: "model 'orders'", or "a model entry" before it has a name. */
export function named(kind: string): (value: Record<string, unknown>) => string {
  return (value) => (typeof value.name === "string" ? `${kind} '${value.name}'` : `a ${kind} entry`);
}

export function unsupportedKeys(entries: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  return new Map(Object.entries(entries));
}
