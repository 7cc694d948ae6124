import { isUtf8 } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  invalidUtf8Offset,
  MAX_NESTING_DEPTH,
  NON_FINITE_REASON,
  storedValueProblem,
} from "./json-limits.js";

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
};

/** The definition, recursively (fine for the small depths it is run on). */
function depthOf(v: unknown): number {
  if (typeof v !== "object" || v === null) return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...children.map(depthOf));
}
function hasNonFinite(v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (typeof v !== "object" || v === null) return false;
  return (Array.isArray(v) ? v : Object.values(v)).some(hasNonFinite);
}

describe("storedValueProblem", () => {
  it("allows MAX_NESTING_DEPTH levels counted from where the value sits, and not one more", () => {
    expect(storedValueProblem(nested(MAX_NESTING_DEPTH - 1), 2)).toBeUndefined();
    expect(storedValueProblem(nested(MAX_NESTING_DEPTH), 2)).toBe("nesting deeper than 64 levels");
    expect(storedValueProblem(nested(1_000_000), 2)).toBe("nesting deeper than 64 levels");
  });

  it("finds ±Infinity anywhere in the value", () => {
    expect(storedValueProblem({ a: [1, { b: Number.NEGATIVE_INFINITY }] }, 2)).toBe(NON_FINITE_REASON);
    expect(storedValueProblem([Number.NaN], 2)).toBe(NON_FINITE_REASON);
    expect(storedValueProblem({ a: [1.7e308, -0, "Infinity", null] }, 2)).toBeUndefined();
  });

  it("agrees with the recursive definition on arbitrary JSON values", () => {
    const value = fc.jsonValue({ maxDepth: 8 }).chain((v) =>
      fc.oneof(
        fc.constant(v),
        fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY).map((x) => [v, { x }]),
      ),
    );
    // A container sitting at level `depth` is that level; a primitive adds none.
    const tooDeep = (v: unknown, depth: number) =>
      depthOf(v) > 0 && depth - 1 + depthOf(v) > MAX_NESTING_DEPTH;
    fc.assert(
      fc.property(value, fc.integer({ min: 55, max: 66 }), (v, depth) => {
        const expected = hasNonFinite(v)
          ? NON_FINITE_REASON
          : tooDeep(v, depth)
            ? "nesting deeper than 64 levels"
            : undefined;
        const got = storedValueProblem(v, depth);
        // Both problems present: either may be reported first (the walk is depth-first).
        if (hasNonFinite(v) && tooDeep(v, depth)) expect(got).toBeDefined();
        else expect(got).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("invalidUtf8Offset", () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    // Mostly-valid text with a few arbitrary bytes spliced in: exercises every lead and continuation case.
    fc
      .tuple(
        fc.string({ unit: "binary", maxLength: 20 }),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        fc.string({ unit: "binary", maxLength: 5 }),
      )
      .map(([a, b, c]) => new Uint8Array(Buffer.concat([Buffer.from(a), b, Buffer.from(c)]))),
  );

  it("is -1 exactly for what Node's validator and a fatal TextDecoder accept, else the first bad byte", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(bytes, (b) => {
        const offset = invalidUtf8Offset(b);
        let decodes = true;
        try {
          decoder.decode(b);
        } catch {
          decodes = false;
        }
        expect(offset === -1).toBe(isUtf8(b));
        expect(offset === -1).toBe(decodes);
        if (offset >= 0) {
          expect(isUtf8(b.subarray(0, offset))).toBe(true);
          // The sequence starting at the offset is broken: appending valid text cannot repair it.
          expect(isUtf8(Buffer.concat([b.subarray(0, offset + 4), Buffer.from("abcd")]))).toBe(false);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("names the byte of each kind of malformation", () => {
    const at = (...b: number[]) => invalidUtf8Offset(new Uint8Array([0x61, ...b]));
    expect(at(0xff)).toBe(1); // never valid
    expect(at(0x80)).toBe(1); // lone continuation
    expect(at(0xc0, 0xaf)).toBe(1); // overlong '/'
    expect(at(0xe0, 0x80, 0xaf)).toBe(1); // overlong 3-byte
    expect(at(0xed, 0xa0, 0x80)).toBe(1); // UTF-16 surrogate
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(1); // above U+10FFFF
    expect(at(0xe2, 0x82)).toBe(1); // truncated at the end
    expect(at(0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x99, 0x82)).toBe(-1); // € 🙂
  });
});
