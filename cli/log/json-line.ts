import { randomUUID } from "node:crypto";

/**
 * One line of `--log-format json`, for every JSON line Floe prints (run, freshness and validate events,
 * command messages, errors): the fields dbt's structured log uses where dbt has one — `ts`, `level`,
 * `invocation_id`, `msg` — keys in snake_case, floats rounded to milliseconds' precision (3 decimals) so a
 * duration reads `1.234`, not `1.2340000000000002`.
 */
export function jsonLine(
  level: "debug" | "info" | "warn" | "error",
  fields: Readonly<Record<string, unknown>>,
  now: Date = new Date(),
): string {
  return `${JSON.stringify({ ts: now.toISOString(), level, invocation_id: invocationId(), ...(dbtShape(fields) as object) })}\n`;
}

/**
 * An event's `msg`: what its text logger prints for it (run through `render`), without the clock, so both
 * log formats say the same thing.
 */
export function textOf(render: (write: (text: string) => void) => void): string {
  const parts: string[] = [];
  render((text) => parts.push(text));
  return (
    parts
      .join("")
      .replace(/^\d\d:\d\d:\d\d {2}/gm, "")
      // Blank lines around a summary go; the padding of an aligned index stays.
      .replace(/^\n+/, "")
      .trimEnd()
  );
}

let invocation: string | undefined;

/** One id per floe process (dbt's `invocation_id`), so the lines of one invocation can be grouped. */
export function invocationId(): string {
  invocation ??= randomUUID();
  return invocation;
}

/**
 * camelCase keys → snake_case, recursively; floats rounded. Arrays and plain objects only are walked. A
 * number directly in an array is data (a failing row's values in `sample.rows`), never rounded.
 */
export function dbtShape(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
  if (Array.isArray(value)) return value.map((v) => (typeof v === "number" ? v : dbtShape(v)));
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[snakeCase(key)] = dbtShape(v);
  return out;
}

function snakeCase(key: string): string {
  return /[A-Z]/.test(key) && /^[A-Za-z0-9]+$/.test(key)
    ? key.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`))
    : key;
}
