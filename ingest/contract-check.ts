import type { z } from "zod";
import { util } from "zod/v4/core";

/**
 * Plain-JS validators compiled from the zod contract shapes, for the sink's hot path (zod's per-field
 * payload objects and issue plumbing cost ~5 µs an event; `npm run bench:sink-cpu`).
 *
 * The zod schemas stay the only source of the contracts: this module reads their definitions (type,
 * checks, patterns) and builds checks from them. It is deliberately one-sided — `undefined` means "not
 * sure", never "invalid": the caller then asks zod, which gives the accept/reject verdict and the readable
 * DLQ reason. So a value the fast check accepts must be one zod accepts with the same output (proved by
 * `contract-check.test.ts` over generated and corrupted events); anything else only costs speed. A schema
 * using a construct not handled here (refinements, transforms, defaults, nullable, …) compiles to
 * `undefined` and its contract is always checked by zod.
 */

/** Returns zod's output for a value it accepts, or FAIL when the fast path cannot vouch for the value. */
type Convert = (value: unknown) => unknown;
const FAIL: unique symbol = Symbol("fail");

/** Validates an object against a shape; returns zod's output (known fields only) or undefined. */
export type FastCheck = (raw: Record<string, unknown>) => Record<string, unknown> | undefined;

class Unsupported extends Error {}

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  check?: string;
  pattern?: RegExp;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
  entries?: Record<string, unknown>;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  coerce?: boolean;
}

interface CheckDef {
  check: string;
  minimum?: number;
  value?: unknown;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

type Predicate = (value: never) => boolean;

/** One zod check as a predicate over a value that already has the right type. */
function checkPredicate(def: CheckDef): Predicate {
  switch (def.check) {
    case "min_length": {
      const min = def.minimum ?? 0;
      // zod counts a string's code points (a surrogate pair is one), arrays by elements.
      return (v: string | unknown[]) =>
        typeof v === "string"
          ? v.length >= min && (v.length >= 2 * min || util.codePointLength(v) >= min)
          : v.length >= min;
    }
    case "greater_than": {
      const bound = def.value;
      if (typeof bound !== "number") throw new Unsupported(`greater_than ${typeof bound}`);
      return def.inclusive ? (v: number) => v >= bound : (v: number) => v > bound;
    }
    case "less_than": {
      const bound = def.value;
      if (typeof bound !== "number") throw new Unsupported(`less_than ${typeof bound}`);
      return def.inclusive ? (v: number) => v <= bound : (v: number) => v < bound;
    }
    case "number_format":
      if (def.format !== "safeint") throw new Unsupported(`number format ${def.format}`);
      return (v: number) => Number.isSafeInteger(v);
    case "string_format": {
      const pattern = def.pattern;
      if (!pattern) throw new Unsupported(`string format ${def.format} without a pattern`);
      return (v: string) => {
        pattern.lastIndex = 0;
        return pattern.test(v);
      };
    }
    default:
      throw new Unsupported(`check ${def.check}`);
  }
}

function allOf(predicates: Predicate[]): (value: never) => boolean {
  if (predicates.length === 0) return () => true;
  if (predicates.length === 1) return predicates[0] as Predicate;
  return (v) => {
    for (const p of predicates) if (!p(v)) return false;
    return true;
  };
}

function checksOf(def: Def): (value: never) => boolean {
  const predicates = (def.checks ?? []).map((c) => checkPredicate(c._zod.def));
  // A string format (z.uuid(), z.iso.datetime()) is itself a check on the schema's own definition.
  if (def.check !== undefined) predicates.unshift(checkPredicate(def as unknown as CheckDef));
  return allOf(predicates);
}

function compileType(schema: z.ZodType): Convert {
  const def = defOf(schema);
  if (def.coerce) throw new Unsupported("coercion");
  switch (def.type) {
    case "string": {
      const ok = checksOf(def) as (v: string) => boolean;
      return (v) => (typeof v === "string" && ok(v) ? v : FAIL);
    }
    case "number": {
      const ok = checksOf(def) as (v: number) => boolean;
      return (v) => (typeof v === "number" && Number.isFinite(v) && ok(v) ? v : FAIL);
    }
    case "boolean":
      if (def.checks?.length) throw new Unsupported("boolean checks");
      return (v) => (typeof v === "boolean" ? v : FAIL);
    case "literal": {
      const values = def.values ?? [];
      if (!values.every((x) => typeof x === "string" || typeof x === "number" || typeof x === "boolean"))
        throw new Unsupported("literal of a non-primitive");
      const set = new Set<unknown>(values);
      return (v) => (set.has(v) ? v : FAIL);
    }
    case "enum": {
      const entries = Object.entries(def.entries ?? {});
      if (!entries.every(([k, x]) => k === x)) throw new Unsupported("enum with distinct keys and values");
      const values = new Set(entries.map(([, x]) => x));
      return (v) => (values.has(v) ? v : FAIL);
    }
    case "union": {
      if (def.checks?.length) throw new Unsupported("union checks");
      // zod returns the first option that accepts the value.
      const options = (def.options ?? []).map(compileType);
      return (v) => {
        for (const option of options) {
          const out = option(v);
          if (out !== FAIL) return out;
        }
        return FAIL;
      };
    }
    case "array": {
      if (!def.element) throw new Unsupported("array without element");
      const element = compileType(def.element);
      const ok = checksOf(def) as (v: unknown[]) => boolean;
      return (v) => {
        if (!Array.isArray(v) || !ok(v)) return FAIL;
        const out: unknown[] = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const item = element(v[i]);
          if (item === FAIL) return FAIL;
          out[i] = item;
        }
        return out;
      };
    }
    case "object": {
      if (def.checks?.length) throw new Unsupported("object refinements");
      const check = compileObject(def.shape ?? {});
      return (v) =>
        typeof v === "object" && v !== null && !Array.isArray(v)
          ? (check(v as Record<string, unknown>) ?? FAIL)
          : FAIL;
    }
    default:
      throw new Unsupported(`zod type ${def.type}`);
  }
}

interface Field {
  readonly key: string;
  readonly optional: boolean;
  readonly convert: Convert;
}

function compileObject(shape: Record<string, z.ZodType>): FastCheck {
  const fields: Field[] = Object.entries(shape).map(([key, schema]) => {
    const def = defOf(schema);
    if (def.type === "optional") {
      if (!def.innerType) throw new Unsupported("optional without inner type");
      return { key, optional: true, convert: compileType(def.innerType) };
    }
    return { key, optional: false, convert: compileType(schema) };
  });
  return (raw) => {
    // zod strips unknown keys: the output holds the shape's fields that are present.
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const value = raw[field.key];
      if (value === undefined) {
        // An absent optional field is left out; a present-but-undefined one (not JSON) is zod's to judge.
        if (field.optional && !Object.hasOwn(raw, field.key)) continue;
        return undefined;
      }
      const converted = field.convert(value);
      if (converted === FAIL) return undefined;
      out[field.key] = converted;
    }
    return out;
  };
}

/** A fast check for a contract shape, or undefined when the shape uses zod features this compiler lacks. */
export function compileFastCheck(shape: Record<string, z.ZodType>): FastCheck | undefined {
  try {
    return compileObject(shape);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
