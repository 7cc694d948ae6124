import { describe, expect, it } from "vitest";
import { bodyFingerprint, shortHash, stableStringify } from "./hashing.js";

describe("bodyFingerprint", () => {
  // The allocation-free version must equal the definition, or old --state manifests would all look modified.
  const reference = (text: string) => shortHash(text.replace(/\s+/g, " ").trim());
  it.each([
    "",
    "   ",
    "select 1",
    "  select\t1\n\nfrom  x  \n",
    "\u00a0select\u2003a,\u3000b\ufeff\r\nfrom t\u2028",
    "select 'é' from \u1680 t\u205f\u202fwhere\v\fx",
    '{{config materialized="view"}}\n-- c\nselect *\nfrom {{ref "a"}}\n',
  ])("equals shortHash of the collapsed text for %j", (text) => {
    expect(bodyFingerprint(text)).toBe(reference(text));
  });
});

describe("stableStringify", () => {
  it("sorts keys, drops undefined and keeps array order", () => {
    expect(stableStringify({ b: [2, undefined, { d: 1, c: "x" }], a: null, u: undefined })).toBe(
      '{"a":null,"b":[2,null,{"c":"x","d":1}]}',
    );
  });

  /** The original walk, before the native fast path: every output must stay byte-identical to it. */
  const reference = (value: unknown): string => {
    if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
    if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
    const record = value as Record<string, unknown>;
    const parts = Object.keys(record)
      .sort()
      .filter((k) => record[k] !== undefined && typeof record[k] !== "function")
      .map((k) => `${JSON.stringify(k)}:${reference(record[k])}`);
    return `{${parts.join(",")}}`;
  };

  it.each([
    { a: 1, b: { c: [1, "x", null, true] } },
    { b: 1, a: 2 },
    { "10": 1, "9": 2, a: 3 },
    { "1": 1, a: { z: undefined, y: () => 1 } },
    { at: new Date(0), n: Number.NaN, m: -0 },
    [undefined, { b: 1, a: [] }],
    Object.assign(Object.create(null), { a: 1, b: 2 }),
    "plain",
    undefined,
  ])("matches the sorted walk for %j", (value) => {
    expect(stableStringify(value)).toBe(reference(value));
  });

  it("matches the sorted walk on random nested values", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const keys = ["a", "b", "name", "tests", "10", "2", "_x", "Z"];
    const make = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return [1, "s", null, true, undefined, 2.5][Math.floor(random() * 6)];
      if (r < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => make(depth + 1));
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--)
        out[keys[Math.floor(random() * keys.length)] as string] = make(depth + 1);
      return out;
    };
    for (let i = 0; i < 2000; i++) {
      const value = make(0);
      expect(stableStringify(value)).toBe(reference(value));
    }
  });
});
