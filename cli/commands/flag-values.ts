import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import { parseUtc } from "../plan/microbatch.js";

/**
 * The one way a command reads and checks a flag's value: through a zod schema, either one flag at a time
 * (`flagParser`, commander's argParser; `readFlag` inside an action) or a command's whole options object
 * (`parseFlags`, for commands that declare their flags as one zod object). Every bad value ends in the same
 * UsageError: `--flag must be <what>, got '<value>'. Fix: pass e.g. --flag <example>.`
 */
export interface FlagFormat<T> {
  readonly schema: z.ZodType<T>;
  /** What a good value is, for the message (default: read off the schema, e.g. "a positive integer"). */
  readonly expected?: string;
  /** A good value, for the fix. */
  readonly example: string;
}

export function invalidFlag(
  flag: string,
  expected: string,
  got: unknown,
  fix: string,
  detail?: string,
): UsageError {
  const shown = Array.isArray(got) ? got.join(" ") : String(got);
  return new UsageError(`${flag} must be ${expected}, got '${shown}'${detail ? ` (${detail})` : ""}.`, {
    hint: fix,
  });
}

/** A flag that only makes sense with another one. */
export function flagNeeds(flag: string, needed: string, why: string, fix: string): UsageError {
  return new UsageError(`${flag} needs ${needed}: ${why}.`, { hint: fix });
}

export const passExample = (flag: string, example: string): string => `pass e.g. ${flag} ${example}.`;

export function readFlag<T>(flag: string, text: string, format: FlagFormat<T>): T {
  const result = format.schema.safeParse(text);
  if (result.success) return result.data;
  const expected = format.expected ?? describeAccepted(jsonSchemaOf(format.schema));
  throw invalidFlag(flag, expected, text, passExample(flag, format.example));
}

/** Commander's argParser for one flag. */
export function flagParser<T>(flag: string, format: FlagFormat<T>): (text: string) => T {
  return (text) => readFlag(flag, text, format);
}

/** Commander's argParser for a variadic flag (`<value...>`): each value checked, all collected. */
export function flagListParser<T>(
  flag: string,
  format: FlagFormat<T>,
): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => [...(previous ?? []), readFlag(flag, text, format)];
}

/**
 * Commander's options object through a command's zod object schema. The first bad flag is reported by its
 * name, what its schema accepts and its default as the example (else the command's help).
 */
export function parseFlags<T>(schema: z.ZodType<T>, raw: Record<string, unknown>, command: string): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue?.path[0] ?? "");
  const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const property = jsonSchemaOf(schema).properties?.[key];
  const expected = property ? describeAccepted(property) : (issue?.message ?? "valid");
  const fix =
    property?.default === undefined
      ? `see \`floe ${command} --help\`.`
      : passExample(flag, String(property.default));
  throw invalidFlag(flag, expected, raw[key], fix);
}

export const positiveInt = (example: string): FlagFormat<number> => ({
  schema: z.coerce.number().int().positive(),
  example,
});

export const PORT: FlagFormat<number> = {
  schema: z.coerce.number().int().min(0).max(65_535),
  expected: "a port number (0–65535)",
  example: "8580 (0 picks a free port)",
};

export const oneOf = <const V extends readonly [string, ...string[]]>(
  values: V,
  example: V[number],
): FlagFormat<V[number]> => ({ schema: z.enum(values), example });

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `60s`, `500ms`, `2m`, `1h` or a bare number of seconds → milliseconds. */
export const DURATION: FlagFormat<number> = {
  schema: z
    .string()
    .trim()
    .regex(/^\d+(?:\.\d+)?(?:ms|s|m|h)?$/)
    .transform((text) => {
      const [, amount, unit = "s"] = /^([\d.]+)(ms|s|m|h)?$/.exec(text) ?? [];
      return Number(amount) * (UNIT_MS[unit] ?? 1_000);
    }),
  expected: "a duration (a number with ms, s, m or h; seconds without)",
  example: "60s",
};

/** A UTC date or timestamp (`--event-time-start 2026-12-01`), read as microbatch reads `begin`. */
export const UTC_TIME: FlagFormat<Date> = {
  schema: z.string().transform((text, ctx) => {
    const date = parseUtc(text);
    if (date === undefined) ctx.addIssue({ code: "custom", message: "not a date" });
    return date ?? new Date(Number.NaN);
  }),
  expected: "a UTC date or timestamp (2026-12-01 or 2026-12-01T06:00:00)",
  example: "2026-12-01",
};

/** The part of JSON Schema that `describeAccepted` reads. */
interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly items?: JsonSchema;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
}

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  // The input side: what the user types, before coercion and defaults.
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** "a positive integer", "a number from 0 to 1", "one of text, json": what a flag's schema accepts. */
export function describeAccepted(s: JsonSchema): string {
  if (s.enum) return `one of ${s.enum.join(", ")}`;
  switch (s.type) {
    case "integer":
    case "number":
      return describeNumber(s, s.type);
    case "string":
      if (s.format === "date-time") return "an ISO 8601 date-time (e.g. 2026-01-05T00:00:00Z)";
      return (s.minLength ?? 0) > 0 ? "a non-empty string" : "a string";
    case "boolean":
      return "true or false";
    case "array":
      return s.items ? `a list of values, each ${describeAccepted(s.items)}` : "a list of values";
    default:
      return "a valid value";
  }
}

function describeNumber(s: JsonSchema, noun: "integer" | "number"): string {
  // zod states an integer's safe range: no bound a user needs to hear about.
  const bound = (n: number | undefined) =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;
  const [min, above, max, below] = [s.minimum, s.exclusiveMinimum, s.maximum, s.exclusiveMaximum].map(bound);
  if (above === 0 && max === undefined && below === undefined) return `a positive ${noun}`;
  const a = noun === "integer" ? "an integer" : "a number";
  if (min !== undefined && max !== undefined) return `${a} from ${min} to ${max}`;
  const low = min !== undefined ? `at least ${min}` : above !== undefined ? `greater than ${above}` : "";
  const high = max !== undefined ? `at most ${max}` : below !== undefined ? `less than ${below}` : "";
  return [a, low, low && high ? "and" : "", high].filter((part) => part !== "").join(" ");
}
